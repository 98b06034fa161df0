// Freezing BERT's embeddings and bottom layers through the training config: after a run, frozen
// weights in the saved model are exactly the base model's and the layers above them have moved.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { afterAll, describe, expect, it } from 'vitest'
import { ForkHost } from '../../../main/jobs/fork-host'
import { JobService } from '../../../main/jobs/job-service'
import { readOnnxWeights } from '../../../main/ml/infer/bundle-graph'
import { readSafetensorsFile } from '../../../main/ml/models/safetensors'
import { RunsService } from '../../../main/services/runs-service'
import { TrainingService } from '../../../main/services/training-service'
import { openWorkspace } from '../../../main/store/workspace'
import { writeTinyBertFolder } from '../ml/infer/bundles'

const fixture = fileURLToPath(new URL('../../fixtures/train/bilingual-health.csv', import.meta.url))
const rows = parse(readFileSync(fixture), { columns: true }) as { text: string; label: string }[]
const labels = ['健康', '疾病']
const entry = fileURLToPath(new URL('../../../main/jobs/job-entry.ts', import.meta.url))

const home = mkdtempSync(join(tmpdir(), 'cts-freeze-'))
const ws = openWorkspace(home)
const modelDir = writeTinyBertFolder()
afterAll(() => {
  ws.close()
  rmSync(home, { recursive: true, force: true })
  rmSync(dirname(modelDir), { recursive: true, force: true })
})

const maxAbsDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0)

/** Trains the tiny BERT (one encoder layer) for one epoch; returns how far each weight moved. */
async function movedAfterTraining(freeze: { freezeEmbeddings?: boolean; freezeLayers?: number }) {
  const runs = new RunsService(ws.db, ws.runsDir)
  const jobs = new JobService({ host: new ForkHost({ entry }), publish: () => {} })
  const training = new TrainingService(runs, jobs, ws.db)
  const started = training.start(
    {
      labels,
      train: { texts: rows.map((r) => r.text), labels: rows.map((r) => labels.indexOf(r.label)) },
    },
    {
      model: modelDir,
      epochs: 1,
      batchSize: 8,
      maxLength: 16,
      learningRate: 1e-2,
      seed: 2,
      device: 'cpu',
      ...freeze,
    },
  )
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
