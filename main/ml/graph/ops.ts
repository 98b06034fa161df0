// The op builders: the public functions that add one op node each (add, matmul, reshape, …).
// They lift numbers to constants and normalise axes; each op's shape rule, ONNX emission and
// gradient live in its definition under op-defs/ (registry.ts lists them all).
import type { Attrs, DType, Dim, Tensor } from './ir'
import type { OpType } from './op-defs/registry'
import { normAxis } from './shape'

export { knownShapeValue } from './shape'

/** A tensor, or a plain number taken as a scalar constant of the other operand's dtype. */
export type TensorLike = Tensor | number

function graphOf(...xs: TensorLike[]): Tensor {
  const t = xs.find((x): x is Tensor => typeof x !== 'number')
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
  return typeof x === 'number' ? scalar(like, x) : x
}

function binary(op: OpType, a: TensorLike, b: TensorLike): Tensor {
  const ref = graphOf(a, b)
  return ref.graph.op(op, [lift(a, ref), lift(b, ref)])
}

function unary(op: OpType, x: Tensor, attrs: Attrs = {}): Tensor {
  return x.graph.op(op, [x], attrs)
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
export const equal = (a: TensorLike, b: TensorLike): Tensor => binary('Equal', a, b)
export const less = (a: TensorLike, b: TensorLike): Tensor => binary('Less', a, b)
export const greater = (a: TensorLike, b: TensorLike): Tensor => binary('Greater', a, b)

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
  const ref = graphOf(a, b)
  return cond.graph.op('Where', [cond, lift(a, ref), lift(b, ref)])
}

export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x
  return x.graph.op('Cast', [x], { to: dtype })
}

/** Batched matrix product (both operands rank >= 2; leading dims broadcast). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  return a.graph.op('MatMul', [a, b])
}

export function transpose(x: Tensor, perm?: number[]): Tensor {
  return x.graph.op('Transpose', [x], { perm: perm ?? x.shape.map((_, i) => x.rank - 1 - i) })
}

/** Reshape to a constant target (0 copies the input dim, -1 is inferred). */
export function reshape(x: Tensor, shape: number[]): Tensor {
  const target = x.graph.constant(BigInt64Array.from(shape, BigInt), [shape.length], 'int64')
  return x.graph.op('Reshape', [x, target])
}

/** Reshape x to the run-time shape of `like` (used by gradients). */
export function reshapeLike(x: Tensor, like: Tensor): Tensor {
  return x.graph.op('Reshape', [x, shapeOf(like)])
}

export function unsqueeze(x: Tensor, axes: number[]): Tensor {
  const rank = x.rank + axes.length
  const ax = axes.map((a) => normAxis(a, rank, 'unsqueeze')).sort((a, b) => a - b)
  return x.graph.op('Unsqueeze', [x], { axes: ax })
}

export function squeeze(x: Tensor, axes: number[]): Tensor {
  return x.graph.op('Squeeze', [x], { axes: axes.map((a) => normAxis(a, x.rank, 'squeeze')) })
}

export function concat(xs: Tensor[], axis: number): Tensor {
  if (xs.length === 0) throw new Error('concat: no inputs')
  return xs[0].graph.op('Concat', xs, { axis: normAxis(axis, xs[0].rank, 'concat') })
}

/** Slice with constant starts/ends on the given axes (step 1). */
export function slice(x: Tensor, starts: number[], ends: number[], axes: number[]): Tensor {
  const g = x.graph
  const ax = axes.map((a) => normAxis(a, x.rank, 'slice'))
  const c = (v: number[]) => g.constant(BigInt64Array.from(v, BigInt), [v.length], 'int64')
  return g.op('Slice', [x, c(starts), c(ends), c(ax)])
}

export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  return x.graph.op('Gather', [x, indices], { axis: normAxis(axis, x.rank, 'gather') })
}

export function gatherElements(x: Tensor, indices: Tensor, axis: number): Tensor {
  const a = normAxis(axis, x.rank, 'gatherElements')
  return x.graph.op('GatherElements', [x, indices], { axis: a })
}

function reduce(op: OpType, x: Tensor, axes: number[] | undefined, keepdims: boolean): Tensor {
  const ax = (axes ?? x.shape.map((_, i) => i)).map((a) => normAxis(a, x.rank, op))
  return x.graph.op(op, [x], { axes: ax, keepdims: keepdims ? 1 : 0 })
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
  return x.graph.op('ArgMax', [x], { axis: a, keepdims: keepdims ? 1 : 0 })
}

/** The run-time shape of x as an int64 [rank] tensor. */
export function shapeOf(x: Tensor): Tensor {
  return x.graph.op('Shape', [x])
}

/** Broadcast x to the shape held in an int64 shape tensor (numpy rules). */
export function expand(x: Tensor, shapeTensor: Tensor): Tensor {
  return x.graph.op('Expand', [x, shapeTensor])
}

/** Zeros with the run-time shape of x (a broadcast scalar, never a materialised constant). */
export function zerosLike(x: Tensor): Tensor {
  const shape = x.isStatic
    ? x.graph.constant(BigInt64Array.from(x.shape as number[], BigInt), [x.rank], 'int64')
    : shapeOf(x)
  return expand(scalar(x, 0), shape)
}

/** [start, limit) with step 1, of start's integer dtype; `len` is the length as known when building. */
export function range(start: Tensor, limit: Tensor, len: Dim): Tensor {
  return start.graph.op('Range', [start, limit, scalar(start, 1)], {}, [len])
}

export function scatterElementsAdd(
  data: Tensor,
  indices: Tensor,
  updates: Tensor,
  axis: number,
): Tensor {
  const a = normAxis(axis, data.rank, 'scatterElements')
  return data.graph.op('ScatterElements', [data, indices, updates], { axis: a, reduction: 'add' })
}
