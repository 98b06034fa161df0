// Vector-Jacobian products: for each differentiable op, the gradients of its inputs given the
// gradient of its output, written in IR ops. Broadcasting is undone by summing (reduceSumTo).
import { type Dim, Tensor, dimProduct } from './ir'
import {
  cast,
  concat,
  div,
  equal,
  exp,
  expand,
  gather,
  greater,
  matmul,
  mul,
  neg,
  pow,
  reduceProd,
  reduceSum,
  reshape,
  reshapeLike,
  scalar,
  scatterElementsAdd,
  shapeOf,
  sign,
  slice,
  squeeze,
  sub,
  transpose,
  unsqueeze,
  where,
  zerosLike,
} from './ops'

type OpSource = Extract<Tensor['source'], { kind: 'op' }>
/** Gradients for each input (null: none flows there) given the output y and its gradient g. */
export type Vjp = (y: Tensor, g: Tensor, src: OpSource) => (Tensor | null)[]

/** Sum g down to `shape` (undoes numpy broadcasting). */
export function reduceSumTo(g: Tensor, shape: readonly Dim[]): Tensor {
  let out = g
  const lead = g.rank - shape.length
  if (lead > 0) out = reduceSum(out, [...Array(lead).keys()], false)
  const axes = shape.flatMap((d, i) => (d === 1 && out.shape[i] !== 1 ? [i] : []))
  if (axes.length) out = reduceSum(out, axes, true)
  return out
}

function shapeTensor(x: Tensor): Tensor {
  return x.isStatic
    ? x.graph.constant(BigInt64Array.from(x.shape as number[], BigInt), [x.rank], 'int64')
    : shapeOf(x)
}

const swapLast = (t: Tensor): Tensor =>
  transpose(t, [...[...Array(t.rank - 2).keys()], t.rank - 1, t.rank - 2])

/** Count of elements reduced over `axes` of x, as a float scalar (static when possible). */
function reducedCount(x: Tensor, axes: number[]): Tensor {
  const dims = axes.map((a) => x.shape[a])
  if (dims.every((d) => typeof d === 'number')) {
    return scalar(
      x,
      (dims as number[]).reduce((p, q) => p * q, 1),
    )
  }
  const ax = x.graph.constant(BigInt64Array.from(axes, BigInt), [axes.length], 'int64')
  return cast(reduceProd(gather(shapeOf(x), ax, 0), [0], false), 'float32')
}

/** Bring a reduced gradient back to x's shape. */
function expandBack(g: Tensor, x: Tensor, axes: number[], keepdims: boolean): Tensor {
  const kept = keepdims ? g : unsqueeze(g, axes)
  return expand(kept, shapeTensor(x))
}

function constantValue(t: Tensor): number {
  const s = t.source
  if (s.kind !== 'constant' || s.data.length !== 1) throw new Error('expected a scalar constant')
  return Number(s.data[0])
}

