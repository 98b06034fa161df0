// Fused normalisation: ONNX LayerNormalization (opset 17) over the last axis, with a hand-written
// backward pass that reads the kernel's own Mean and InvStdDev outputs (OutputOf), so neither the
// forward nor the backward pass re-derives the row statistics from a dozen primitive ops.
import type { Tensor } from '../ir'
import { mul, reduceMean, sub } from '../ops'
import { reduceSumTo } from './grad-helpers'
import type { OpDef } from './op-def'

/** Output `index` (1: Mean, 2: InvStdDev) of the LayerNormalization node that produced y. */
export function outputOf(y: Tensor, index: number): Tensor {
  return y.graph.op('OutputOf', [y], { index })
}

/**
 * dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), dxhat = g * gamma,
 * xhat = (x - mean) * rstd, per row; gamma and beta get the row sums of g * xhat and g.
 */
function layerNormVjp(y: Tensor, g: Tensor, x: Tensor, gamma: Tensor, beta: Tensor) {
  const last = x.rank - 1
  const mean = outputOf(y, 1)
  const rstd = outputOf(y, 2)
  const xhat = mul(sub(x, mean), rstd)
  const dxhat = mul(g, gamma)
  const m1 = reduceMean(dxhat, [last], true)
  const m2 = reduceMean(mul(dxhat, xhat), [last], true)
  const dx = mul(sub(sub(dxhat, m1), mul(xhat, m2)), rstd)
  return [dx, reduceSumTo(mul(g, xhat), gamma.shape), reduceSumTo(g, beta.shape)]
}

export const NORM_OPS = {
  LayerNormalization: {
    shape: ([x, gamma, beta], { axis }) => {
      if (axis !== -1 && axis !== x.rank - 1) {
        throw new Error('layerNormalization: only the last axis is normalised')
      }
      const width = x.shape[x.rank - 1]
      if (
        gamma.rank !== 1 ||
        beta.rank !== 1 ||
        gamma.shape[0] !== width ||
        beta.shape[0] !== width
      ) {
        throw new Error(`layerNormalization: scale and bias must be [${width}]`)
      }
      return { dtype: x.dtype, shape: x.shape }
    },
    onnx: { extraOutputs: 2, floatAttrs: ['epsilon'], sinceOpset: 17 },
    vjp: (y, g, { inputs: [x, gamma, beta] }) => layerNormVjp(y, g, x, gamma, beta),
  },
  OutputOf: {
    // Not an ONNX node: names a further output of the node that produced its input.
    shape: ([y], { index }) => {
      const s = y.source
      if (s.kind !== 'op' || s.op !== 'LayerNormalization' || (index !== 1 && index !== 2)) {
        throw new Error('outputOf: only Mean (1) and InvStdDev (2) of LayerNormalization')
      }
      return { dtype: y.dtype, shape: [...y.shape.slice(0, -1), 1] }
    },
    onnx: { alias: true },
    notDifferentiable: 'row statistics read by the LayerNormalization gradient only',
  },
} satisfies Record<string, OpDef>
