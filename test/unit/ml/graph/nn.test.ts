// Composite blocks (GELU, LayerNorm, dropout, losses): values against plain TypeScript
// references and gradients against finite differences.
import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import {
  Graph,
  type Tensor,
  bceWithLogits,
  crossEntropy,
  dropout,
  emitOnnx,
  gelu,
  layerNorm,
  matmul,
} from '../../../../main/ml/graph'
import { checkGrad, rng } from './grad-check'

const i64 = (g: Graph, v: number[], shape: number[]) =>
  g.constant(BigInt64Array.from(v, BigInt), shape, 'int64')

async function run(inputs: Tensor[], out: Tensor, feeds: Record<string, ort.Tensor>) {
  const s = await ort.InferenceSession.create(
    emitOnnx({ inputs, outputs: [{ name: 'out', tensor: out }] }),
  )
  const r = (await s.run(feeds)).out
  await s.release()
  return r
}

function erfRef(x: number): number {
  // Abramowitz–Stegun 7.1.26 is too coarse; integrate the series instead (|x| < 4 here).
  let sum = 0
  let term = x
  for (let n = 0; n < 60; n++) {
    sum += term / (2 * n + 1)
    term *= (-x * x) / (n + 1)
  }
  return (2 / Math.sqrt(Math.PI)) * sum
}

describe('composite blocks: values', () => {
  it('gelu matches 0.5 x (1 + erf(x / sqrt 2))', async () => {
    const xs = [-3, -1, -0.2, 0, 0.5, 2.5]
    const g = new Graph()
    const x = g.input('x', 'float32', [6])
    const y = await run([x], gelu(x), { x: new ort.Tensor('float32', Float32Array.from(xs), [6]) })
    xs.forEach((v, i) =>
      expect((y.data as Float32Array)[i]).toBeCloseTo(0.5 * v * (1 + erfRef(v / Math.SQRT2)), 5),
    )
  })

  it('layerNorm normalises the last axis with biased variance, then scales and shifts', async () => {
    const g = new Graph()
    const x = g.input('x', 'float32', ['batch', 4])
    const gamma = g.param('gamma', [4], Float32Array.from([1, 2, 0.5, -1]))
    const beta = g.param('beta', [4], Float32Array.from([0, 0.1, 0.2, 0.3]))
    const rows = [1, 2, 3, 6, -1, 0, 1, 4]
    const y = await run([x], layerNorm(x, gamma, beta, 1e-5), {
      x: new ort.Tensor('float32', Float32Array.from(rows), [2, 4]),
    })
    for (let r = 0; r < 2; r++) {
      const row = rows.slice(r * 4, r * 4 + 4)
      const mean = row.reduce((a, b) => a + b) / 4
      const v = row.reduce((a, b) => a + (b - mean) ** 2, 0) / 4
      row.forEach((val, j) => {
        const expected =
          ((val - mean) / Math.sqrt(v + 1e-5)) * [1, 2, 0.5, -1][j] + [0, 0.1, 0.2, 0.3][j]
        expect((y.data as Float32Array)[r * 4 + j]).toBeCloseTo(expected, 5)
      })
    }
  })

  it('crossEntropy equals the mean negative log-softmax of the true class, weighted like torch', async () => {
    const logits = [2, 0.5, -1, 0.1, 0.2, 3, -2, 1, 0]
    const labels = [0, 2, 1]
    const weights = [1, 2, 0.5]
    const g = new Graph()
    const x = g.input('x', 'float32', ['batch', 3])
    const y = g.input('y', 'int64', ['batch'])
    const w = g.constant(weights, [3])
    const feeds = {
      x: new ort.Tensor('float32', Float32Array.from(logits), [3, 3]),
      y: new ort.Tensor('int64', BigInt64Array.from(labels, BigInt), [3]),
    }
    const nll = labels.map((l, r) => {
      const row = logits.slice(r * 3, r * 3 + 3)
      return -(row[l] - Math.log(row.reduce((a, b) => a + Math.exp(b), 0)))
    })
    const plain = await run([x, y], crossEntropy(x, y), feeds)
    expect((plain.data as Float32Array)[0]).toBeCloseTo(nll.reduce((a, b) => a + b) / 3, 5)
    const weighted = await run([x, y], crossEntropy(x, y, { classWeights: w }), feeds)
    const wl = labels.map((l) => weights[l])
    const expected = nll.reduce((a, b, i) => a + b * wl[i], 0) / wl.reduce((a, b) => a + b)
    expect((weighted.data as Float32Array)[0]).toBeCloseTo(expected, 5)
  })

  it('bceWithLogits matches the stable sigmoid cross-entropy, with positive weights', async () => {
    const xs = [3, -2, 0.5, -40, 40, 0]
    const ts = [1, 0, 0, 1, 1, 0]
    const pw = [2, 0.5, 1]
    const g = new Graph()
    const x = g.input('x', 'float32', [2, 3])
    const t = g.input('t', 'float32', [2, 3])
    const y = await run([x, t], bceWithLogits(x, t, { posWeight: g.constant(pw, [3]) }), {
      x: new ort.Tensor('float32', Float32Array.from(xs), [2, 3]),
      t: new ort.Tensor('float32', Float32Array.from(ts), [2, 3]),
    })
    const logSig = (v: number) => (v >= 0 ? -Math.log1p(Math.exp(-v)) : v - Math.log1p(Math.exp(v)))
    const ref = xs.map((v, i) => -(pw[i % 3] * ts[i] * logSig(v) + (1 - ts[i]) * logSig(-v)))
    expect((y.data as Float32Array)[0]).toBeCloseTo(ref.reduce((a, b) => a + b) / 6, 4)
  })

  it('dropout is deterministic per seed, differs across seeds and keeps about 1 - p scaled by 1/(1-p)', async () => {
    const g = new Graph()
    const x = g.input('x', 'float32', ['batch', 'seq', 64])
    const seed = g.input('seed', 'int64', [])
    const y = dropout(x, 0.25, seed)
    const s = await ort.InferenceSession.create(
      emitOnnx({ inputs: [x, seed], outputs: [{ name: 'y', tensor: y }] }),
    )
    const ones = new ort.Tensor('float32', new Float32Array(4 * 8 * 64).fill(1), [4, 8, 64])
    const at = async (sd: number) =>
      (await s.run({ x: ones, seed: new ort.Tensor('int64', BigInt64Array.of(BigInt(sd)), []) })).y
        .data as Float32Array
    const [a, b, c] = [await at(42), await at(42), await at(43)]
    expect(Array.from(a)).toEqual(Array.from(b))
    expect(Array.from(a)).not.toEqual(Array.from(c))
    const kept = a.filter((v) => v !== 0)
    expect(new Set(kept)).toEqual(new Set([Math.fround(1 / 0.75)]))
    expect(kept.length / a.length).toBeGreaterThan(0.71)
    expect(kept.length / a.length).toBeLessThan(0.79)
    // Neighbouring elements are not striped: the mask of row 0 differs from row 1.
    expect(Array.from(a.slice(0, 64))).not.toEqual(Array.from(a.slice(64, 128)))
    await s.release()
  })
})

