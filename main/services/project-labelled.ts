// A project's texts that carry exactly one label (skipped texts left out), as training and
// cross-validation read them, and the compact label numbering both give the texts they use.
import type { Database } from 'better-sqlite3'
import type { LabelledTexts } from '../ml/train/trainer'
import type { WithIds } from './training-data'

/** One single-labelled text; `label` is the label's position in the project's label order. */
export interface LabelledRow {
  id: number
  text: string
  grp: string | null
  split: string | null
  label: number
}

/**
 * The project's label names (in its order) and its single-labelled, not skipped texts.
 * Labels that came with an import have no annotations row, so that join is a LEFT one.
 */
export function singleLabelledRows(
  db: Database,
  projectId: number,
): { names: string[]; rows: LabelledRow[] } {
  const labelRows = db
    .prepare('SELECT id, name FROM labels WHERE project_id = ? ORDER BY position')
    .all(projectId) as { id: number; name: string }[]
  const rows = db
    .prepare(
      `SELECT t.id AS id, t.text AS text, t.group_id AS grp, t.split AS split, MIN(al.label_id) AS label, COUNT(*) AS n
           FROM texts t JOIN annotation_labels al ON al.text_id = t.id
           LEFT JOIN annotations a ON a.text_id = t.id
          WHERE t.project_id = ? AND COALESCE(a.skipped, 0) = 0 GROUP BY t.id ORDER BY t.id`,
    )
    .all(projectId) as (Omit<LabelledRow, 'label'> & { label: number; n: number })[]
  const index = new Map(labelRows.map((l, i) => [l.id, i]))
  return {
    names: labelRows.map((l) => l.name),
    rows: rows
      .filter((r) => r.n === 1)
      .map((r) => ({
        id: r.id,
        text: r.text,
        grp: r.grp,
        split: r.split,
        label: index.get(r.label)!,
      })),
  }
}

/**
 * Only the labels the given texts use, numbered 0.. in project order (a model learns no empty
 * class), and `of`, which turns some of those texts into training texts with that numbering.
 */
export function compactLabels(
  rows: LabelledRow[],
  names: string[],
): {
  labels: string[]
  of: (chosen: LabelledRow[]) => LabelledTexts & WithIds & { groups: (string | undefined)[] }
} {
  const used = [...new Set(rows.map((r) => r.label))].sort((a, b) => a - b)
  const remap = new Map(used.map((l, i) => [l, i]))
  return {
    labels: used.map((l) => names[l]),
    of: (chosen) => ({
      texts: chosen.map((r) => r.text),
      labels: chosen.map((r) => remap.get(r.label)!),
      groups: chosen.map((r) => r.grp ?? undefined),
      ids: chosen.map((r) => r.id),
    }),
  }
}
