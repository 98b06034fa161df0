// Primitive ops of the IR, one per ONNX op, each with shape inference (numpy broadcasting).
// Op names are ONNX op types; 'axes' stay attributes here and the emitter places them per opset.
import {
  type Attrs,
  type DType,
  type Dim,
  Tensor,
  broadcastShapes,
  dimProduct,
  normAxis,
} from './ir'

/** A tensor, or a plain number taken as a scalar constant of the other operand's dtype. */
export type TensorLike = Tensor | number

function graphOf(...xs: TensorLike[]): Tensor {
  const t = xs.find((x): x is Tensor => x instanceof Tensor)
  if (!t) throw new Error('op needs at least one tensor operand')
  return t
}

/** A rank-0 constant. */
export function scalar(like: Tensor, value: number, dtype: DType = like.dtype): Tensor {
  return like.graph.constant(
    dtype === 'int64' ? BigInt64Array.of(BigInt(value)) : [value],
    [],
    dtype,
  )
}

function lift(x: TensorLike, like: Tensor): Tensor {
  return x instanceof Tensor ? x : scalar(like, x)
}

function binary(op: string, a: TensorLike, b: TensorLike, outType?: DType): Tensor {
  const ref = graphOf(a, b)
  const ta = lift(a, ref)
  const tb = lift(b, ref)
  if (ta.dtype !== tb.dtype) throw new Error(`${op}: dtypes ${ta.dtype} and ${tb.dtype} differ`)
  const shape = broadcastShapes(ta.shape, tb.shape, op)
  return ref.graph.node(op, [ta, tb], {}, outType ?? ta.dtype, shape)
}

function unary(op: string, x: Tensor, attrs: Attrs = {}): Tensor {
  return x.graph.node(op, [x], attrs, x.dtype, x.shape)
}

export const add = (a: TensorLike, b: TensorLike): Tensor => binary('Add', a, b)
export const sub = (a: TensorLike, b: TensorLike): Tensor => binary('Sub', a, b)
export const mul = (a: TensorLike, b: TensorLike): Tensor => binary('Mul', a, b)
export const div = (a: TensorLike, b: TensorLike): Tensor => binary('Div', a, b)
/** Element-wise minimum / maximum (no gradient). */
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binary('Min', a, b)
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binary('Max', a, b)
/** Integer remainder (int64; no gradient). */
export const mod = (a: TensorLike, b: TensorLike): Tensor => binary('Mod', a, b)
export const equal = (a: TensorLike, b: TensorLike): Tensor => binary('Equal', a, b, 'bool')
export const less = (a: TensorLike, b: TensorLike): Tensor => binary('Less', a, b, 'bool')
export const greater = (a: TensorLike, b: TensorLike): Tensor => binary('Greater', a, b, 'bool')

/** x ** exponent for a constant exponent. */
export function pow(x: Tensor, exponent: number): Tensor {
  return binary('Pow', x, scalar(x, exponent))
}

export const neg = (x: Tensor): Tensor => unary('Neg', x)
export const sqrt = (x: Tensor): Tensor => unary('Sqrt', x)
export const exp = (x: Tensor): Tensor => unary('Exp', x)
export const log = (x: Tensor): Tensor => unary('Log', x)
export const tanh = (x: Tensor): Tensor => unary('Tanh', x)
export const erf = (x: Tensor): Tensor => unary('Erf', x)
export const relu = (x: Tensor): Tensor => unary('Relu', x)
export const sigmoid = (x: Tensor): Tensor => unary('Sigmoid', x)
export const abs = (x: Tensor): Tensor => unary('Abs', x)
/** -1, 0 or 1 (no gradient). */
export const sign = (x: Tensor): Tensor => unary('Sign', x)
export const identity = (x: Tensor): Tensor => unary('Identity', x)

export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  if (cond.dtype !== 'bool') throw new Error('where: condition must be bool')
  const ref = graphOf(a, b)
  const ta = lift(a, ref)
  const tb = lift(b, ref)
  if (ta.dtype !== tb.dtype) throw new Error(`where: dtypes ${ta.dtype} and ${tb.dtype} differ`)
  const shape = broadcastShapes(cond.shape, broadcastShapes(ta.shape, tb.shape, 'where'), 'where')
  return cond.graph.node('Where', [cond, ta, tb], {}, ta.dtype, shape)
}

export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x
  return x.graph.node('Cast', [x], { to: dtype }, dtype, x.shape)
}

