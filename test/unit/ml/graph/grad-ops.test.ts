// Every differentiable primitive's gradient against central finite differences, on seeded random
// inputs, several shapes each, broadcasting and symbolic dims included.
import { describe, expect, it } from 'vitest'
import {
  type Tensor,
  abs,
  add,
  cast,
  concat,
  div,
  erf,
  exp,
  expand,
  gather,
  gatherElements,
  gelu,
  greater,
  identity,
  layerNorm,
  log,
  logSoftmax,
  matmul,
  mul,
  neg,
  pow,
  reduceMax,
  reduceMean,
  reduceSum,
  relu,
  reshape,
  sigmoid,
  slice,
  softmax,
  sqrt,
  squeeze,
  sub,
  tanh,
  transpose,
  unsqueeze,
  where,
  shapeOf,
} from '../../../../main/ml/graph'
import { OPS, type OpType, opDef } from '../../../../main/ml/graph/op-defs/registry'
import { type CheckInput, checkGrad } from './grad-check'

type Case = [string, (xs: Tensor[]) => Tensor, CheckInput[]]
const s = (...shape: (number | string)[]): CheckInput => ({ shape })
const pos = (...shape: number[]): CheckInput => ({ shape, lo: 0.3, hi: 2 })
const i64 = (x: Tensor, v: number[], shape: number[]) =>
  x.graph.constant(BigInt64Array.from(v, BigInt), shape, 'int64')

/** Each unary op on a static shape and on one with a symbolic batch dim. */
function unaryCases(): Case[] {
  const ops: [string, (x: Tensor) => Tensor, Partial<CheckInput>][] = [
    ['neg', neg, {}],
    ['sqrt', sqrt, { lo: 0.3, hi: 2 }],
    ['exp', exp, {}],
    ['log', log, { lo: 0.3, hi: 2 }],
    ['tanh', tanh, {}],
    ['erf', erf, {}],
    ['relu', relu, { gap: 0.05 }],
    ['sigmoid', sigmoid, {}],
    ['abs', abs, { gap: 0.05 }],
    ['identity', identity, {}],
    ['cast float to float', (x) => cast(x, 'float32'), {}],
  ]
  return ops.flatMap(([name, f, range]): Case[] => [
    [`${name} [7]`, ([a]) => f(a), [{ shape: [7], ...range }]],
    [
      `${name} [batch, 2, 3]`,
      ([a]) => f(a),
      [{ shape: ['batch', 2, 3], feed: [2, 2, 3], ...range }],
    ],
  ])
}

