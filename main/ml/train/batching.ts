// Seeded, length-bucketed batching with dynamic padding. Padded lengths are rounded up to a
// multiple (8/16) so onnxruntime sees few distinct shapes: its CPU arena grows per new shape.
import { Rng } from './rng'

export interface Batch {
  /** Item indices in this batch. */
  indices: number[]
  /** Sequence length every item in the batch is padded (or truncated) to. */
  length: number
}

export interface TrainBatchOptions {
  batchSize: number
  rng: Rng
  /** Upper bound on the padded length (items longer are truncated to it). */
  maxLength: number
  /** Padded lengths are rounded up to a multiple of this. Default 8. */
  lengthMultiple?: number
  /** Items are sorted by length within pools of poolFactor × batchSize. Default 50. */
  poolFactor?: number
}

/** Padded length for a batch whose longest item has `longest` tokens. */
export function paddedLength(longest: number, maxLength: number, multiple = 8): number {
  const rounded = Math.max(multiple, Math.ceil(longest / multiple) * multiple)
  return Math.min(rounded, maxLength)
}

/**
 * One epoch's batches: shuffle, sort by length inside pools of ~50 batches (similar lengths share
 * a batch, so little padding), cut into batches, then shuffle the batch order.
 */
export function trainBatches(lengths: number[], o: TrainBatchOptions): Batch[] {
  const poolSize = Math.max(1, (o.poolFactor ?? 50) * o.batchSize)
  const order = o.rng.shuffle(lengths.map((_, i) => i))
  const batches: Batch[] = []
  for (let p = 0; p < order.length; p += poolSize) {
    const pool = order.slice(p, p + poolSize)
    // Stable sort on length alone: equal lengths keep their shuffled order. (A tie-break on the
    // index would undo the shuffle whenever many texts hit maxLength, leaving batches of one class
    // when the data arrive grouped by label.)
    pool.sort((a, b) => lengths[a] - lengths[b])
    for (let b = 0; b < pool.length; b += o.batchSize) {
      batches.push(
        makeBatch(pool.slice(b, b + o.batchSize), lengths, o.maxLength, o.lengthMultiple),
      )
    }
  }
  return o.rng.shuffle(batches)
}

/** Evaluation batches: sorted by length for little padding, no randomness. */
export function evalBatches(
  lengths: number[],
  batchSize: number,
  maxLength: number,
  lengthMultiple = 8,
): Batch[] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b)
  const batches: Batch[] = []
  for (let b = 0; b < order.length; b += batchSize) {
    batches.push(makeBatch(order.slice(b, b + batchSize), lengths, maxLength, lengthMultiple))
  }
  return batches
}

function makeBatch(indices: number[], lengths: number[], maxLength: number, multiple = 8): Batch {
  const longest = indices.reduce((m, i) => Math.max(m, lengths[i]), 0)
  return { indices, length: paddedLength(longest, maxLength, multiple) }
}
