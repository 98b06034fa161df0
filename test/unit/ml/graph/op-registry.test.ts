// The op registry: every op has a gradient or says why not, and a misspelt op name or an op
// definition missing both fails the typecheck (the @ts-expect-error lines are checked by tsc).
import { describe, expect, it } from 'vitest'
import { Graph, grad, mul, reduceSum, sign } from '../../../../main/ml/graph'
import { type OpDef, sameAsInput } from '../../../../main/ml/graph/op-defs/op-def'
import { ELEMENTWISE_OPS } from '../../../../main/ml/graph/op-defs/elementwise'
import { GELU_OPS } from '../../../../main/ml/graph/op-defs/gelu'
import { INDEXING_OPS } from '../../../../main/ml/graph/op-defs/indexing'
import { LAYOUT_OPS } from '../../../../main/ml/graph/op-defs/layout'
import { MATMUL_OPS } from '../../../../main/ml/graph/op-defs/matmul'
import { NORM_OPS } from '../../../../main/ml/graph/op-defs/norm'
import { REDUCE_OPS } from '../../../../main/ml/graph/op-defs/reduce'
import { OPS, type OpType, opDef } from '../../../../main/ml/graph/op-defs/registry'

describe('op registry', () => {
  it('gives every op either a VJP or a reason it has none, never both', () => {
    for (const op of Object.keys(OPS) as OpType[]) {
      const def = opDef(op)
      const hasVjp = typeof def.vjp === 'function'
      const hasReason = typeof def.notDifferentiable === 'string' && def.notDifferentiable !== ''
      expect({ op, exactlyOne: hasVjp !== hasReason }).toEqual({ op, exactlyOne: true })
    }
  })

  it('defines each op once (no family file overrides another)', () => {
    const families = [
      ELEMENTWISE_OPS,
      MATMUL_OPS,
      REDUCE_OPS,
      LAYOUT_OPS,
      INDEXING_OPS,
      NORM_OPS,
      GELU_OPS,
    ]
    const names = families.flatMap((f) => Object.keys(f))
    expect(names.length).toBe(new Set(names).size)
    expect(names.length).toBe(Object.keys(OPS).length)
    expect(Object.keys(OPS).length).toBe(50)
  })

  it('differentiates exactly the ops the gradient checks cover', () => {
    const withVjp = (Object.keys(OPS) as OpType[]).filter((op) => opDef(op).vjp).sort()
    expect(withVjp).toEqual(
      [
        'Abs',
        'Add',
        'Cast',
        'Concat',
        'Div',
        'Erf',
        'Exp',
        'Expand',
        'Gather',
        'GatherElements',
        'Gelu',
        'Identity',
        'LayerNormalization',
        'Log',
        'LogSoftmax',
        'MatMul',
        'Mul',
        'Neg',
        'Pow',
        'ReduceMax',
        'ReduceMean',
        'ReduceSum',
        'Relu',
        'Reshape',
        'Sigmoid',
        'Slice',
        'Softmax',
        'Sqrt',
        'Squeeze',
        'Sub',
        'Tanh',
        'Transpose',
        'Unsqueeze',
        'Where',
      ].sort(),
    )
  })

  it('names the op and the reason when a gradient would flow through a non-differentiable op', () => {
    const g = new Graph()
    const w = g.param('w', [3], Float32Array.of(1, -2, 3))
    const loss = reduceSum(mul(sign(w), w))
    expect(() => grad(loss, [w])).toThrow(
      'grad: no gradient is defined for Sign (Sign#1:float32[3]): ' +
        'piecewise constant (its derivative is zero almost everywhere)',
    )
  })

  it('rejects a misspelt op name at compile time, and at run time from untyped callers', () => {
    const g = new Graph()
    const a = g.input('a', 'float32', [2, 2])
    // @ts-expect-error 'Matmul' is not an OpType (the op is 'MatMul')
    expect(() => g.op('Matmul', [a, a])).toThrow("unknown op 'Matmul'")
    expect(g.op('MatMul', [a, a]).shape).toEqual([2, 2])
  })

  it('requires a VJP or notDifferentiable in every op definition (compile time)', () => {
    // @ts-expect-error neither a vjp nor a notDifferentiable reason
    const missing: OpDef = { shape: sameAsInput }
    // @ts-expect-error both a vjp and a notDifferentiable reason
    const both: OpDef = { shape: sameAsInput, vjp: (_y, g) => [g], notDifferentiable: 'x' }
    const fine: OpDef[] = [
      { shape: sameAsInput, vjp: (_y, g) => [g] },
      { shape: sameAsInput, notDifferentiable: 'integer result' },
    ]
    expect([missing, both, ...fine].length).toBe(4)
  })
})
