// Ops that move or reshape data without arithmetic: Transpose, Reshape, (Un)squeeze, Concat,
// Slice, Expand, and the shape-valued ops Shape, Range and Pad.
import type { Dim, Source, Tensor } from '../ir'
import { matmul, reshapeLike, slice, squeeze, transpose, unsqueeze } from '../ops'
import { broadcastShapes, int64Values, knownShapeValue, reshapeDims } from '../shape'
import { reduceSumTo } from './grad-helpers'
import { type OpDef, type ShapeRule } from './op-def'
import { slicePad } from './slice-grad'

const NO_GRAD_SHAPE = 'its result is a shape or index (int64)'

/** The transpose of a matrix, undoing a Transpose rather than stacking a second one. */
function swap2(t: Tensor): Tensor {
  const s = t.source
  if (s.kind === 'op' && s.op === 'Transpose' && (s.attrs.perm as number[]).join() === '1,0') {
    return s.inputs[0]
  }
  return transpose(t, [1, 0])
}

/** The output shape a caller must give (the op's shape input is computed at run time). */
function givenShape(op: string, given: readonly Dim[] | undefined): readonly Dim[] {
  if (!given) throw new Error(`${op}: the output shape must be given when building`)
  return given
}

const reshapeRule: ShapeRule = ([x, target], _attrs, given) => {
  const t = target.source
  if (given) return { dtype: x.dtype, shape: given }
  if (t.kind === 'constant')
    return { dtype: x.dtype, shape: reshapeDims(x.shape, int64Values(target)) }
  if (t.kind === 'op' && t.op === 'Shape') return { dtype: x.dtype, shape: t.inputs[0].shape }
  throw new Error('reshape: the target is computed at run time; give the output shape')
}

const transposeRule: ShapeRule = ([x], { perm }) => {
  const p = perm as number[]
  if (p.length !== x.rank || [...p].sort((a, b) => a - b).some((v, i) => v !== i)) {
    throw new Error(`transpose: perm [${p.join(', ')}] is not a permutation of rank ${x.rank}`)
  }
  return { dtype: x.dtype, shape: p.map((i) => x.shape[i]) }
}

const unsqueezeRule: ShapeRule = ([x], { axes }) => {
  const ax = axes as number[]
  const out: Dim[] = []
  let k = 0
  for (let i = 0; i < x.rank + ax.length; i++) out.push(ax.includes(i) ? 1 : x.shape[k++])
  return { dtype: x.dtype, shape: out }
}

const squeezeRule: ShapeRule = ([x], { axes }) => {
  const ax = axes as number[]
  for (const a of ax) {
    if (typeof x.shape[a] === 'number' && x.shape[a] !== 1) {
      throw new Error(`squeeze: dim ${a} of [${x.shape.join(', ')}] is not 1`)
    }
  }
  return { dtype: x.dtype, shape: x.shape.filter((_, i) => !ax.includes(i)) }
}

const concatRule: ShapeRule = (xs, { axis }) => {
  const a = axis as number
  const shape = [...xs[0].shape]
  const along = xs.map((x) => x.shape[a])
  shape[a] = along.every((d) => typeof d === 'number')
    ? (along as number[]).reduce((p, q) => p + q, 0)
    : along.join('+')
  return { dtype: xs[0].dtype, shape }
}

const sliceRule: ShapeRule = ([x, startsT, endsT, axesT]) => {
  const [starts, ends] = [int64Values(startsT), int64Values(endsT)]
  const shape = [...x.shape]
  int64Values(axesT).forEach((a, i) => {
    const d = x.shape[a]
    if (typeof d === 'number') {
      shape[a] = Math.max(0, clampIndex(ends[i], d) - clampIndex(starts[i], d))
    } else if (starts[i] >= 0 && ends[i] >= starts[i] && ends[i] < 2 ** 31) {
      // On a symbolic dim the slice is assumed to lie inside it (e.g. the [CLS] position).
      shape[a] = ends[i] - starts[i]
    } else shape[a] = `?slice${x.id}_${a}`
  })
  return { dtype: x.dtype, shape }
}

function clampIndex(i: number, d: number): number {
  const j = i < 0 ? i + d : i
  return Math.min(Math.max(j, 0), d)
}

export const LAYOUT_OPS = {
  Transpose: {
    shape: transposeRule,
    vjp: (_y, g, { attrs }): Tensor[] => {
      const perm = attrs.perm as number[]
      const s: Source = g.source
      // A linear layer's weight gradient, (A^T G)^T, is G^T A: one product in the weight's own
      // [out, in] layout (onnxruntime folds the transposes into it) instead of a product and a
      // Transpose of the result.
      if (perm.length === 2 && perm[0] === 1 && s.kind === 'op' && s.op === 'MatMul') {
        const [a, b]: Tensor[] = s.inputs
        if (a.rank === 2 && b.rank === 2) return [matmul(swap2(b), swap2(a))]
      }
      return [
        transpose(
          g,
          perm.map((_, i) => perm.indexOf(i)),
        ),
      ]
    },
  },
  Reshape: { shape: reshapeRule, vjp: (_y, g, { inputs: [x] }) => [reshapeLike(g, x), null] },
  Unsqueeze: {
    shape: unsqueezeRule,
    onnx: { axesAsInputSince: 13 },
    vjp: (_y, g, { attrs }) => [squeeze(g, attrs.axes as number[])],
  },
  Squeeze: {
    shape: squeezeRule,
    onnx: { axesAsInputSince: 13 },
    vjp: (_y, g, { attrs }) => [unsqueeze(g, attrs.axes as number[])],
  },
  Concat: {
    shape: concatRule,
    vjp: (_y, g, { inputs, attrs }) => {
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
  },
  Slice: {
    shape: sliceRule,
    vjp: (_y, g, { inputs: [x, starts, ends, axes] }) => [
      slicePad(g, x, starts, ends, axes),
      null,
      null,
      null,
    ],
  },
  Expand: {
    shape: ([x, s], _attrs, given) => ({
      dtype: x.dtype,
      shape: given ?? broadcastShapes(x.shape, knownShapeValue(s), 'expand'),
    }),
    vjp: (_y, g, { inputs: [x] }) => [reduceSumTo(g, x.shape), null],
  },
  Shape: {
    shape: ([x]) => ({ dtype: 'int64', shape: [x.rank] }),
    notDifferentiable: NO_GRAD_SHAPE,
  },
  Range: {
    shape: ([start], _attrs, given) => ({ dtype: start.dtype, shape: givenShape('range', given) }),
    notDifferentiable: NO_GRAD_SHAPE,
  },
  Pad: {
    shape: ([x], _attrs, given) => ({ dtype: x.dtype, shape: givenShape('pad', given) }),
    notDifferentiable: "only used in gradients (Slice's VJP); no second derivatives",
  },
} satisfies Record<string, OpDef>
