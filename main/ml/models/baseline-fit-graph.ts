// The graphs the TF-IDF baseline is fitted with: the sparse TF-IDF rows of many texts packed flat
// (one entry per distinct n-gram of a text, no padding), logits by a scatter-add per text, the
// class-weighted cross-entropy summed, and the gradients of the table and bias. The bundle's own
// inference graph (baseline.ts, padded [batch, bag]) computes the same logits one batch at a time.
import * as ort from 'onnxruntime-node'
import {
  Graph,
  add,
  crossEntropy,
  emitOnnx,
  gather,
  grad,
  mul,
  reduceSum,
  unsqueeze,
  zerosLike,
  type Tensor,
} from '../graph'
import type { TfidfText } from './baseline-tfidf'

/** Entries (text × distinct n-gram) per ONNX call: bounds one call's memory (~100 B each). */
export const FIT_CHUNK_ENTRIES = 1 << 22

export const FIT_PARAMS = { table: 'table', bias: 'bias' } as const

export interface FitGraphs {
  /** Inputs ids, values, rows, row_zeros, labels, class_weights, table, bias → loss, grad_table, grad_bias. */
  objective: Uint8Array
  /** Inputs ids, values, rows, row_zeros, table, bias → logits. */
  logits: Uint8Array
}

/** Texts packed flat for one call; `texts` are their indices in the caller's list. */
export interface FitChunk {
  feeds: Record<string, ort.Tensor>
  texts: number[]
}

/**
 * Scatter-add `updates` rows into `zeros` at `index` (ScatterND, reduction 'add'). onnxruntime's
 * CPU kernel adds from several threads without atomics, so sessions running these graphs must use
 * one thread (fitTfidfBaseline does); the generic Gather VJP avoids ScatterND for that reason
 * (graph/op-defs/gather-grad.ts) but is element by element and ~5× slower here.
 */
function scatterAddRows(zeros: Tensor, index: Tensor, updates: Tensor) {
  return zeros.graph.op('ScatterND', [zeros, unsqueeze(index, [1]), updates], { reduction: 'add' })
}

export function buildFitGraphs(features: number, classes: number): FitGraphs {
  const g = new Graph()
  // The weights change every call: inputs, not initializers.
  const table = g.input(FIT_PARAMS.table, 'float32', [features, classes])
  const bias = g.input(FIT_PARAMS.bias, 'float32', [classes])
  const ids = g.input('ids', 'int64', ['entries'])
  const values = g.input('values', 'float32', ['entries'])
  const rows = g.input('rows', 'int64', ['entries'])
  const rowZeros = g.input('row_zeros', 'float32', ['texts', classes])
  const labels = g.input('labels', 'int64', ['texts'])
  const classWeights = g.input('class_weights', 'float32', [classes])
  const contributions = mul(gather(table, ids, 0), unsqueeze(values, [1])) // [entries, classes]
  const logits = add(scatterAddRows(rowZeros, rows, contributions), bias)
  const loss = crossEntropy(logits, labels, { classWeights, reduction: 'sum' })
  // Autodiff from the loss to the logits; the linear map's VJP written out, flat like its forward:
  // dTable[id] += value × dLogits[row].
  const [gLogits] = grad(loss, [logits])
  const gTable = scatterAddRows(
    zerosLike(table),
    ids,
    mul(gather(gLogits, rows, 0), unsqueeze(values, [1])),
  )
  return {
    objective: emitOnnx({
      inputs: [ids, values, rows, rowZeros, labels, classWeights, table, bias],
      outputs: [
        { name: 'loss', tensor: loss },
        { name: 'grad_table', tensor: gTable },
        { name: 'grad_bias', tensor: reduceSum(gLogits, [0]) },
      ],
    }),
    logits: emitOnnx({
      inputs: [ids, values, rows, rowZeros, table, bias],
      outputs: [{ name: 'logits', tensor: logits }],
    }),
  }
}

/** Pack featurised texts into chunks of at most FIT_CHUNK_ENTRIES entries (labels: for the loss). */
export function packFitChunks(items: TfidfText[], classes: number, labels?: number[]): FitChunk[] {
  const out: FitChunk[] = []
  let start = 0
  while (start < items.length) {
    let end = start
    let entries = 0
    while (
      end < items.length &&
      (end === start || entries + items[end].ids.length <= FIT_CHUNK_ENTRIES)
    )
      entries += items[end++].ids.length
    const ids = new BigInt64Array(entries)
    const values = new Float32Array(entries)
    const rows = new BigInt64Array(entries)
    let at = 0
    for (let t = start; t < end; t++) {
      const item = items[t]
      for (let j = 0; j < item.ids.length; j++, at++) {
        ids[at] = BigInt(item.ids[j])
        values[at] = item.values[j]
        rows[at] = BigInt(t - start)
      }
    }
    const n = end - start
    const feeds: Record<string, ort.Tensor> = {
      ids: new ort.Tensor('int64', ids, [entries]),
      values: new ort.Tensor('float32', values, [entries]),
      rows: new ort.Tensor('int64', rows, [entries]),
      row_zeros: new ort.Tensor('float32', new Float32Array(n * classes), [n, classes]),
    }
    if (labels) {
      feeds.labels = new ort.Tensor(
        'int64',
        BigInt64Array.from(labels.slice(start, end), (y) => BigInt(y)),
        [n],
      )
    }
    out.push({ feeds, texts: Array.from({ length: n }, (_, i) => start + i) })
    start = end
  }
  return out
}
