// SQL for annotations: the current label set of a text, the history that undo/redo walk, skips
// and counts. Callers wrap these in one transaction per user action.
import type { Database } from 'better-sqlite3'
import type { LabelStatsDto } from '../../preload/contract/labels'

export interface HistoryRow {
  id: number
  project_id: number
  text_id: number
  action: 'set' | 'undo' | 'redo'
  before_label_ids: string
  after_label_ids: string
  target_id: number | null
  undo_state: 0 | 1 | 2
}

/** Undo state of a 'set' history row. */
export const UndoState = { done: 0, undone: 1, discarded: 2 } as const

export function currentLabelIds(db: Database, textId: number): number[] {
  return (
    db
      .prepare('SELECT label_id FROM annotation_labels WHERE text_id = ? ORDER BY label_id')
      .all(textId) as {
      label_id: number
    }[]
  ).map((r) => r.label_id)
}

/** The revision that made a text's current state (0 = never changed by a user). */
export function currentRevision(db: Database, textId: number): number {
  const row = db.prepare('SELECT revision FROM annotations WHERE text_id = ?').get(textId) as
    { revision: number } | undefined
  return row?.revision ?? 0
}

/** Replaces the text's labels and records which revision made that state. */
export function writeState(
  db: Database,
  projectId: number,
  textId: number,
  labelIds: number[],
  revision: number,
  annotator: string,
  clearSkip: boolean,
): void {
  db.prepare('DELETE FROM annotation_labels WHERE text_id = ?').run(textId)
  const insert = db.prepare('INSERT INTO annotation_labels (text_id, label_id) VALUES (?, ?)')
  for (const id of labelIds) insert.run(textId, id)
  db.prepare(
    `INSERT INTO annotations (text_id, project_id, revision, skipped, annotator, updated_at)
     VALUES (@textId, @projectId, @revision, 0, @annotator, @now)
     ON CONFLICT (text_id) DO UPDATE SET revision = excluded.revision, annotator = excluded.annotator,
       updated_at = excluded.updated_at, skipped = CASE WHEN @clearSkip THEN 0 ELSE skipped END`,
  ).run({
    textId,
    projectId,
    revision,
    annotator,
    now: new Date().toISOString(),
    clearSkip: clearSkip ? 1 : 0,
  })
}

export function insertHistory(
  db: Database,
  entry: {
    projectId: number
    textId: number
    action: HistoryRow['action']
    before: number[]
    after: number[]
    targetId: number | null
    annotator: string
  },
): number {
  const info = db
    .prepare(
      `INSERT INTO annotation_history
         (project_id, text_id, action, before_label_ids, after_label_ids, target_id, undo_state, annotator, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)`,
    )
    .run(
      entry.projectId,
      entry.textId,
      entry.action,
      JSON.stringify(entry.before),
      JSON.stringify(entry.after),
      entry.targetId,
      entry.annotator,
      new Date().toISOString(),
    )
  return Number(info.lastInsertRowid)
}

/** A new user change makes everything on the redo stack unreachable. */
export function discardRedoStack(db: Database, projectId: number): void {
  db.prepare(
    `UPDATE annotation_history SET undo_state = ${UndoState.discarded}
      WHERE project_id = ? AND action = 'set' AND undo_state = ${UndoState.undone}`,
  ).run(projectId)
}

/** The change undo would revert: the latest 'set' that is still done. */
export function undoCandidate(db: Database, projectId: number): HistoryRow | undefined {
  return db
    .prepare(
      `SELECT * FROM annotation_history
        WHERE project_id = ? AND action = 'set' AND undo_state = ${UndoState.done}
        ORDER BY id DESC LIMIT 1`,
    )
    .get(projectId) as HistoryRow | undefined
}

/**
 * The change redo would re-apply: the most recently undone 'set'. Undone entries always form
 * the newest run of 'set' entries, so that is the oldest of them.
 */
export function redoCandidate(db: Database, projectId: number): HistoryRow | undefined {
  return db
    .prepare(
      `SELECT * FROM annotation_history
        WHERE project_id = ? AND action = 'set' AND undo_state = ${UndoState.undone}
        ORDER BY id ASC LIMIT 1`,
    )
    .get(projectId) as HistoryRow | undefined
}

export function setUndoState(db: Database, historyId: number, state: 0 | 1 | 2): void {
  db.prepare('UPDATE annotation_history SET undo_state = ? WHERE id = ?').run(state, historyId)
}

export function markSkipped(
  db: Database,
  projectId: number,
  textId: number,
  annotator: string,
): void {
  db.prepare(
    `INSERT INTO annotations (text_id, project_id, revision, skipped, annotator, updated_at)
     VALUES (?, ?, 0, 1, ?, ?)
     ON CONFLICT (text_id) DO UPDATE SET skipped = 1, annotator = excluded.annotator, updated_at = excluded.updated_at`,
  ).run(textId, projectId, annotator, new Date().toISOString())
}

export function labelStats(db: Database, projectId: number): LabelStatsDto {
  const total = (
    db.prepare('SELECT COUNT(*) AS n FROM texts WHERE project_id = ?').get(projectId) as {
      n: number
    }
  ).n
  const labelled = (
    db
      .prepare(
        `SELECT COUNT(DISTINCT al.text_id) AS n FROM labels l
           JOIN annotation_labels al ON al.label_id = l.id WHERE l.project_id = ?`,
      )
      .get(projectId) as { n: number }
  ).n
  // A skipped text counts as skipped only while it has no labels.
  const skipped = (
    db
      .prepare(
        `SELECT COUNT(*) AS n FROM annotations a
          WHERE a.project_id = ? AND a.skipped = 1
            AND NOT EXISTS (SELECT 1 FROM annotation_labels al WHERE al.text_id = a.text_id)`,
      )
      .get(projectId) as { n: number }
  ).n
  const perLabel = db
    .prepare(
      `SELECT l.id AS labelId, COUNT(al.text_id) AS count FROM labels l
         LEFT JOIN annotation_labels al ON al.label_id = l.id
        WHERE l.project_id = ? GROUP BY l.id ORDER BY l.position`,
    )
    .all(projectId) as { labelId: number; count: number }[]
  return { total, labelled, skipped, perLabel }
}
