// BERT as the trainer's ClassifierAdapter over the real all-MiniLM-L6-v2 folder: pooling taken
// from the folder, texts cut to maxLength, batches padded with [PAD] and masked, and the trainer
// runs it end to end.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createBertAdapter } from '../../../../main/ml/models/bert-adapter'
import { createGraphStepRunner } from '../../../../main/ml/train/graph-step-runner'
import { trainClassifier } from '../../../../main/ml/train/trainer'

const MINILM = join(process.cwd(), 'resources/models/all-MiniLM-L6-v2')

describe('BERT adapter', () => {
  it('encodes, pads and masks texts as the tokenizer and the graph expect', async () => {
    const a = await createBertAdapter(MINILM, { numClasses: 2, maxLength: 12, lengthMultiple: 8 })
    expect(a.kind).toBe('bert')
    expect(a.model.options.head).toBe('mean') // sentence-transformers folder: mean pooling
    expect(a.graph.trainable).toHaveLength(a.model.params.length)
    const short = a.encode('chest pain')
    expect(short.ids).toEqual([101, 3108, 3255, 102])
    const long = a.encode(
      'the patient reports chest pain radiating to the left arm since this morning',
    )
    expect(long.length).toBe(12)
    expect(long.ids[0]).toBe(101)
    expect(long.ids[11]).toBe(102)
    const f = a.feeds([short, long], 12)
    expect(f.input_ids.dims).toEqual([2, 12])
    const ids = Array.from(f.input_ids.data as BigInt64Array, Number)
    expect(ids.slice(0, 12)).toEqual([101, 3108, 3255, 102, 0, 0, 0, 0, 0, 0, 0, 0])
    expect(Array.from(f.attention_mask.data as BigInt64Array, Number).slice(0, 12)).toEqual([
      1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0,
    ])
    expect(Array.from(f.token_type_ids.data as BigInt64Array, Number).every((v) => v === 0)).toBe(
      true,
    )
    expect(a.describe()).toMatchObject({
      kind: 'bert',
      baseModel: 'all-MiniLM-L6-v2',
      head: 'mean',
      maxLength: 12,
    })
  })

  it('trains through the generic trainer and hands back every trainable weight', async () => {
    const a = await createBertAdapter(MINILM, {
      numClasses: 2,
      maxLength: 16,
      head: 'cls',
      freezeEmbeddings: true,
      freezeLayers: 5,
    })
    const texts = ['fever and cough', 'broken left wrist', 'high fever, chills', 'fractured ankle']
    const r = await trainClassifier({
      adapter: a,
      train: { texts, labels: [0, 1, 0, 1] },
      epochs: 1,
      batchSize: 2,
      learningRate: 1e-3,
      warmupRatio: 0,
      weightDecay: 0.01,
      clipNorm: 1,
      patience: 1,
      seed: 1,
      classWeights: false,
      createRunner: (q) => createGraphStepRunner(q, 'cpu'),
    })
    expect(r.epochs).toHaveLength(1)
    expect(Number.isFinite(r.epochs[0].trainLoss)).toBe(true)
    const trainable = a.model.params.filter((p) => p.trainable).map((p) => p.name)
    expect([...r.weights.keys()].sort()).toEqual([...trainable].sort())
    // Only layer 5, the pooler and the classifier train; the classifier really moved.
    expect(trainable.every((n) => /^(encoder\.layer\.5\.|pooler\.|classifier\.)/.test(n))).toBe(
      true,
    )
    const before = a.model.params.find((p) => p.name === 'classifier.weight')?.tensor.source as {
      init: Float32Array
    }
    expect(r.weights.get('classifier.weight')).not.toEqual(before.init)
  }, 60_000)
})
