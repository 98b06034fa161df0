// Slice's gradient: g padded with zeros back to the sliced tensor's shape.
import type { Tensor } from '../ir'
import { concat, gather, shapeOf, sub } from '../ops'
import { int64Values } from '../shape'

/** Pad g with zeros back to x's shape (the slice took [starts, ends) on `axes`). */
export function slicePad(g: Tensor, x: Tensor, starts: Tensor, ends: Tensor, axes: Tensor): Tensor {
  const [s, e, ax] = [int64Values(starts), int64Values(ends), int64Values(axes)]
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
  return g.graph.op('Pad', [g, pads], { mode: 'constant' }, x.shape)
}
