// GELU (erf form) as one IR op with a hand-written gradient computed from x alone: the forward
// pass is emitted as the five-node pattern onnxruntime fuses into one Gelu kernel — in training
// graphs too, since no intermediate is kept for the backward pass any more.
import { add, erf, exp, mul } from '../ops'
import type { NodeObj } from '../onnx-proto'
import { type OpDef, sameAsInput } from './op-def'

/** x * 0.5 * (1 + erf(x / sqrt 2)) in the node order transformers' export writes (fusable). */
function geluNodes(x: string, y: string, constant: (v: number) => string): NodeObj[] {
  const n = (op: string, input: string[], output: string): NodeObj => ({
    name: output,
    op_type: op,
    input,
    output: [output],
  })
  return [
    n('Div', [x, constant(Math.SQRT2)], `${y}/div`),
    n('Erf', [`${y}/div`], `${y}/erf`),
    n('Add', [`${y}/erf`, constant(1)], `${y}/add`),
    n('Mul', [x, `${y}/add`], `${y}/mul`),
    n('Mul', [`${y}/mul`, constant(0.5)], y),
  ]
}

export const GELU_OPS = {
  Gelu: {
    shape: sameAsInput,
    onnx: { expand: geluNodes },
    // d/dx = 0.5 (1 + erf(x/√2)) + x φ(x), φ(x) = exp(-x²/2)/√(2π) (torch's GeluBackward).
    vjp: (_y, g, { inputs: [x] }) => {
      const cdf2 = add(erf(mul(x, Math.SQRT1_2)), 1)
      const xPdf2 = mul(mul(exp(mul(mul(x, x), -0.5)), x), Math.sqrt(2 / Math.PI))
      return [mul(g, mul(add(cdf2, xPdf2), 0.5))]
    },
  },
} satisfies Record<string, OpDef>
