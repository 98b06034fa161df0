// The BERT classifier graph: freezing, symbolic batch/sequence dims, padding that changes nothing,
// dropout only in training graphs (seeded), and train steps that lower the loss.
import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { emitOnnx } from '../../../../main/ml/graph'
import {
  buildBertClassifier,
  bertParamValues,
  type BertHead,
} from '../../../../main/ml/models/bert'
import { buildTrainStep } from '../../../../main/ml/train/train-step'
import { TINY_CONFIG, randomWeights } from './bert-random'

type Row = { ids: number[]; types?: number[] }

/** Feeds for rows padded with id 0 to `seq`. */
function feeds(rows: Row[], seq: number, extra: Record<string, ort.Tensor> = {}) {
  const n = rows.length * seq
  const ids = new BigInt64Array(n)
  const mask = new BigInt64Array(n)
  const types = new BigInt64Array(n)
  rows.forEach((r, i) =>
    r.ids.forEach((id, j) => {
      ids[i * seq + j] = BigInt(id)
      mask[i * seq + j] = 1n
      types[i * seq + j] = BigInt(r.types?.[j] ?? 0)
    }),
  )
  const dims = [rows.length, seq]
  return {
    input_ids: new ort.Tensor('int64', ids, dims),
    attention_mask: new ort.Tensor('int64', mask, dims),
    token_type_ids: new ort.Tensor('int64', types, dims),
    ...extra,
  }
}

async function session(bytes: Uint8Array) {
  return ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 })
}

const ROWS: Row[] = [
  { ids: [1, 7, 9, 4, 2] },
  { ids: [1, 12, 2, 5, 6, 21, 2], types: [0, 0, 0, 1, 1, 1, 1] },
  { ids: [1, 2] },
]

