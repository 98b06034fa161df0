// Ops along axes: reductions, ArgMax, Softmax and LogSoftmax.
import type { Attrs, Tensor } from '../ir'
import { cast, div, equal, exp, mul, reduceSum, sub, unsqueeze } from '../ops'
import { expandBack, reducedCount } from './grad-helpers'
import { type OpDef, type ShapeRule, sameAsInput } from './op-def'

/** Dims of x left after reducing `axes` (kept as 1 with keepdims). */
function reducedShape(x: Tensor, axes: readonly number[], keepdims: boolean) {
  return keepdims
    ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
    : x.shape.filter((_, i) => !axes.includes(i))
}

const reduceRule: ShapeRule = ([x], { axes, keepdims }) => ({
  dtype: x.dtype,
  shape: reducedShape(x, axes as number[], !!keepdims),
})

const axesOf = (attrs: Attrs) => attrs.axes as number[]

export const REDUCE_OPS = {
  ReduceSum: {
    shape: reduceRule,
    onnx: { axesAsInputSince: 13 },
    vjp: (_y, g, { inputs: [x], attrs }) => [expandBack(g, x, axesOf(attrs), !!attrs.keepdims)],
  },
  ReduceMean: {
    shape: reduceRule,
    onnx: { axesAsInputSince: 18 },
    vjp: (_y, g, { inputs: [x], attrs }) => {
      const axes = axesOf(attrs)
      return [div(expandBack(g, x, axes, !!attrs.keepdims), reducedCount(x, axes))]
    },
  },
  ReduceMax: {
    shape: reduceRule,
    onnx: { axesAsInputSince: 18 },
    vjp: (y, g, { inputs: [x], attrs }) => {
      const axes = axesOf(attrs)
      const keep = !!attrs.keepdims
      const mask = cast(equal(x, keep ? y : unsqueeze(y, axes)), 'float32')
      // Ties share the gradient equally.
      const share = div(mask, reduceSum(mask, axes, true))
      return [mul(share, expandBack(g, x, axes, keep))]
    },
  },
  ReduceProd: {
    shape: reduceRule,
    onnx: { axesAsInputSince: 18 },
    notDifferentiable: 'used on int64 shapes only',
  },
  ArgMax: {
    shape: ([x], { axis, keepdims }) => ({
      dtype: 'int64',
      shape: reducedShape(x, [axis as number], !!keepdims),
    }),
    notDifferentiable: 'integer result (an index)',
  },
  Softmax: {
    shape: sameAsInput,
    vjp: (y, g, { attrs }) => [mul(y, sub(g, reduceSum(mul(g, y), [attrs.axis as number], true)))],
  },
  LogSoftmax: {
    shape: sameAsInput,
    vjp: (y, g, { attrs }) => [sub(g, mul(exp(y), reduceSum(g, [attrs.axis as number], true)))],
  },
} satisfies Record<string, OpDef>
