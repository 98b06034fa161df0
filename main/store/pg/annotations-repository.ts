// PostgreSQL label writes (set, skip, undo/redo over each annotator's history) and label counts:
// the same behaviour as SqliteAnnotationsRepository, each user action ONE `db.tx`.
//
// Concurrency (issue #17 point 4), READ COMMITTED plus explicit locks instead of SERIALIZABLE
// retries: set/step first take a transaction advisory lock on (project, annotator) — one
// annotator's redo stack is walked and cleared by one writer at a time — then lock the TEXT row
// (lockText, FOR NO KEY UPDATE; the annotations row may not exist yet). The history id (the
// revision) is drawn under that lock, so a text's revision grows in commit order and its history
// replays to its current state. Each annotator writes only their own annotator_labels row, so
// annotator A's label never overwrites B's; the gold label is re-resolved from all rows under the
// text lock. Lock order everywhere: annotator → text → audit chain (written last).
import type { AnnotationDto, LabelStatsDto } from '../../../preload/contract/labels'
import type { AnnotationsRepository } from '../annotations-repository'
import { historyValues, UndoState, type HistoryEntry, type HistoryRow } from '../annotations-repo'
import { sameIds } from '../annotator-labels-repo'
import {
  currentLabelIds,
  lockAnnotator,
  lockText,
  ownLabelIds,
  resolveText,
  writeAnnotatorRow,
} from './annotator-labels'
import { writeAuditPg } from './audit'
import type { PgDatabase, PgQueryable } from './pg-database'

async function currentRevision(q: PgQueryable, textId: number): Promise<number> {
  const row = await q.row<{ revision: number }>(
    'SELECT revision FROM annotations WHERE text_id = $1',
    [textId],
  )
  return row?.revision ?? 0
}

async function insertHistory(q: PgQueryable, entry: HistoryEntry): Promise<number> {
  const row = await q.row<{ id: number }>(
    `INSERT INTO annotation_history
       (project_id, text_id, action, before_label_ids, after_label_ids, target_id, undo_state, annotator, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8) RETURNING id`,
    historyValues(entry),
  )
  return row!.id
}

/** The change undo (latest still done) or redo (oldest undone) would act on, for one annotator. */
async function stepCandidate(
  q: PgQueryable,
  projectId: number,
  annotator: string,
  action: 'undo' | 'redo',
): Promise<HistoryRow | undefined> {
  const state = action === 'undo' ? UndoState.done : UndoState.undone
  const order = action === 'undo' ? 'DESC' : 'ASC'
  return q.row<HistoryRow>(
    `SELECT * FROM annotation_history
      WHERE project_id = $1 AND annotator = $2 AND action = 'set' AND undo_state = $3
      ORDER BY id ${order} LIMIT 1`,
    [projectId, annotator, state],
  )
}

export class PgAnnotationsRepository implements AnnotationsRepository {
  constructor(private readonly db: PgDatabase) {}

  async set(input: {
    projectId: number
    textId: number
    labelIds: number[]
    annotator: string
  }): Promise<AnnotationDto | undefined> {
    const { projectId, textId, labelIds: after, annotator } = input
    return this.db.tx(async (q): Promise<AnnotationDto | undefined> => {
      await lockAnnotator(q, projectId, annotator)
      if ((await lockText(q, textId)) !== projectId) return undefined
      const before = await ownLabelIds(q, textId, annotator)
      // Clearing a text nobody labelled is no change (see the SQLite twin).
      const unchanged =
        before === null
          ? after.length === 0 && (await currentLabelIds(q, textId)).length === 0
          : sameIds(before, after)
      if (unchanged) return { textId, labelIds: after, revision: await currentRevision(q, textId) }
      await q.run(
        `UPDATE annotation_history SET undo_state = ${UndoState.discarded}
          WHERE project_id = $1 AND annotator = $2 AND action = 'set' AND undo_state = ${UndoState.undone}`,
        [projectId, annotator],
      )
      const revision = await insertHistory(q, {
        projectId,
        textId,
        action: 'set',
        before,
        after,
        targetId: null,
        annotator,
      })
      await writeAnnotatorRow(q, {
        projectId,
        textId,
        annotator,
        labelIds: after,
        origin: 'local',
        at: new Date().toISOString(),
      })
      await resolveText(q, projectId, textId, revision, annotator)
      await writeAuditPg(q, annotator, 'label.set', projectId, {
        textId,
        labelIds: after,
        revision,
      })
      return { textId, labelIds: after, revision }
    })
  }