describe('BERT classifier graph', () => {
  it('freezes the embeddings and the bottom layers; pooler and classifier stay trainable', () => {
    const w = randomWeights(TINY_CONFIG, 2, 'cls')
    const m = buildBertClassifier(TINY_CONFIG, w, {
      numLabels: 2,
      head: 'cls',
      training: true,
      freezeEmbeddings: true,
      freezeLayers: 1,
    })
    const trainable = m.params.filter((p) => p.trainable).map((p) => p.name)
    expect(
      trainable.every(
        (n) =>
          n.startsWith('encoder.layer.1.') ||
          n.startsWith('pooler.') ||
          n.startsWith('classifier.'),
      ),
    ).toBe(true)
    expect(trainable).toHaveLength(16 + 2 + 2)
    expect(m.trainable).toHaveLength(20)
    expect(m.decayMask).toEqual(m.params.filter((p) => p.trainable).map((p) => p.decay))
    expect(m.initialized).toEqual([])
    const all = buildBertClassifier(TINY_CONFIG, w, { numLabels: 2, head: 'cls', training: false })
    expect(all.trainable).toHaveLength(all.params.length)
    expect(bertParamValues(all).get('classifier.weight')).toBe(w.get('classifier.weight')?.data)
  })

  it('refuses more frozen layers than the model has, a longer max length than its positions, one label', () => {
    const w = randomWeights(TINY_CONFIG, 2, 'mean')
    const build = (o: object) => () =>
      buildBertClassifier(TINY_CONFIG, w, { numLabels: 2, head: 'mean', training: false, ...o })
    expect(build({ freezeLayers: 3 })).toThrow('Cannot freeze 3 layers: the model has 2.')
    expect(build({ maxLength: 17 })).toThrow(
      'Maximum length 17 exceeds the 16 positions this model knows.',
    )
    expect(build({ numLabels: 1 })).toThrow('A classifier needs at least 2 labels, got 1.')
    expect(build({ maxLength: 16, freezeLayers: 2 })).not.toThrow()
  })

  it.each<BertHead>(['cls', 'mean'])(
    '%s head: one session serves any batch and length, and padding never changes a row',
    async (head) => {
      const m = buildBertClassifier(TINY_CONFIG, randomWeights(TINY_CONFIG, 3, head), {
        numLabels: 3,
        head,
        training: false,
      })
      const s = await session(
        emitOnnx({ inputs: m.batchInputs, outputs: [{ name: 'logits', tensor: m.evalLogits }] }),
      )
      const tight = await s.run(feeds(ROWS, 7))
      const padded = await s.run(feeds(ROWS, 12))
      const alone = await s.run(feeds([ROWS[0]], 5))
      expect(tight.logits.dims).toEqual([3, 3])
      expect(padded.logits.dims).toEqual([3, 3])
      const a = Array.from(tight.logits.data as Float32Array)
      const b = Array.from(padded.logits.data as Float32Array)
      b.forEach((v, i) => expect(Math.abs(v - a[i])).toBeLessThan(1e-5))
      Array.from(alone.logits.data as Float32Array).forEach((v, i) =>
        expect(Math.abs(v - a[i])).toBeLessThan(1e-5),
      )
      // The rows differ, so the logits do: the model is not ignoring its input.
      expect(Math.abs(a[0] - a[3]) + Math.abs(a[1] - a[4])).toBeGreaterThan(1e-3)
      await s.release()
    },
  )

  it('applies dropout only in training graphs, the same mask for the same seed', async () => {
    const w = randomWeights(TINY_CONFIG, 2, 'cls')
    const m = buildBertClassifier(TINY_CONFIG, w, { numLabels: 2, head: 'cls', training: true })
    const s = await session(
      emitOnnx({
        inputs: [...m.batchInputs, m.dropoutSeed],
        outputs: [
          { name: 'train', tensor: m.logits },
          { name: 'eval', tensor: m.evalLogits },
        ],
      }),
    )
    const seed = (v: number) => ({
      dropout_seed: new ort.Tensor('int64', BigInt64Array.of(BigInt(v)), []),
    })
    const r1 = await s.run(feeds(ROWS, 7, seed(1)))
    const r1again = await s.run(feeds(ROWS, 7, seed(1)))
    const r2 = await s.run(feeds(ROWS, 7, seed(2)))
    const data = (t: ort.Tensor) => Array.from(t.data as Float32Array)
    expect(data(r1again.train)).toEqual(data(r1.train))
    expect(data(r2.train)).not.toEqual(data(r1.train))
    expect(data(r1.train)).not.toEqual(data(r1.eval))
    await s.release()

    const inference = buildBertClassifier(TINY_CONFIG, w, {
      numLabels: 2,
      head: 'cls',
      training: false,
    })
    expect(inference.logits).toBe(inference.evalLogits)
    const si = await session(
      emitOnnx({
        inputs: inference.batchInputs,
        outputs: [{ name: 'logits', tensor: inference.logits }],
      }),
    )
    expect(si.inputNames).toEqual(['input_ids', 'attention_mask', 'token_type_ids'])
    expect(data((await si.run(feeds(ROWS, 7))).logits)).toEqual(data(r1.eval))
    await si.release()
  })

  it('learns: twenty train steps with dropout drive the loss on a small batch down', async () => {
    const m = buildBertClassifier(TINY_CONFIG, randomWeights(TINY_CONFIG, 2, 'mean', 5), {
      numLabels: 2,
      head: 'mean',
      training: true,
      freezeLayers: 1,
    })
    const { model, io } = buildTrainStep({
      inputs: [...m.batchInputs, m.labels, m.dropoutSeed, m.classWeights],
      loss: m.loss,
      trainable: m.trainable,
      decayMask: m.decayMask,
    })
    const s = await session(model)
    const values = bertParamValues(m)
    const state: Record<string, ort.Tensor> = {}
    for (const p of io.params) {
      const v = values.get(p.name) as Float32Array
      state[p.input] = new ort.Tensor('float32', v, p.shape)
      state[p.m] = new ort.Tensor('float32', new Float32Array(v.length), p.shape)
      state[p.v] = new ort.Tensor('float32', new Float32Array(v.length), p.shape)
    }
    const losses: number[] = []
    for (let t = 1; t <= 20; t++) {
      const out = await s.run({
        ...feeds(ROWS, 7),
        ...state,
        labels: new ort.Tensor('int64', BigInt64Array.of(0n, 1n, 1n), [3]),
        dropout_seed: new ort.Tensor('int64', BigInt64Array.of(BigInt(t)), []),
        class_weights: new ort.Tensor('float32', Float32Array.of(1, 1), [2]),
        [io.step]: new ort.Tensor('float32', Float32Array.of(t), []),
        [io.lr]: new ort.Tensor('float32', Float32Array.of(1e-2), []),
        [io.weightDecay]: new ort.Tensor('float32', Float32Array.of(0.01), []),
      })
      losses.push((out[io.loss].data as Float32Array)[0])
      for (const p of io.params) {
        state[p.input] = out[p.output]
        state[p.m] = out[p.mOut]
        state[p.v] = out[p.vOut]
      }
    }
    await s.release()
    expect(losses.every(Number.isFinite)).toBe(true)
    expect(losses[19]).toBeLessThan(losses[0] * 0.5)
  })
})