/** Batched matrix product (both operands rank >= 2; leading dims broadcast). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.rank < 2 || b.rank < 2) throw new Error('matmul: operands must have rank >= 2')
  const [m, ka] = a.shape.slice(-2)
  const [kb, n] = b.shape.slice(-2)
  if (typeof ka === 'number' && typeof kb === 'number' && ka !== kb) {
    throw new Error(`matmul: inner dims ${ka} and ${kb} differ`)
  }
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'matmul')
  return a.graph.node('MatMul', [a, b], {}, 'float32', [...batch, m, n])
}

export function transpose(x: Tensor, perm?: number[]): Tensor {
  const p = perm ?? x.shape.map((_, i) => x.rank - 1 - i)
  if (p.length !== x.rank || [...p].sort((a, b) => a - b).some((v, i) => v !== i)) {
    throw new Error(`transpose: perm [${p.join(', ')}] is not a permutation of rank ${x.rank}`)
  }
  return x.graph.node(
    'Transpose',
    [x],
    { perm: p },
    x.dtype,
    p.map((i) => x.shape[i]),
  )
}

/** Reshape to a constant target (0 copies the input dim, -1 is inferred). */
export function reshape(x: Tensor, shape: number[]): Tensor {
  const out: Dim[] = shape.map((d, i) => (d === 0 ? x.shape[i] : d))
  const inferAt = shape.indexOf(-1)
  if (inferAt >= 0) out[inferAt] = inferDim(x.shape, out, inferAt)
  const target = x.graph.constant(BigInt64Array.from(shape, BigInt), [shape.length], 'int64')
  return x.graph.node('Reshape', [x, target], {}, x.dtype, out)
}

function inferDim(input: readonly Dim[], out: Dim[], at: number): Dim {
  const known = out.filter((_, i) => i !== at)
  const inNum = input.filter((d): d is number => typeof d === 'number').reduce((a, b) => a * b, 1)
  const outNum = known.filter((d): d is number => typeof d === 'number').reduce((a, b) => a * b, 1)
  const inSyms = input.filter((d): d is string => typeof d === 'string')
  const outSyms = known.filter((d): d is string => typeof d === 'string')
  const rest = [...inSyms]
  for (const s of outSyms) {
    const k = rest.indexOf(s)
    if (k < 0) return `?${out.length}_${at}`
    rest.splice(k, 1)
  }
  if (inNum % outNum !== 0) {
    if (rest.length === 0)
      throw new Error(`reshape: [${input.join(', ')}] cannot become [${out.join(', ')}]`)
    return `?${out.length}_${at}`
  }
  const left = inNum / outNum
  return dimProduct(left !== 1 || rest.length === 0 ? [left, ...rest] : rest)
}

/** Reshape x to the run-time shape of `like` (used by gradients). */
export function reshapeLike(x: Tensor, like: Tensor): Tensor {
  return x.graph.node('Reshape', [x, shapeOf(like)], {}, x.dtype, like.shape)
}

export function unsqueeze(x: Tensor, axes: number[]): Tensor {
  const rank = x.rank + axes.length
  const ax = axes.map((a) => normAxis(a, rank, 'unsqueeze')).sort((a, b) => a - b)
  const out: Dim[] = []
  let k = 0
  for (let i = 0; i < rank; i++) out.push(ax.includes(i) ? 1 : x.shape[k++])
  return x.graph.node('Unsqueeze', [x], { axes: ax }, x.dtype, out)
}

export function squeeze(x: Tensor, axes: number[]): Tensor {
  const ax = axes.map((a) => normAxis(a, x.rank, 'squeeze'))
  for (const a of ax) {
    if (typeof x.shape[a] === 'number' && x.shape[a] !== 1) {
      throw new Error(`squeeze: dim ${a} of [${x.shape.join(', ')}] is not 1`)
    }
  }
  return x.graph.node(
    'Squeeze',
    [x],
    { axes: ax },
    x.dtype,
    x.shape.filter((_, i) => !ax.includes(i)),
  )
}

export function concat(xs: Tensor[], axis: number): Tensor {
  if (xs.length === 0) throw new Error('concat: no inputs')
  const a = normAxis(axis, xs[0].rank, 'concat')
  const shape = [...xs[0].shape]
  const along = xs.map((x) => x.shape[a])
  shape[a] = along.every((d) => typeof d === 'number')
    ? (along as number[]).reduce((p, q) => p + q, 0)
    : along.join('+')
  return xs[0].graph.node('Concat', xs, { axis: a }, xs[0].dtype, shape)
}

/** Slice with constant starts/ends on the given axes (step 1). */
export function slice(x: Tensor, starts: number[], ends: number[], axes: number[]): Tensor {
  const g = x.graph
  const ax = axes.map((a) => normAxis(a, x.rank, 'slice'))
  const shape = [...x.shape]
  ax.forEach((a, i) => {
    const d = x.shape[a]
    if (typeof d === 'number') {
      const s = clampIndex(starts[i], d)
      const e = clampIndex(ends[i], d)
      shape[a] = Math.max(0, e - s)
    } else if (starts[i] >= 0 && ends[i] >= starts[i] && ends[i] < 2 ** 31) {
      // On a symbolic dim the slice is assumed to lie inside it (e.g. the [CLS] position).
      shape[a] = ends[i] - starts[i]
    } else shape[a] = `?slice${x.id}_${a}`
  })
  const c = (v: number[]) => g.constant(BigInt64Array.from(v, BigInt), [v.length], 'int64')
  return g.node('Slice', [x, c(starts), c(ends), c(ax)], {}, x.dtype, shape)
}

