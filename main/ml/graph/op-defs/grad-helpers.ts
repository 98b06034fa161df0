// Small pieces the VJPs share: undoing broadcasting, bringing reduced gradients back to the
// input's shape, reading scalar constants.
import type { Dim, Tensor } from '../ir'
import {
  cast,
  expand,
  gather,
  reduceProd,
  reduceSum,
  scalar,
  shapeOf,
  transpose,
  unsqueeze,
} from '../ops'

/** Sum g down to `shape` (undoes numpy broadcasting). */
export function reduceSumTo(g: Tensor, shape: readonly Dim[]): Tensor {
  let out = g
  const lead = g.rank - shape.length
  if (lead > 0) out = reduceSum(out, [...Array(lead).keys()], false)
  const axes = shape.flatMap((d, i) => (d === 1 && out.shape[i] !== 1 ? [i] : []))
  if (axes.length) out = reduceSum(out, axes, true)
  return out
}

/** x's shape as an int64 tensor: a constant when static, else Shape(x). */
export function shapeTensor(x: Tensor): Tensor {
  return x.isStatic
    ? x.graph.constant(BigInt64Array.from(x.shape as number[], BigInt), [x.rank], 'int64')
    : shapeOf(x)
}

/** Swap the last two axes (a batched matrix transpose). */
export const swapLast = (t: Tensor): Tensor =>
  transpose(t, [...[...Array(t.rank - 2).keys()], t.rank - 1, t.rank - 2])

/** Count of elements reduced over `axes` of x, as a float scalar (static when possible). */
export function reducedCount(x: Tensor, axes: number[]): Tensor {
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
export function expandBack(g: Tensor, x: Tensor, axes: number[], keepdims: boolean): Tensor {
  const kept = keepdims ? g : unsqueeze(g, axes)
  return expand(kept, shapeTensor(x))
}

/** The value of a one-element constant (Pow's exponent). */
export function constantValue(t: Tensor): number {
  const s = t.source
  if (s.kind !== 'constant' || s.data.length !== 1) throw new Error('expected a scalar constant')
  return Number(s.data[0])
}