const cases: Case[] = [
  ['add same shape', ([a, b]) => add(a, b), [s(2, 3), s(2, 3)]],
  ['add broadcast row', ([a, b]) => add(a, b), [s(2, 3), s(3)]],
  ['add broadcast both ways', ([a, b]) => add(a, b), [s(2, 1, 3), s(4, 1)]],
  ['sub broadcast', ([a, b]) => sub(a, b), [s(3), s(2, 3)]],
  ['mul broadcast', ([a, b]) => mul(a, b), [s(2, 3, 2), s(3, 1)]],
  ['mul self (fan-out)', ([a]) => mul(a, a), [s(2, 3)]],
  ['div broadcast', ([a, b]) => div(a, b), [s(2, 3), pos(2, 1)]],
  ['div scalar tensor', ([a, b]) => div(a, b), [s(4), pos()]],
  ['pow 3', ([a]) => pow(a, 3), [s(2, 3)]],
  ['pow -0.5', ([a]) => pow(a, -0.5), [pos(5)]],
  ...unaryCases(),
  ['matmul 2d', ([a, b]) => matmul(a, b), [s(2, 3), s(3, 4)]],
  ['matmul batched x weight', ([a, b]) => matmul(a, b), [s(2, 2, 3), s(3, 2)]],
  [
    'matmul symbolic batch x weight',
    ([a, b]) => matmul(a, b),
    [{ shape: ['batch', 2, 3], feed: [3, 2, 3] }, s(3, 2)],
  ],
  ['matmul broadcast batch', ([a, b]) => matmul(a, b), [s(1, 2, 3), s(2, 3, 2)]],
  ['matmul batched both', ([a, b]) => matmul(a, b), [s(2, 2, 3), s(2, 3, 2)]],
  ['matmul weight x batched', ([a, b]) => matmul(a, b), [s(2, 3), s(2, 3, 2)]],
  ['transpose', ([a]) => transpose(a, [2, 0, 1]), [s(2, 3, 2)]],
  ['transpose default', ([a]) => transpose(a), [s(2, 3)]],
  ['reshape', ([a]) => reshape(a, [3, 4]), [s(2, 6)]],
  [
    'reshape with 0 and -1',
    ([a]) => reshape(a, [0, -1]),
    [{ shape: ['batch', 3, 2], feed: [2, 3, 2] }],
  ],
  ['unsqueeze', ([a]) => mul(unsqueeze(a, [0, 2]), 2), [s(2, 3)]],
  ['unsqueeze symbolic', ([a]) => unsqueeze(a, [-1]), [{ shape: ['batch', 3], feed: [2, 3] }]],
  ['squeeze', ([a]) => squeeze(a, [1]), [s(3, 1, 2)]],
  ['squeeze two axes', ([a]) => squeeze(a, [0, 2]), [s(1, 3, 1)]],
  ['concat axis 1', ([a, b]) => concat([a, b], 1), [s(2, 2), s(2, 3)]],
  ['concat axis 0 three', ([a, b]) => concat([a, b, a], 0), [s(1, 3), s(2, 3)]],
  ['slice static', ([a]) => slice(a, [1], [4], [1]), [s(3, 5)]],
  ['slice two axes, negative start', ([a]) => slice(a, [-2, 0], [100, 2], [0, 1]), [s(4, 3)]],
  [
    'slice symbolic seq ([CLS])',
    ([a]) => slice(a, [0], [1], [1]),
    [{ shape: [2, 'seq', 3], feed: [2, 4, 3] }],
  ],
  [
    'slice symbolic seq middle',
    ([a]) => slice(a, [1], [3], [1]),
    [{ shape: [1, 'seq', 2], feed: [1, 5, 2] }],
  ],
  [
    'gather axis 0, repeated ids',
    ([a]) => gather(a, i64(a, [0, 2, 2, 4, 0, 0], [2, 3]), 0),
    [s(5, 3)],
  ],
  ['gather axis 1 scalar index', ([a]) => gather(a, i64(a, [0], []), 1), [s(2, 4, 3)]],
  [
    'gather axis 1 scalar index, symbolic seq ([CLS])',
    ([a]) => gather(a, i64(a, [0], []), 1),
    [{ shape: ['batch', 'seq', 3], feed: [2, 4, 3] }],
  ],
  ['gather axis 1 repeated', ([a]) => gather(a, i64(a, [3, 1, 3], [3]), 1), [s(2, 4, 2)]],
  ['gather axis 2 matrix index', ([a]) => gather(a, i64(a, [1, 0, 1, 1], [2, 2]), 2), [s(2, 1, 3)]],
  [
    'gatherElements axis 1',
    ([a]) => gatherElements(a, i64(a, [2, 0, 1, 1, 0, 0], [3, 2]), 1),
    [s(3, 4)],
  ],
  ['gatherElements axis 0', ([a]) => gatherElements(a, i64(a, [1, 1, 0], [1, 3]), 0), [s(2, 3)]],
  ['reduceSum all', ([a]) => reduceSum(a), [s(2, 3)]],
  ['reduceSum axis keepdims', ([a]) => reduceSum(a, [1], true), [s(2, 3, 2)]],
  ['reduceSum two axes', ([a]) => reduceSum(a, [0, 2]), [s(2, 3, 2)]],
  ['reduceMean axis', ([a]) => reduceMean(a, [-1]), [s(3, 4)]],
  [
    'reduceMean symbolic axis',
    ([a]) => reduceMean(a, [1], true),
    [{ shape: [2, 'seq', 2], feed: [2, 3, 2] }],
  ],
  ['reduceMax axis', ([a]) => reduceMax(a, [1]), [s(3, 4)]],
  ['reduceMax keepdims all', ([a]) => reduceMax(a, [0, 1], true), [s(2, 3)]],
  ['softmax last', ([a]) => softmax(a, -1), [s(2, 4)]],
  ['softmax axis 0', ([a]) => softmax(a, 0), [s(3, 2)]],
  ['logSoftmax last', ([a]) => logSoftmax(a, -1), [s(3, 4)]],
  ['logSoftmax 3d middle', ([a]) => logSoftmax(a, 1), [s(2, 3, 2)]],
  [
    'where broadcast',
    ([a, b]) => where(greater(a, 0), mul(a, 3), b),
    [{ shape: [2, 3], gap: 0.05 }, s(3)],
  ],
  ['expand', ([a, b]) => add(expand(a, shapeOf(b)), mul(b, 0.5)), [s(1, 3), s(2, 3)]],
  [
    'expand rank up',
    ([a, b]) => add(expand(a, shapeOf(b)), b),
    [s(3), { shape: ['batch', 2, 3], feed: [2, 2, 3] }],
  ],
  [
    'int path carries no gradient',
    ([a]) => mul(a, cast(i64(a, [1, 2, 3], [3]), 'float32')),
    [s(2, 3)],
  ],
  // The weight gradient of x W^T comes out as G^T X, in W's own layout (Transpose's VJP).
  ['linear x W^T (3-d x)', ([x, w]) => matmul(x, transpose(w, [1, 0])), [s(2, 3, 4), s(5, 4)]],
  ['transposed 2-d product', ([a, b]) => transpose(matmul(a, b), [1, 0]), [s(3, 4), s(4, 2)]],
  // Hand-written VJP from x alone (the forward nodes are the fusable erf pattern).
  ['gelu [2, 5]', ([x]) => gelu(x), [{ shape: [2, 5], lo: -3, hi: 3 }]],
  ['gelu [batch, 3]', ([x]) => gelu(x), [{ shape: ['batch', 3], feed: [4, 3], lo: -3, hi: 3 }]],
  // Its hand-written VJP reads the node's Mean and InvStdDev outputs.
  [
    'layerNormalization (x, scale, bias)',
    ([x, gm, bt]) => layerNorm(x, gm, bt, 1e-5),
    [s(3, 5), { shape: [5], lo: 0.5, hi: 2 }, s(5)],
  ],
  [
    'layerNormalization [batch, 2, 4], eps 1e-12',
    ([x, gm, bt]) => layerNorm(x, gm, bt, 1e-12),
    [{ shape: ['batch', 2, 4], feed: [3, 2, 4] }, { shape: [4], lo: 0.5, hi: 2 }, s(4)],
  ],
]

