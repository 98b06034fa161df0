// Element-wise ops (numpy broadcasting): arithmetic, comparisons, activations, Where and Cast.
// Broadcasting is undone in the gradients by summing (reduceSumTo).
import type { DType } from '../ir'
import { div, exp, greater, mul, neg, pow, sign, sub, where } from '../ops'
import { broadcastShapes } from '../shape'
import { constantValue, reduceSumTo } from './grad-helpers'
import { type OpDef, type ShapeRule, sameAsInput } from './op-def'

/** Two operands of one dtype, broadcast; the result has `out` dtype (default: the operands'). */
function binaryRule(op: string, out?: DType): ShapeRule {
  return ([a, b]) => {
    if (a.dtype !== b.dtype) throw new Error(`${op}: dtypes ${a.dtype} and ${b.dtype} differ`)
    return { dtype: out ?? a.dtype, shape: broadcastShapes(a.shape, b.shape, op) }
  }
}

const NO_GRAD_INT = 'integer result'
const NO_GRAD_OFF_PATH = 'only used off the gradient path (clip coefficients, pooling counts)'
const NO_GRAD_STEP = 'piecewise constant (its derivative is zero almost everywhere)'

export const ELEMENTWISE_OPS = {
  Add: {
    shape: binaryRule('Add'),
    vjp: (_y, g, { inputs: [a, b] }) => [reduceSumTo(g, a.shape), reduceSumTo(g, b.shape)],
  },
  Sub: {
    shape: binaryRule('Sub'),
    vjp: (_y, g, { inputs: [a, b] }) => [reduceSumTo(g, a.shape), reduceSumTo(neg(g), b.shape)],
  },
  Mul: {
    shape: binaryRule('Mul'),
    vjp: (_y, g, { inputs: [a, b] }) => [
      reduceSumTo(mul(g, b), a.shape),
      reduceSumTo(mul(g, a), b.shape),
    ],
  },
  Div: {
    shape: binaryRule('Div'),
    vjp: (y, g, { inputs: [a, b] }) => [
      reduceSumTo(div(g, b), a.shape),
      reduceSumTo(neg(div(mul(g, y), b)), b.shape),
    ],
  },
  Pow: {
    shape: binaryRule('Pow'),
    // Only a constant exponent is differentiated (the base's gradient).
    vjp: (_y, g, { inputs: [x, e] }) => {
      const c = constantValue(e)
      // x^2 (LayerNorm's variance) needs no Pow in the backward pass.
      const dydx = c === 2 ? mul(x, 2) : c === 1 ? null : mul(pow(x, c - 1), c)
      return [dydx ? mul(g, dydx) : g, null]
    },
  },
  Min: { shape: binaryRule('Min'), notDifferentiable: NO_GRAD_OFF_PATH },
  Max: { shape: binaryRule('Max'), notDifferentiable: NO_GRAD_OFF_PATH },
  Mod: { shape: binaryRule('Mod'), notDifferentiable: NO_GRAD_INT },
  Equal: { shape: binaryRule('Equal', 'bool'), notDifferentiable: 'bool result' },
  Less: { shape: binaryRule('Less', 'bool'), notDifferentiable: 'bool result' },
  Greater: { shape: binaryRule('Greater', 'bool'), notDifferentiable: 'bool result' },
  Neg: { shape: sameAsInput, vjp: (_y, g) => [neg(g)] },
  Sqrt: { shape: sameAsInput, vjp: (y, g) => [div(g, mul(y, 2))] },
  Exp: { shape: sameAsInput, vjp: (y, g) => [mul(g, y)] },
  Log: { shape: sameAsInput, vjp: (_y, g, { inputs: [x] }) => [div(g, x)] },
  Tanh: { shape: sameAsInput, vjp: (y, g) => [mul(g, sub(1, mul(y, y)))] },
  Erf: {
    shape: sameAsInput,
    vjp: (_y, g, { inputs: [x] }) => [mul(g, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)))],
  },
  Relu: { shape: sameAsInput, vjp: (_y, g, { inputs: [x] }) => [where(greater(x, 0), g, 0)] },
  Sigmoid: { shape: sameAsInput, vjp: (y, g) => [mul(g, mul(y, sub(1, y)))] },
  Abs: { shape: sameAsInput, vjp: (_y, g, { inputs: [x] }) => [mul(g, sign(x))] },
  Sign: { shape: sameAsInput, notDifferentiable: NO_GRAD_STEP },
  Identity: { shape: sameAsInput, vjp: (_y, g) => [g] },
  Where: {
    shape: ([cond, a, b]) => {
      if (cond.dtype !== 'bool') throw new Error('where: condition must be bool')
      if (a.dtype !== b.dtype) throw new Error(`where: dtypes ${a.dtype} and ${b.dtype} differ`)
      const ab = broadcastShapes(a.shape, b.shape, 'where')
      return { dtype: a.dtype, shape: broadcastShapes(cond.shape, ab, 'where') }
    },
    vjp: (_y, g, { inputs: [c, a, b] }) => [
      null,
      reduceSumTo(where(c, g, 0), a.shape),
      reduceSumTo(where(c, 0, g), b.shape),
    ],
  },
  Cast: {
    shape: ([x], { to }) => ({ dtype: to as DType, shape: x.shape }),
    onnx: { dtypeAttrs: ['to'] },
    // A gradient flows only from float to float; casts of integers carry none.
    vjp: (_y, g, { inputs: [x] }) => [x.dtype === 'float32' ? g : null],
  },
} satisfies Record<string, OpDef>
