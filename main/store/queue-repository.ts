// What the labelling queue and the label-error review read and write: each text's labelled /
// skipped state, the texts themselves (for their vectors), and keep/relabel review decisions.
import type { Database } from 'better-sqlite3'
import { writeAudit } from './audit'
import { projectOfText } from './texts-repo'

/** One text of a project as the queue sees it (id order). */
export interface QueueTextState {
  id: number
  /** Has at least one label. */
  labelled: boolean
  skipped: boolean
}

export type ReviewDecision = 'keep' | 'relabel'

/** One review decision on a text; `details` go into its audit entry. */
export interface ReviewDecisionInput {
  projectId: number
  textId: number
  decision: ReviewDecision
  actor: string
  details: Record<string, unknown>
}

export interface QueueRepository {
  /** Every text of the project, in id order, with whether it is labelled or skipped. */
  states(projectId: number): Promise<QueueTextState[]>
  /** Every text of the project with its text, in id order. */
  texts(projectId: number): Promise<{ id: number; text: string }[]>
  /** Texts whose labels were reviewed and have not changed since (their current revision). */
  reviewed(projectId: number): Promise<number[]>
  /**
   * Records a review decision for the text at its current annotation revision (a later label
   * change brings it back into review) and audits it as `review.<decision>`, in one transaction.
   * False when the text is not (any longer) in `projectId`.
   */
  decide(input: ReviewDecisionInput): Promise<boolean>
}

export class SqliteQueueRepository implements QueueRepository {
  constructor(private readonly db: Database) {}

  async states(projectId: number): Promise<QueueTextState[]> {
    const rows = this.db
      .prepare(
        `SELECT t.id AS id,
                EXISTS (SELECT 1 FROM annotation_labels al WHERE al.text_id = t.id) AS labelled,
                COALESCE((SELECT a.skipped FROM annotations a WHERE a.text_id = t.id), 0) AS skipped
           FROM texts t WHERE t.project_id = ? ORDER BY t.id`,
      )
      .all(projectId) as { id: number; labelled: number; skipped: number }[]
    return rows.map((r) => ({ id: r.id, labelled: r.labelled === 1, skipped: r.skipped === 1 }))
  }

  async texts(projectId: number): Promise<{ id: number; text: string }[]> {
    return this.db
      .prepare('SELECT id, text FROM texts WHERE project_id = ? ORDER BY id')
      .all(projectId) as { id: number; text: string }[]
  }

  async reviewed(projectId: number): Promise<number[]> {
    return this.db
      .prepare(
        `SELECT r.text_id FROM label_reviews r LEFT JOIN annotations a ON a.text_id = r.text_id
          WHERE r.project_id = ? AND COALESCE(a.revision, 0) = r.revision ORDER BY r.text_id`,
      )
      .pluck()
      .all(projectId) as number[]
  }

  async decide(input: ReviewDecisionInput): Promise<boolean> {
    const { projectId, textId, decision, actor, details } = input
    return this.db
      .transaction(() => {
        if (projectOfText(this.db, textId) !== projectId) return false
        const revision =
          (this.db
            .prepare('SELECT revision FROM annotations WHERE text_id = ?')
            .pluck()
            .get(textId) as number | undefined) ?? 0
        this.db
          .prepare(
            `INSERT OR REPLACE INTO label_reviews (text_id, project_id, revision, decision, actor, at)
             VALUES (?, ?, ?, ?, ?, ?)`,
          )
          .run(textId, projectId, revision, decision, actor, new Date().toISOString())
        writeAudit(this.db, actor, `review.${decision}`, projectId, {
          textId,
          revision,
          ...details,
        })
        return true
      })
      .immediate()
  }
}