  async skip(input: { projectId: number; textId: number; actor: string }): Promise<boolean> {
    const { projectId, textId, actor } = input
    return this.db.tx(async (q) => {
      if ((await lockText(q, textId)) !== projectId) return false
      await q.run(
        `INSERT INTO annotations (text_id, project_id, revision, skipped, annotator, updated_at)
         VALUES ($1, $2, 0, 1, $3, $4)
         ON CONFLICT (text_id) DO UPDATE SET skipped = 1, annotator = EXCLUDED.annotator,
           updated_at = EXCLUDED.updated_at`,
        [textId, projectId, actor, new Date().toISOString()],
      )
      await writeAuditPg(q, actor, 'label.skip', projectId, { textId })
      return true
    })
  }

  async step(input: {
    projectId: number
    action: 'undo' | 'redo'
    actor: string
    annotator: string
  }): Promise<AnnotationDto | null> {
    const { projectId, action, actor, annotator } = input
    return this.db.tx(async (q): Promise<AnnotationDto | null> => {
      await lockAnnotator(q, projectId, annotator)
      const target = await stepCandidate(q, projectId, annotator, action)
      if (!target) return null
      const textId = target.text_id
      await lockText(q, textId)
      // null: the annotator had no row before that change, so undoing it removes their row.
      const labelIds = JSON.parse(
        action === 'undo' ? target.before_label_ids : target.after_label_ids,
      ) as number[] | null
      const before = await ownLabelIds(q, textId, annotator)
      const revision = await insertHistory(q, {
        projectId,
        textId,
        action,
        before,
        after: labelIds,
        targetId: target.id,
        annotator,
      })
      await q.run('UPDATE annotation_history SET undo_state = $1 WHERE id = $2', [
        action === 'undo' ? UndoState.undone : UndoState.done,
        target.id,
      ])
      await writeAnnotatorRow(q, {
        projectId,
        textId,
        annotator,
        labelIds,
        origin: 'local',
        at: new Date().toISOString(),
      })
      await resolveText(q, projectId, textId, revision, annotator)
      await writeAuditPg(q, actor, action === 'undo' ? 'label.undo' : 'label.redo', projectId, {
        textId,
        labelIds: labelIds ?? [],
        revision,
        target: target.id,
      })
      return { textId, labelIds: labelIds ?? [], revision }
    })
  }

  async stats(projectId: number): Promise<LabelStatsDto> {
    // One snapshot for the four counts, as the SQLite reads see one state.
    return this.db.tx(
      async (q) => {
        const total = (await q.row<{ n: number }>(
          'SELECT COUNT(*)::int AS n FROM texts WHERE project_id = $1',
          [projectId],
        ))!.n
        const labelled = (await q.row<{ n: number }>(
          `SELECT COUNT(DISTINCT al.text_id)::int AS n FROM labels l
             JOIN annotation_labels al ON al.label_id = l.id WHERE l.project_id = $1`,
          [projectId],
        ))!.n
        // A skipped text counts as skipped only while it has no labels.
        const skipped = (await q.row<{ n: number }>(
          `SELECT COUNT(*)::int AS n FROM annotations a
            WHERE a.project_id = $1 AND a.skipped = 1
              AND NOT EXISTS (SELECT 1 FROM annotation_labels al WHERE al.text_id = a.text_id)`,
          [projectId],
        ))!.n
        const perLabel = await q.rows<{ labelId: number; count: number }>(
          `SELECT l.id AS "labelId", COUNT(al.text_id)::int AS count FROM labels l
             LEFT JOIN annotation_labels al ON al.label_id = l.id
            WHERE l.project_id = $1 GROUP BY l.id ORDER BY l.position`,
          [projectId],
        )
        return { total, labelled, skipped, perLabel }
      },
      { isolation: 'repeatable read' },
    )
  }
}
