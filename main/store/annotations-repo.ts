// SQL for annotations: the current label set of a text, the history that undo/redo walk (per
// annotator), skips and counts. Callers wrap these in one transaction per user action.
import type { Database } from 'better-sqlite3'
import type { LabelStatsDto } from '../../preload/contract/labels'
import { cached } from './annotator-labels-repo'

export interface HistoryRow {
  id: number
  project_id: number
  text_id: number
  action: 'set' | 'undo' | 'redo'
  /** JSON: the annotator's own labels before/after; null = they had no row (issue #12). */
  before_label_ids: string
  after_label_ids: string
  annotator: string
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

/** One change for annotation_history (on either backend). */
export interface HistoryEntry {
  projectId: number
  textId: number
  action: HistoryRow['action']
  /** The annotator's own labels; null = no row of theirs. */
  before: number[] | null
  after: number[] | null
  targetId: number | null
  annotator: string
}

/** annotation_history's values in insert order (project_id … created_at, undo_state left out). */
export function historyValues(entry: HistoryEntry): unknown[] {
  return [
    entry.projectId,
    entry.textId,
    entry.action,
    JSON.stringify(entry.before),
    JSON.stringify(entry.after),
    entry.targetId,
    entry.annotator,
    new Date().toISOString(),
  ]
}

export function insertHistory(db: Database, entry: HistoryEntry): number {
  const info = cached(
    db,
    `INSERT INTO annotation_history
       (project_id, text_id, action, before_label_ids, after_label_ids, target_id, undo_state, annotator, created_at)
     VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)`,
  ).run(...historyValues(entry))
  return Number(info.lastInsertRowid)
}

/** A new change by `annotator` makes everything on their redo stack unreachable. */
export function discardRedoStack(db: Database, projectId: number, annotator: string): void {
  cached(
    db,
    `UPDATE annotation_history SET undo_state = ${UndoState.discarded}
      WHERE project_id = ? AND annotator = ? AND action = 'set' AND undo_state = ${UndoState.undone}`,
  ).run(projectId, annotator)
}

/** The change undo would revert: `annotator`'s latest 'set' that is still done. */
export function undoCandidate(
  db: Database,
  projectId: number,
  annotator: string,
): HistoryRow | undefined {
  return cached(
    db,
    `SELECT * FROM annotation_history
      WHERE project_id = ? AND annotator = ? AND action = 'set' AND undo_state = ${UndoState.done}
      ORDER BY id DESC LIMIT 1`,
  ).get(projectId, annotator) as HistoryRow | undefined
}

/**
 * The change redo would re-apply: `annotator`'s most recently undone 'set'. Their undone entries
 * always form the newest run of their 'set' entries, so that is the oldest of them.
 */
export function redoCandidate(
  db: Database,
  projectId: number,
  annotator: string,
): HistoryRow | undefined {
  return cached(
    db,
    `SELECT * FROM annotation_history
      WHERE project_id = ? AND annotator = ? AND action = 'set' AND undo_state = ${UndoState.undone}
      ORDER BY id ASC LIMIT 1`,
  ).get(projectId, annotator) as HistoryRow | undefined
}

export function setUndoState(db: Database, historyId: number, state: 0 | 1 | 2): void {
  cached(db, 'UPDATE annotation_history SET undo_state = ? WHERE id = ?').run(state, historyId)
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
