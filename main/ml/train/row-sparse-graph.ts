// Which trainable tables a train step can feed with only the rows a batch reads (a word-embedding
// table of 30,522 × 384 is half of MiniLM's weights, and a batch reads a few hundred rows of it).
// The host keeps the rest (row-sparse-state.ts); the step's AdamW updates only the rows fed.
import { type Tensor, topoOrder } from '../graph'

/** Tables with fewer rows are always fed whole (token types, positions: nothing to save). */
export const SPARSE_MIN_ROWS = 1024

/** A trainable table read only as Gather(table, ids, axis 0) with ids a batch input. */
export interface SparseTable {
  param: Tensor
  /** The batch input whose values are the table's row numbers. */
  ids: Tensor
  /** Every Gather reading the table (the forward reads it once per use). */
  gathers: Tensor[]
}

/**
 * The trainable tables of the step's graph that qualify: rank 2, at least SPARSE_MIN_ROWS rows,
 * and every node that reads them a Gather along axis 0 indexed by one and the same batch input
 * (anything else — a tied output projection, a sum over the table — needs every row).
 */
export function sparseTables(
  roots: Tensor[],
  trainable: Tensor[],
  inputs: Tensor[],
): SparseTable[] {
  const batchInputs = new Set(inputs)
  const candidates = new Map<Tensor, SparseTable | null>()
  for (const p of trainable) {
    const rows = p.shape[0]
    if (p.rank === 2 && typeof rows === 'number' && rows >= SPARSE_MIN_ROWS) {
      candidates.set(p, { param: p, ids: p, gathers: [] })
    }
  }
  for (const t of topoOrder(roots)) {
    const src = t.source
    if (src.kind !== 'op') continue
    src.inputs.forEach((x, i) => {
      const c = candidates.get(x)
      if (!c) return
      const ids = src.inputs[1]
      const isRowGather =
        src.op === 'Gather' && i === 0 && src.attrs.axis === 0 && batchInputs.has(ids)
      if (!isRowGather || (c.gathers.length > 0 && c.ids !== ids)) {
        candidates.set(x, null)
        return
      }
      c.ids = ids
      c.gathers.push(t)
    })
  }
  return [...candidates.values()].filter(
    (c): c is SparseTable => c !== null && c.gathers.length > 0,
  )
}