describe('gradients of primitive ops match finite differences', () => {
  const covered = new Set<string>()
  it.each(cases)('%s', async (_name, build, inputs) => {
    const { analytic, maxError, ops } = await checkGrad(build, inputs, 7)
    ops.forEach((op) => covered.add(op))
    if (process.env.GRAD_DEBUG) console.log(_name, maxError)
    expect(maxError).toBeLessThan(2e-3)
    // A check that passes on all-zero gradients would prove nothing.
    for (const a of analytic) expect(Math.max(...Array.from(a, Math.abs))).toBeGreaterThan(1e-3)
  })

  it('covers every op that has a gradient', () => {
    const differentiable = (Object.keys(OPS) as OpType[]).filter((op) => opDef(op).vjp)
    expect(differentiable.filter((op) => !covered.has(op))).toEqual([])
  })

  it('catches a wrong vector-Jacobian product (the checker can fail)', async () => {
    const right = OPS.Tanh.vjp
    // The derivative of tanh is 1 - y^2; 1 - y is wrong and must be caught.
    OPS.Tanh.vjp = (y, g) => [mul(g, sub(1, y))]
    try {
      const { maxError } = await checkGrad(([a]) => tanh(a), [s(2, 4)], 7)
      expect(maxError).toBeGreaterThan(0.1)
    } finally {
      OPS.Tanh.vjp = right
    }
  })
})
