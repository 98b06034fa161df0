// Freezing BERT's embeddings and bottom layers through the training config: after a run, frozen
// weights in the saved model are exactly the base model's and the layers above them have moved.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readOnnxWeights } from '../../../main/ml/infer/bundle-graph'
import { readSafetensorsFile } from '../../../main/ml/models/safetensors'
import { bilingualTrainingData, tinyBertWorkspace } from './tiny-bert-run'

const { modelDir, services } = tinyBertWorkspace('cts-freeze-')

const maxAbsDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0)

/** Trains the tiny BERT (one encoder layer) for one epoch; returns how far each weight moved. */
async function movedAfterTraining(freeze: { freezeEmbeddings?: boolean; freezeLayers?: number }) {
  const { runs, jobs, training } = services()
  const started = await training.start(bilingualTrainingData(), {
    model: modelDir,
    epochs: 1,
    batchSize: 8,
    maxLength: 16,
    learningRate: 1e-2,
    seed: 2,
    device: 'cpu',
    ...freeze,
  })
  const run = await started.done
  jobs.dispose()
  expect(run).toMatchObject({ status: 'success', modelKind: 'bert' })
  const base = (await readSafetensorsFile(join(modelDir, 'model.safetensors'))).tensors
  const saved = readOnnxWeights(readFileSync(join(runs.runDir(run.id), 'model.onnx')))
  return {
    config: run.config,
    moved: (name: string) => maxAbsDiff(saved.get(name)!.data, base.get(name)!.data),
  }
}

describe('freezing BERT weights from the training config', () => {
  it('keeps the embeddings and the bottom layer exactly as they were, and trains the pooler', async () => {
    const { config, moved } = await movedAfterTraining({ freezeEmbeddings: true, freezeLayers: 1 })
    expect(config).toMatchObject({ freezeEmbeddings: true, freezeLayers: 1 })
    expect(moved('embeddings.word_embeddings.weight')).toBe(0)
    expect(moved('embeddings.LayerNorm.weight')).toBe(0)
    expect(moved('encoder.layer.0.attention.self.query.weight')).toBe(0)
    expect(moved('encoder.layer.0.output.dense.weight')).toBe(0)
    expect(moved('pooler.dense.weight')).toBeGreaterThan(1e-4)
  }, 120_000)

  it('trains the same weights when nothing is frozen', async () => {
    const { config, moved } = await movedAfterTraining({})
    expect(config).toMatchObject({ freezeEmbeddings: false, freezeLayers: 0 })
    expect(moved('embeddings.word_embeddings.weight')).toBeGreaterThan(1e-4)
    expect(moved('encoder.layer.0.attention.self.query.weight')).toBeGreaterThan(1e-4)
    expect(moved('pooler.dense.weight')).toBeGreaterThan(1e-4)
  }, 120_000)
})
