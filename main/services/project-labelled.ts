// The rows of a project's texts that carry exactly one label (skipped texts left out; read by
// store/texts-repository.ts) and the compact label numbering training and CV give them.
import type { LabelledTexts } from '../ml/train/trainer'
import type { LabelledRow } from '../store/texts-repository'
import type { WithIds } from './training-data'

// The row type lives with the query (store/texts-repository.ts); re-exported for training and CV.
export type { LabelledRow }

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
