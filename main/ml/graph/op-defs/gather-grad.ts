// Gather's gradient: g's rows scatter-added into zeros of the table's shape, repeated indices
// accumulating (ScatterElements, or a one-hot product for tiny tables).
import type { Tensor } from '../ir'
import {
  concat,
  expand,
  gather,
  matmul,
  scalar,
  scatterElementsAdd,
  shapeOf,
  slice,
  transpose,
  unsqueeze,
  zerosLike,
} from '../ops'
import { dimProduct } from '../shape'

/** Tables up to this many rows take their gradient as a one-hot product (see scatterAddRows). */
const ONE_HOT_MAX_ROWS = 16

/**
 * Gather's gradient along axis 0: g's rows summed into `zeros` (x's shape) at the gathered indices,
 * repeated indices accumulating. ScatterElements rather than ScatterND: onnxruntime's CPU ScatterND
 * with reduction='add' adds rows from several threads without atomics, so an index that repeats
 * ([CLS], padding, token type 0, a common word) loses updates at random; ScatterElements runs one
 * loop. Its indices must have the updates' shape, so idx is broadcast along each gathered row.
 */
function scatterAddRows(zeros: Tensor, idx: Tensor, g: Tensor): Tensor {
  const graph = zeros.graph
  const rest = zeros.shape.slice(1)
  const n = dimProduct(idx.shape)
  const minusOne = graph.constant(BigInt64Array.of(-1n), [1], 'int64')
  // Flatten the gathered dims: idx → [n], g → [n, ...rest].
  const flatIdx = graph.op('Reshape', [idx, minusOne])
  const flatShape = concat([minusOne, slice(shapeOf(g), [idx.rank], [g.rank], [0])], 0)
  const flatG = graph.op('Reshape', [g, flatShape], {}, [n, ...rest])
  const rows = zeros.shape[0]
  if (typeof rows === 'number' && rows <= ONE_HOT_MAX_ROWS && zeros.rank === 2) {
    // A tiny table (token types): one-hot(idx)ᵀ · g beats ScatterElements' element-by-element loop.
    const depth = graph.constant(BigInt64Array.of(BigInt(rows)), [1], 'int64')
    const offOn = graph.constant(Float32Array.of(0, 1), [2], 'float32')
    const oneHot = graph.op('OneHot', [flatIdx, depth, offOn], { axis: -1 })
    return matmul(transpose(oneHot, [1, 0]), flatG)
  }
  const rowIdx = unsqueeze(
    flatIdx,
    rest.map((_, i) => i + 1),
  )
  return scatterElementsAdd(zeros, expand(rowIdx, shapeOf(flatG)), flatG, 0)
}

/**
 * Gather's gradient along axis 0 into zeros of the table's run-time shape, for a table fed with
 * only the rows a batch uses (train-step.ts: row-sparse embeddings), whose IR shape is the full one.
 */
export function gatherRowsGrad(g: Tensor, table: Tensor, idx: Tensor): Tensor {
  return scatterAddRows(expand(scalar(table, 0), shapeOf(table)), idx, g)
}

/** Gather's gradient: a scatter-add into zeros (see scatterAddRows). */
export function gatherGrad(g: Tensor, x: Tensor, idx: Tensor, axis: number): Tensor {
  const r = idx.rank
  if (axis === 0) return scatterAddRows(zerosLike(x), idx, g)
  // Move the gathered axis to the front, scatter there, move it back.
  const xPerm = [axis, ...[...Array(x.rank).keys()].filter((i) => i !== axis)]
  // Zeros of the transposed shape, built from the shape alone (never transposing x's data).
  const permShape = xPerm.map((i) => x.shape[i])
  const permIdx = x.graph.constant(BigInt64Array.from(xPerm, BigInt), [x.rank], 'int64')
  const shapeT = x.isStatic
    ? x.graph.constant(BigInt64Array.from(permShape as number[], BigInt), [x.rank], 'int64')
    : gather(shapeOf(x), permIdx, 0)
  const zeros = x.graph.op('Expand', [scalar(x, 0), shapeT], {}, permShape)
  const gPerm = [
    ...[...Array(r).keys()].map((i) => axis + i),
    ...[...Array(axis).keys()],
    ...[...Array(x.rank - axis - 1).keys()].map((i) => axis + r + i),
  ]
  const scattered = scatterAddRows(zeros, idx, transpose(g, gPerm))
  return transpose(
    scattered,
    xPerm.map((_, i) => xPerm.indexOf(i)),
  )
}