export const VJPS: Record<string, Vjp> = {
  Identity: (_y, g) => [g],
  Add: (_y, g, { inputs: [a, b] }) => [reduceSumTo(g, a.shape), reduceSumTo(g, b.shape)],
  Sub: (_y, g, { inputs: [a, b] }) => [reduceSumTo(g, a.shape), reduceSumTo(neg(g), b.shape)],
  Mul: (_y, g, { inputs: [a, b] }) => [
    reduceSumTo(mul(g, b), a.shape),
    reduceSumTo(mul(g, a), b.shape),
  ],
  Div: (y, g, { inputs: [a, b] }) => [
    reduceSumTo(div(g, b), a.shape),
    reduceSumTo(neg(div(mul(g, y), b)), b.shape),
  ],
  Pow: (_y, g, { inputs: [x, e] }) => {
    const c = constantValue(e)
    // x^2 (LayerNorm's variance) needs no Pow in the backward pass.
    const dydx = c === 2 ? mul(x, 2) : c === 1 ? null : mul(pow(x, c - 1), c)
    return [dydx ? mul(g, dydx) : g, null]
  },
  Neg: (_y, g) => [neg(g)],
  Sqrt: (y, g) => [div(g, mul(y, 2))],
  Exp: (y, g) => [mul(g, y)],
  Log: (_y, g, { inputs: [x] }) => [div(g, x)],
  Tanh: (y, g) => [mul(g, sub(1, mul(y, y)))],
  Erf: (_y, g, { inputs: [x] }) => [mul(g, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)))],
  Relu: (_y, g, { inputs: [x] }) => [where(greater(x, 0), g, 0)],
  Sigmoid: (y, g) => [mul(g, mul(y, sub(1, y)))],
  Abs: (_y, g, { inputs: [x] }) => [mul(g, sign(x))],
  Where: (_y, g, { inputs: [c, a, b] }) => [
    null,
    reduceSumTo(where(c, g, 0), a.shape),
    reduceSumTo(where(c, 0, g), b.shape),
  ],
  Cast: (_y, g, { inputs: [x] }) => [x.dtype === 'float32' ? g : null],
  Expand: (_y, g, { inputs: [x] }) => [reduceSumTo(g, x.shape), null],
  MatMul: (_y, g, { inputs: [a, b] }) => {
    const da = reduceSumTo(matmul(g, swapLast(b)), a.shape)
    let db: Tensor
    if (
      b.rank === 2 &&
      a.rank > 2 &&
      typeof b.shape[0] === 'number' &&
      typeof b.shape[1] === 'number'
    ) {
      // Weight gradient of x[..., K] @ W[K, N]: one 2-D product over all leading rows.
      const a2 = reshape(a, [-1, b.shape[0]])
      const g2 = reshape(g, [-1, b.shape[1]])
      db = matmul(transpose(a2, [1, 0]), g2)
    } else db = reduceSumTo(matmul(swapLast(a), g), b.shape)
    return [da, db]
  },
  Transpose: (_y, g, { attrs }) => {
    const perm = attrs.perm as number[]
    const inv = perm.map((_, i) => perm.indexOf(i))
    return [transpose(g, inv)]
  },
  Reshape: (_y, g, { inputs: [x] }) => [reshapeLike(g, x), null],
  Unsqueeze: (_y, g, { attrs }) => [squeeze(g, attrs.axes as number[])],
  Squeeze: (_y, g, { attrs }) => [unsqueeze(g, attrs.axes as number[])],
  Concat: (_y, g, { inputs, attrs }) => {
    const axis = attrs.axis as number
    let offset = 0
    return inputs.map((x) => {
      const d = x.shape[axis]
      if (typeof d !== 'number')
        throw new Error('concat gradient needs static sizes along the axis')
      const part = slice(g, [offset], [offset + d], [axis])
      offset += d
      return part
    })
  },
  Slice: (_y, g, { inputs: [x, starts, ends, axes] }) => [
    slicePad(g, x, starts, ends, axes),
    null,
    null,
    null,
  ],
  Gather: (_y, g, { inputs: [x, idx], attrs }) => [
    gatherGrad(g, x, idx, attrs.axis as number),
    null,
  ],
  GatherElements: (_y, g, { inputs: [x, idx], attrs }) => [
    scatterElementsAdd(zerosLike(x), idx, g, attrs.axis as number),
    null,
  ],
  ReduceSum: (_y, g, { inputs: [x], attrs }) => [
    expandBack(g, x, attrs.axes as number[], !!attrs.keepdims),
  ],
  ReduceMean: (_y, g, { inputs: [x], attrs }) => {
    const axes = attrs.axes as number[]
    return [div(expandBack(g, x, axes, !!attrs.keepdims), reducedCount(x, axes))]
  },
  ReduceMax: (y, g, { inputs: [x], attrs }) => {
    const axes = attrs.axes as number[]
    const keep = !!attrs.keepdims
    const mask = cast(equal(x, keep ? y : unsqueeze(y, axes)), 'float32')
    // Ties share the gradient equally.
    const share = div(mask, reduceSum(mask, axes, true))
    return [mul(share, expandBack(g, x, axes, keep))]
  },
  Softmax: (y, g, { attrs }) => [
    mul(y, sub(g, reduceSum(mul(g, y), [attrs.axis as number], true))),
  ],
  LogSoftmax: (y, g, { attrs }) => [
    sub(g, mul(exp(y), reduceSum(g, [attrs.axis as number], true))),
  ],
}

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
  const flatIdx = graph.node('Reshape', [idx, minusOne], {}, idx.dtype, [n])
  const flatShape = concat([minusOne, slice(shapeOf(g), [idx.rank], [g.rank], [0])], 0)
  const flatG = graph.node('Reshape', [g, flatShape], {}, g.dtype, [n, ...rest])
  const rows = zeros.shape[0]
  if (typeof rows === 'number' && rows <= ONE_HOT_MAX_ROWS && zeros.rank === 2) {
    // A tiny table (token types): one-hot(idx)ᵀ · g beats ScatterElements' element-by-element loop.
    const depth = graph.constant(BigInt64Array.of(BigInt(rows)), [1], 'int64')
    const offOn = graph.constant(Float32Array.of(0, 1), [2], 'float32')
    const oneHot = graph.node('OneHot', [flatIdx, depth, offOn], { axis: -1 }, g.dtype, [n, rows])
    return matmul(transpose(oneHot, [1, 0]), flatG)
  }
  const rowIdx = unsqueeze(
    flatIdx,
    rest.map((_, i) => i + 1),
  )
  return scatterElementsAdd(zeros, expand(rowIdx, shapeOf(flatG)), flatG, 0)
}