describe('composite blocks: gradients match finite differences', () => {
  const cases: [string, (xs: Tensor[], g: Graph) => Tensor, Parameters<typeof checkGrad>[1]][] = [
    ['gelu', ([x]) => gelu(x), [{ shape: [2, 5] }]],
    [
      'layerNorm (x, gamma, beta)',
      ([x, gm, bt]) => layerNorm(x, gm, bt, 1e-5),
      [{ shape: [3, 4] }, { shape: [4] }, { shape: [4] }],
    ],
    [
      'layerNorm symbolic batch, 3-d',
      ([x, gm, bt]) => layerNorm(x, gm, bt, 1e-12),
      [{ shape: ['batch', 2, 3], feed: [2, 2, 3] }, { shape: [3] }, { shape: [3] }],
    ],
    ['crossEntropy', ([x], g) => crossEntropy(x, i64(g, [2, 0, 1, 2], [4])), [{ shape: [4, 3] }]],
    [
      'crossEntropy weighted (logits and weights)',
      ([x, w], g) => crossEntropy(x, i64(g, [1, 1, 0], [3]), { classWeights: w }),
      [{ shape: [3, 2] }, { shape: [2], lo: 0.5, hi: 2 }],
    ],
    [
      'crossEntropy of a linear layer',
      ([x, w], g) => crossEntropy(matmul(x, w), i64(g, [0, 2], [2])),
      [{ shape: [2, 4] }, { shape: [4, 3] }],
    ],
    [
      'bceWithLogits',
      ([x], g) => bceWithLogits(x, g.constant([1, 0, 0, 1, 1, 0], [2, 3])),
      [{ shape: [2, 3], gap: 0.05 }],
    ],
    ['dropout (fixed seed)', ([x], g) => dropout(x, 0.3, i64(g, [5], [])), [{ shape: [3, 4] }]],
  ]
  it.each(cases)('%s', async (_name, build, inputs) => {
    const { analytic, maxError } = await checkGrad(build, inputs, 11)
    expect(maxError).toBeLessThan(2e-3)
    for (const a of analytic) expect(Math.max(...Array.from(a, Math.abs))).toBeGreaterThan(1e-4)
  })
})

it('rng is seeded', () => {
  expect(rng(1)()).toBe(rng(1)())
})
