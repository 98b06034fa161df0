// The labelling queue's text states and the label review's decisions on PostgreSQL: the same
// QueueRepository as queue-repository.ts.
import type { QueueRepository, QueueTextState, ReviewDecisionInput } from '../queue-repository'
import { writeAuditPg as pgWriteAudit } from './audit'
import type { PgDatabase } from './pg-database'
import { pgProjectOfText } from './texts-repository'

export class PgQueueRepository implements QueueRepository {
  constructor(private readonly db: PgDatabase) {}

  async states(projectId: number): Promise<QueueTextState[]> {
    const rows = await this.db.rows<{ id: number; labelled: boolean; skipped: number }>(
      `SELECT t.id AS id,
              EXISTS (SELECT 1 FROM annotation_labels al WHERE al.text_id = t.id) AS labelled,
              COALESCE((SELECT a.skipped FROM annotations a WHERE a.text_id = t.id), 0) AS skipped
         FROM texts t WHERE t.project_id = $1 ORDER BY t.id`,
      [projectId],
    )
    return rows.map((r) => ({ id: r.id, labelled: r.labelled, skipped: r.skipped === 1 }))
  }

  async texts(projectId: number): Promise<{ id: number; text: string }[]> {
    return this.db.rows<{ id: number; text: string }>(
      'SELECT id, text FROM texts WHERE project_id = $1 ORDER BY id',
      [projectId],
    )
  }

  async reviewed(projectId: number): Promise<number[]> {
    const rows = await this.db.rows<{ text_id: number }>(
      `SELECT r.text_id FROM label_reviews r LEFT JOIN annotations a ON a.text_id = r.text_id
        WHERE r.project_id = $1 AND COALESCE(a.revision, 0) = r.revision ORDER BY r.text_id`,
      [projectId],
    )
    return rows.map((r) => r.text_id)
  }

  async decide(input: ReviewDecisionInput): Promise<boolean> {
    const { projectId, textId, decision, actor, details } = input
    return this.db.tx(async (q) => {
      if ((await pgProjectOfText(q, textId)) !== projectId) return false
      // FOR UPDATE: the revision recorded is the one current when the decision is written.
      const row = await q.row<{ revision: number }>(
        'SELECT revision FROM annotations WHERE text_id = $1 FOR UPDATE',
        [textId],
      )
      const revision = row?.revision ?? 0
      await q.run(
        `INSERT INTO label_reviews (text_id, project_id, revision, decision, actor, at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (text_id) DO UPDATE SET project_id = excluded.project_id,
           revision = excluded.revision, decision = excluded.decision, actor = excluded.actor,
           at = excluded.at`,
        [textId, projectId, revision, decision, actor, new Date().toISOString()],
      )
      await pgWriteAudit(q, actor, `review.${decision}`, projectId, {
        textId,
        revision,
        ...details,
      })
      return true
    })
  }
}
