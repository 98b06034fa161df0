// int8 dynamic quantization (main/ml/infer/quantize.ts): weight matmuls become
// DynamicQuantizeMatMul (GELU outputs: per-token MatMulInteger; Q, K, V merged into one),
// attention matmuls stay float, onnxruntime loads the result, its probabilities and logits stay
// close to fp32 (merging changes none of them), the file shrinks.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { decodeModel, encodeModel } from '../../../../main/ml/graph'
import { inferenceModelBytes } from '../../../../main/ml/infer/classifier-bundle'
import { predictProbabilities } from '../../../../main/ml/infer/predict'
import {
  type ActivationScaling,
  WEIGHT_MAX,
  int8ModelBytes,
  quantizeColumns,
  quantizeModelInt8,
  weightsWithinRange,
} from '../../../../main/ml/infer/quantize'
import { ONNX_INT8 } from '../../../../main/ml/infer/quantize-token'
import { BUNDLE_MODEL, BUNDLE_MODEL_INT8 } from '../../../../main/shared'
import { createBertAdapter } from '../../../../main/ml/models/bert-adapter'
import { writeTinyBertFolder } from './bundles'

const MINILM = fileURLToPath(
  new URL('../../../../resources/models/all-MiniLM-L6-v2', import.meta.url),
)
const TEXTS = [
  'fever and cough for three days',
  '胸痛，夜间加重',
  'routine checkup, no complaints',
  '腹泻伴呕吐两天 and mild fever',
]

async function probsOf(
  model: Uint8Array,
  adapter: Awaited<ReturnType<typeof createBertAdapter>>,
  output = 'probs',
) {
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'all' })
  const probs = await predictProbabilities(
    session,
    adapter,
    TEXTS.map((t) => adapter.encode(t)),
    { batchSize: 2, output },
  )
  await session.release()
  return probs
}

describe('quantizeColumns', () => {
  it('scales each column by its largest magnitude / 63 and rounds symmetrically', () => {
    // B [2 × 3]: columns (1, -0.5), (0, 0), (0.254, 0.1)
    const { q, scales } = quantizeColumns({
      rows: 2,
      cols: 3,
      data: new Float32Array([1, 0, 0.254, -0.5, 0, 0.1]),
    })
    expect(WEIGHT_MAX).toBe(63)
    expect(Array.from(scales)).toEqual([Math.fround(1 / 63), 1, Math.fround(0.254 / 63)])
    expect(Array.from(q)).toEqual([63, 0, 63, -31, 0, 25])
  })

  it('keeps two u8 × weight products within int16, where AVX2 kernels add them with saturation', () => {
    // vpmaddubsw (x86 without VNNI) sums pairs of u8 · s8 in int16 and saturates: the weight range
    // must keep 2 · 255 · max|w| ≤ 32,767 so that every CPU computes exact products.
    const { q } = quantizeColumns({
      rows: 4,
      cols: 2,
      data: new Float32Array([3, -0.001, -3, 0.002, 2.9999, -0.002, -1.5, 0.0005]),
    })
    expect(Math.max(...Array.from(q, Math.abs))).toBe(WEIGHT_MAX)
    expect(2 * 255 * WEIGHT_MAX).toBeLessThanOrEqual(32_767)
  })
})

describe('int8ModelBytes', () => {
  it('uses a saved int8 model of 7-bit weights as it is and quantizes an 8-bit one again', async () => {
    const tiny = writeTinyBertFolder('cls', 2, 5)
    const adapter = await createBertAdapter(tiny, { numClasses: 2, maxLength: 16, head: 'cls' })
    const fp32 = inferenceModelBytes(adapter)
    const fresh = quantizeModelInt8(fp32).bytes
    const run = mkdtempSync(join(tmpdir(), 'cts-int8-run-'))
    try {
      writeFileSync(join(run, BUNDLE_MODEL), fp32)
      // A saved file as the train job writes it now: returned byte for byte.
      writeFileSync(join(run, BUNDLE_MODEL_INT8), fresh)
      expect(weightsWithinRange(fresh)).toBe(true)
      expect(Buffer.from(int8ModelBytes(run)).equals(Buffer.from(fresh))).toBe(true)
      // A file saved with 8-bit weights (one level at 127): quantized again from model.onnx.
      const legacy = decodeModel(fresh.slice())
      const weight = legacy.graph.initializer!.find((t) => t.data_type === ONNX_INT8)!
      weight.raw_data![0] = 127
      const legacyBytes = encodeModel(legacy.graph, 18)
      expect(weightsWithinRange(legacyBytes)).toBe(false)
      writeFileSync(join(run, BUNDLE_MODEL_INT8), legacyBytes)
      expect(Buffer.from(int8ModelBytes(run)).equals(Buffer.from(fresh))).toBe(true)
    } finally {
      rmSync(run, { recursive: true, force: true })
    }
  })
})