/** Tables up to this many rows take their gradient as a one-hot product (see scatterAddRows). */
const ONE_HOT_MAX_ROWS = 16

/** Gather's gradient: a scatter-add into zeros (see scatterAddRows). */
function gatherGrad(g: Tensor, x: Tensor, idx: Tensor, axis: number): Tensor {
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
  const zeros = x.graph.node('Expand', [scalar(x, 0), shapeT], {}, x.dtype, permShape)
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

/** Slice's gradient: pad g with zeros back to x's shape. */
function slicePad(g: Tensor, x: Tensor, starts: Tensor, ends: Tensor, axes: Tensor): Tensor {
  const values = (t: Tensor) => Array.from((t.source as { data: BigInt64Array }).data, Number)
  const [s, e, ax] = [values(starts), values(ends), values(axes)]
  const i64 = (v: number[]) => x.graph.constant(BigInt64Array.from(v, BigInt), [v.length], 'int64')
  const begins: number[] = Array(x.rank).fill(0)
  const tails: Tensor[] = []
  for (let a = 0; a < x.rank; a++) {
    const k = ax.indexOf(a)
    const d = x.shape[a]
    if (k < 0) {
      tails.push(i64([0]))
    } else if (typeof d === 'number') {
      const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + d : i, 0), d)
      begins[a] = clamp(s[k])
      tails.push(i64([d - Math.max(clamp(e[k]), begins[a])]))
    } else {
      if (s[k] < 0 || e[k] < 0) throw new Error('slice gradient: negative bounds on a symbolic dim')
      begins[a] = s[k]
      tails.push(
        e[k] >= 2 ** 31
          ? i64([0])
          : sub(
              gather(shapeOf(x), i64([a]), 0),
              x.graph.constant(BigInt64Array.of(BigInt(e[k])), [1], 'int64'),
            ),
      )
    }
  }
  const pads = concat([i64(begins), ...tails], 0)
  return g.graph.node('Pad', [g, pads], { mode: 'constant' }, g.dtype, x.shape)
}
