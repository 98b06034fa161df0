// Attention fusion (main/ml/infer/fuse-graph.ts): attention cores become MultiHeadAttention in fp32
// and int8 graphs, and the fused graph predicts what the unfused one does (within 1e-5 for fp32,
// 1e-4 for MiniLM's logits and probabilities, fp32 and int8) on padded bilingual batches.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { decodeModel } from '../../../../main/ml/graph'
import {
  inferenceModelBytes,
  loadClassifierBundle,
} from '../../../../main/ml/infer/classifier-bundle'
import { fuseInferenceGraph } from '../../../../main/ml/infer/fuse-graph'
import { predictProbabilities } from '../../../../main/ml/infer/predict'
import { quantizeModelInt8 } from '../../../../main/ml/infer/quantize'
import { createBertAdapter, type BertAdapter } from '../../../../main/ml/models/bert-adapter'
import { writeBaselineBundle, writeBertBundle, writeTinyBertFolder } from './bundles'

const MINILM = fileURLToPath(
  new URL('../../../../resources/models/all-MiniLM-L6-v2', import.meta.url),
)
// Lengths differ, so every batch has padded rows (the mask path of the fused attention).
const TEXTS = [
  'fever and cough for three days, worse at night, with yellow sputum',
  '胸痛',
  'routine checkup, no complaints',
  '腹泻伴呕吐两天 and mild fever',
  'ok',
]

async function outputs(model: Uint8Array, adapter: BertAdapter) {
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'all' })
  const items = TEXTS.map((t) => adapter.encode(t))
  const probs = await predictProbabilities(session, adapter, items, { batchSize: 3 })
  const logits = await predictProbabilities(session, adapter, items, {
    batchSize: 3,
    output: 'logits',
  })
  await session.release()
  return { probs, logits }
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length)
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0)
}

const opCounts = (bytes: Uint8Array) => {
  const counts: Record<string, number> = {}
  for (const n of decodeModel(bytes).graph.node) counts[n.op_type] = (counts[n.op_type] ?? 0) + 1
  return counts
}

describe('fuseInferenceGraph', () => {
  it('fuses the tiny BERT: one attention, same predictions', async () => {
    const adapter = await createBertAdapter(writeTinyBertFolder('cls', 2, 5), {
      numClasses: 2,
      maxLength: 16,
      head: 'cls',
    })
    const fp32 = inferenceModelBytes(adapter)
    const { bytes, stats } = fuseInferenceGraph(fp32)
    expect(stats).toEqual({ attention: 1 })
    const ops = opCounts(bytes)
    expect(ops.MultiHeadAttention).toBe(1)
    // The attention's softmax, head transposes and mask chain are gone; the probabilities' stays.
    expect(ops.Softmax).toBe(1)
    expect(ops.Unsqueeze).toBeUndefined()
    expect(opCounts(fp32).Softmax).toBe(2)
    const before = await outputs(fp32, adapter)
    const after = await outputs(bytes, adapter)
    expect(maxDiff(before.logits, after.logits)).toBeLessThan(1e-5)
    expect(maxDiff(before.probs, after.probs)).toBeLessThan(1e-5)
  })

  it('fuses MiniLM fp32 and int8 and predicts the unfused probabilities within 1e-4', async () => {
    const adapter = await createBertAdapter(MINILM, {
      numClasses: 3,
      maxLength: 32,
      head: 'mean',
      initSeed: 2,
    })
    const fp32 = inferenceModelBytes(adapter)
    const fused = fuseInferenceGraph(fp32)
    expect(fused.stats).toEqual({ attention: 6 })
    const a = await outputs(fp32, adapter)
    const b = await outputs(fused.bytes, adapter)
    expect(maxDiff(a.logits, b.logits)).toBeLessThan(1e-4)
    expect(maxDiff(a.probs, b.probs)).toBeLessThan(1e-4)

    const int8 = quantizeModelInt8(fp32).bytes
    const int8Fused = fuseInferenceGraph(int8)
    expect(int8Fused.stats).toEqual({ attention: 6 })
    expect(opCounts(int8Fused.bytes).DynamicQuantizeMatMul).toBe(
      opCounts(int8).DynamicQuantizeMatMul,
    )
    const c = await outputs(int8, adapter)
    const d = await outputs(int8Fused.bytes, adapter)
    expect(maxDiff(c.logits, d.logits)).toBeLessThan(1e-4)
    expect(maxDiff(c.probs, d.probs)).toBeLessThan(1e-4)
  }, 60_000)

  it('leaves a graph without attention (the baseline) as it was', () => {
    const dir = writeBaselineBundle()
    const bytes = new Uint8Array(readFileSync(join(dir, 'model.onnx')))
    const out = fuseInferenceGraph(bytes)
    expect(out.stats).toEqual({ attention: 0 })
    expect(out.bytes).toBe(bytes)
  })

  it('loadClassifierBundle with fuse predicts what it predicts without', async () => {
    const dir = await writeBertBundle(writeTinyBertFolder('cls', 2, 4), { maxLength: 16 })
    const plain = await loadClassifierBundle(dir, 'cpu', { quantization: 'none' })
    const fused = await loadClassifierBundle(dir, 'cpu', { quantization: 'none', fuse: true })
    const p = await plain.predict(TEXTS, 2)
    const f = await fused.predict(TEXTS, 2)
    await plain.release()
    await fused.release()
    expect(p).toHaveLength(TEXTS.length * 2)
    expect(maxDiff(p, f)).toBeLessThan(1e-5)
  })
})