describe('quantizeModelInt8', () => {
  it('quantizes every linear layer of a tiny BERT and keeps the attention matmuls float', async () => {
    const dir = writeTinyBertFolder('cls', 2, 5)
    const adapter = await createBertAdapter(dir, { numClasses: 2, maxLength: 16, head: 'cls' })
    const fp32 = inferenceModelBytes(adapter)
    const { bytes, stats } = quantizeModelInt8(fp32)
    // 1 layer: Q, K, V, attention output, intermediate, output (6) + pooler + classifier.
    expect(stats).toEqual({ quantized: 8, biasFused: 8, keptFloat: 2 })
    const ops = decodeModel(bytes).graph.node.map((n) => n.op_type)
    // The FFN down-projection reads GELU's output: per-token scaled, through MatMulInteger; Q, K
    // and V read one input: one DynamicQuantizeMatMul and a Split (8 − 1 − 2 = 5).
    expect(ops.filter((o) => o === 'DynamicQuantizeMatMul')).toHaveLength(5)
    expect(ops.filter((o) => o === 'Split')).toHaveLength(1)
    expect(ops.filter((o) => o === 'MatMulInteger')).toHaveLength(1)
    expect(ops.filter((o) => o === 'MatMul')).toHaveLength(2)
    // Per-tensor int8 shrinks even this 8 kB model; the per-token nodes add a fixed few hundred
    // bytes that only larger models amortize (MiniLM below: under 0.7× with them).
    expect(quantizeModelInt8(fp32, { activations: 'tensor' }).bytes.byteLength).toBeLessThan(
      fp32.byteLength,
    )
    const a = await probsOf(fp32, adapter)
    const b = await probsOf(bytes, adapter)
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(0.02)
  })

  it('keeps MiniLM close to fp32 at a third of the matmul bytes', async () => {
    const adapter = await createBertAdapter(MINILM, { numClasses: 3, maxLength: 32, initSeed: 4 })
    const fp32 = inferenceModelBytes(adapter)
    const { bytes, stats } = quantizeModelInt8(fp32)
    // 6 layers × 6 linear layers + the classifier; 6 × 2 attention matmuls.
    expect(stats).toEqual({ quantized: 37, biasFused: 37, keptFloat: 12 })
    expect(bytes.byteLength).toBeLessThan(fp32.byteLength * 0.7)
    const a = await probsOf(fp32, adapter)
    const b = await probsOf(bytes, adapter)
    let worst = 0
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]))
    expect(worst).toBeLessThan(0.02)
  }, 60_000)
})

describe('merging the matmuls that share an input', () => {
  it('gives exactly the probabilities and logits of separate Q, K and V matmuls', async () => {
    const adapter = await createBertAdapter(MINILM, { numClasses: 3, maxLength: 32, initSeed: 4 })
    const fp32 = inferenceModelBytes(adapter)
    const merged = quantizeModelInt8(fp32)
    const separate = quantizeModelInt8(fp32, { mergeShared: false })
    expect(merged.stats).toEqual(separate.stats)
    const ops = (b: Uint8Array) => decodeModel(b).graph.node.map((n) => n.op_type)
    expect(ops(merged.bytes).filter((o) => o === 'Split')).toHaveLength(6)
    expect(ops(separate.bytes).filter((o) => o === 'Split')).toHaveLength(0)
    for (const output of ['probs', 'logits']) {
      const a = await probsOf(separate.bytes, adapter, output)
      const b = await probsOf(merged.bytes, adapter, output)
      expect(Array.from(b)).toEqual(Array.from(a))
    }
  }, 60_000)
})

describe('activation scaling', () => {
  // MiniLM with a seeded random head (logits of about ±1), 4 bilingual texts. Measured max |Δlogit|
  // against fp32 with 7-bit weights (WEIGHT_MAX; the integer products are exact on every CPU, so
  // these hold on AVX2 and VNNI machines alike): tensor 0.054, default 0.037, token 0.027,
  // token-asym 0.031 (mean 0.022 / 0.017 / 0.012 / 0.013). With 8-bit weights token-asym was the
  // closest (mean 0.006); with 7-bit ones the weights' rounding dominates and token and
  // token-asym are even here, so only "per token beats per tensor" is asserted.
  const TOLERANCE = { tensor: 0.1, default: 0.1, token: 0.04, 'token-asym': 0.04 }
  it('keeps every logit within its stated tolerance of fp32, per-token closer than per-tensor', async () => {
    const adapter = await createBertAdapter(MINILM, { numClasses: 3, maxLength: 32, initSeed: 4 })
    const fp32 = inferenceModelBytes(adapter)
    const ref = await probsOf(fp32, adapter, 'logits')
    const maxError: Record<string, number> = {}
    const meanError: Record<string, number> = {}
    // default: per-token asymmetric for the 6 FFN down-projections (GELU's output), else tensor.
    const integerMatMuls = { tensor: 0, default: 6, token: 37, 'token-asym': 37 }
    for (const scaling of ['tensor', 'default', 'token', 'token-asym'] as const) {
      const activations = scaling === 'default' ? undefined : (scaling as ActivationScaling)
      const { bytes, stats } = quantizeModelInt8(fp32, { activations })
      expect(stats.quantized).toBe(37)
      const ops = decodeModel(bytes).graph.node.map((n) => n.op_type)
      expect(ops.filter((o) => o === 'MatMulInteger')).toHaveLength(integerMatMuls[scaling])
      // Per-tensor Q, K and V of each of the 6 layers share one DynamicQuantizeMatMul.
      const merged = integerMatMuls[scaling] === 37 ? 0 : 6 * 2
      expect(ops.filter((o) => o === 'DynamicQuantizeMatMul')).toHaveLength(
        37 - integerMatMuls[scaling] - merged,
      )
      const got = await probsOf(bytes, adapter, 'logits')
      const d = Array.from(got, (g, i) => Math.abs(g - ref[i]))
      maxError[scaling] = Math.max(...d)
      meanError[scaling] = d.reduce((x, y) => x + y, 0) / d.length
      expect(maxError[scaling]).toBeLessThan(TOLERANCE[scaling])
    }
    expect(meanError['token-asym']).toBeLessThan(meanError.tensor)
    expect(meanError.token).toBeLessThan(meanError.tensor)
    expect(meanError.default).toBeLessThan(meanError.tensor)
  }, 120_000)
})
