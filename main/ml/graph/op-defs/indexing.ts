// Ops that read or write by index: Gather, GatherElements, the scatters and OneHot.
import { scatterElementsAdd, zerosLike } from '../ops'
import { int64Values, normAxis } from '../shape'
import { gatherGrad } from './gather-grad'
import { type OpDef, type ShapeRule } from './op-def'

const gatherRule: ShapeRule = ([x, indices], { axis }) => {
  if (indices.dtype !== 'int64') throw new Error('gather: indices must be int64')
  const a = axis as number
  return {
    dtype: x.dtype,
    shape: [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)],
  }
}

const gatherElementsRule: ShapeRule = ([x, indices]) => {
  if (indices.dtype !== 'int64') throw new Error('gatherElements: indices must be int64')
  return { dtype: x.dtype, shape: indices.shape }
}

/** Scatters write into a copy of their data input: same dtype and shape. */
const scatterRule: ShapeRule = ([data]) => ({ dtype: data.dtype, shape: data.shape })

/** [indices, depth (int64 constant), [off, on] values]: a new axis of `depth` at `axis`. */
const oneHotRule: ShapeRule = ([indices, depth, values], { axis }) => {
  const shape = [...indices.shape]
  shape.splice(normAxis(axis as number, indices.rank + 1, 'oneHot'), 0, int64Values(depth)[0])
  return { dtype: values.dtype, shape }
}

const NO_GRAD_GRADIENT_ONLY = 'only used in gradients; no second derivatives'

export const INDEXING_OPS = {
  Gather: {
    shape: gatherRule,
    vjp: (_y, g, { inputs: [x, idx], attrs }) => [
      gatherGrad(g, x, idx, attrs.axis as number),
      null,
    ],
  },
  GatherElements: {
    shape: gatherElementsRule,
    vjp: (_y, g, { inputs: [x, idx], attrs }) => [
      scatterElementsAdd(zerosLike(x), idx, g, attrs.axis as number),
      null,
    ],
  },
  ScatterElements: { shape: scatterRule, notDifferentiable: NO_GRAD_GRADIENT_ONLY },
  /** Used by the TF-IDF baseline's fit graph, which writes its own gradient. */
  ScatterND: { shape: scatterRule, notDifferentiable: 'its callers write their own gradient' },
  OneHot: { shape: oneHotRule, notDifferentiable: NO_GRAD_GRADIENT_ONLY },
} satisfies Record<string, OpDef>