function clampIndex(i: number, d: number): number {
  const j = i < 0 ? i + d : i
  return Math.min(Math.max(j, 0), d)
}

export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  if (indices.dtype !== 'int64') throw new Error('gather: indices must be int64')
  const a = normAxis(axis, x.rank, 'gather')
  const shape = [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)]
  return x.graph.node('Gather', [x, indices], { axis: a }, x.dtype, shape)
}

export function gatherElements(x: Tensor, indices: Tensor, axis: number): Tensor {
  if (indices.dtype !== 'int64') throw new Error('gatherElements: indices must be int64')
  const a = normAxis(axis, x.rank, 'gatherElements')
  return x.graph.node('GatherElements', [x, indices], { axis: a }, x.dtype, indices.shape)
}

function reduce(op: string, x: Tensor, axes: number[] | undefined, keepdims: boolean): Tensor {
  const ax = (axes ?? x.shape.map((_, i) => i)).map((a) => normAxis(a, x.rank, op))
  const shape = keepdims
    ? x.shape.map((d, i) => (ax.includes(i) ? 1 : d))
    : x.shape.filter((_, i) => !ax.includes(i))
  return x.graph.node(op, [x], { axes: ax, keepdims: keepdims ? 1 : 0 }, x.dtype, shape)
}

/** Sum over axes (all axes when omitted). */
export const reduceSum = (x: Tensor, axes?: number[], keepdims = false): Tensor =>
  reduce('ReduceSum', x, axes, keepdims)
export const reduceMean = (x: Tensor, axes?: number[], keepdims = false): Tensor =>
  reduce('ReduceMean', x, axes, keepdims)
export const reduceMax = (x: Tensor, axes?: number[], keepdims = false): Tensor =>
  reduce('ReduceMax', x, axes, keepdims)
/** Product over axes (no gradient; used on shapes). */
export const reduceProd = (x: Tensor, axes?: number[], keepdims = false): Tensor =>
  reduce('ReduceProd', x, axes, keepdims)

export function softmax(x: Tensor, axis = -1): Tensor {
  return unary('Softmax', x, { axis: normAxis(axis, x.rank, 'softmax') })
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return unary('LogSoftmax', x, { axis: normAxis(axis, x.rank, 'logSoftmax') })
}

/** Index of the largest value along an axis (int64; no gradient). */
export function argMax(x: Tensor, axis = -1, keepdims = false): Tensor {
  const a = normAxis(axis, x.rank, 'argMax')
  const shape = keepdims
    ? x.shape.map((d, i) => (i === a ? 1 : d))
    : x.shape.filter((_, i) => i !== a)
  return x.graph.node('ArgMax', [x], { axis: a, keepdims: keepdims ? 1 : 0 }, 'int64', shape)
}

/** The run-time shape of x as an int64 [rank] tensor. */
export function shapeOf(x: Tensor): Tensor {
  return x.graph.node('Shape', [x], {}, 'int64', [x.rank])
}

/** Broadcast x to the shape held in an int64 shape tensor (numpy rules). */
export function expand(x: Tensor, shapeTensor: Tensor): Tensor {
  const target = knownShapeValue(shapeTensor)
  const shape = broadcastShapes(x.shape, target, 'expand')
  return x.graph.node('Expand', [x, shapeTensor], {}, x.dtype, shape)
}

/** The dims a shape tensor holds, as far as they are known when building. */
export function knownShapeValue(s: Tensor): Dim[] {
  const src = s.source
  if (src.kind === 'op' && src.op === 'Shape') return [...src.inputs[0].shape]
  if (src.kind === 'constant' && src.data instanceof BigInt64Array)
    return Array.from(src.data, Number)
  const n = s.shape[0]
  if (typeof n !== 'number') throw new Error('expand: the shape tensor must have a known length')
  return Array.from({ length: n }, (_, i) => `?expand${s.id}_${i}`)
}

/** Zeros with the run-time shape of x (a broadcast scalar, never a materialised constant). */
export function zerosLike(x: Tensor): Tensor {
  const shape = x.isStatic
    ? x.graph.constant(BigInt64Array.from(x.shape as number[], BigInt), [x.rank], 'int64')
    : shapeOf(x)
  return expand(scalar(x, 0), shape)
}

/** int64 [start, limit) with step 1. */
export function range(start: Tensor, limit: Tensor, len: Dim): Tensor {
  return start.graph.node('Range', [start, limit, scalar(start, 1, 'int64')], {}, 'int64', [len])
}

export function scatterElementsAdd(
  data: Tensor,
  indices: Tensor,
  updates: Tensor,
  axis: number,
): Tensor {
  const a = normAxis(axis, data.rank, 'scatterElements')
  return data.graph.node(
    'ScatterElements',
    [data, indices, updates],
    { axis: a, reduction: 'add' },
    data.dtype,
    data.shape,
  )
}
