import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { afterEach, describe, expect, it } from 'vitest'
import { baselineConfig, createBaselineAdapter } from '../../../../main/ml/models/baseline-adapter'
import { baselineNgrams } from '../../../../main/ml/models/baseline-features'
import { createGraphStepRunner } from '../../../../main/ml/train/graph-step-runner'
import { NonFiniteError, loadCheckpoint } from '../../../../main/ml/train/checkpoint'
import {
  trainClassifier,
  TrainingCancelledError,
  type TrainerOptions,
} from '../../../../main/ml/train/trainer'
import {
  loadClassifierBundle,
  saveClassifierBundle,
} from '../../../../main/ml/infer/classifier-bundle'
import type { BaselineEncoded } from '../../../../main/ml/models/baseline-adapter'

const fixture = fileURLToPath(
  new URL('../../../fixtures/train/bilingual-health.csv', import.meta.url),
)
const rows = parse(readFileSync(fixture), { columns: true }) as { text: string; label: string }[]
const labelNames = ['健康', '疾病']
const data = {
  texts: rows.map((r) => r.text),
  labels: rows.map((r) => labelNames.indexOf(r.label)),
}

const dirs: string[] = []
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'cts-trainer-'))
  dirs.push(d)
  return d
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

const config = baselineConfig({
  numClasses: 2,
  seed: 7,
  maxFeatures: 64,
  dropout: 0.1,
  buckets: 4096,
  dim: 16,
})

function options(
  over: Partial<TrainerOptions<BaselineEncoded>> = {},
): TrainerOptions<BaselineEncoded> {
  return {
    adapter: createBaselineAdapter(config, 16),
    train: data,
    dev: data,
    epochs: 4,
    batchSize: 8,
    learningRate: 0.05,
    warmupRatio: 0.1,
    weightDecay: 0,
    clipNorm: 5,
    patience: 10,
    seed: 7,
    classWeights: false,
    createRunner: (req) => createGraphStepRunner(req, 'cpu'),
    ...over,
  }
}

/** A run cancelled as epoch 3 starts: its checkpoint folder (last.ckpt holds epoch 2). */
async function interruptedAtEpoch3(
  over: Partial<TrainerOptions<BaselineEncoded>> = {},
): Promise<string> {
  const dir = tmp()
  const controller = new AbortController()
  await expect(
    trainClassifier(
      options({
        ...over,
        checkpointDir: dir,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'training' && p.epoch === 3) controller.abort()
        },
      }),
    ),
  ).rejects.toThrow(TrainingCancelledError)
  return dir
}

describe('baseline features', () => {
  it('uses word uni/bi-grams for English and character 1–3-grams for Chinese', () => {
    expect(baselineNgrams('Chest pain', 'cjk')).toEqual(['w:chest', 'w:pain', 'b:chest pain'])
    expect(baselineNgrams('咳嗽', 'cjk')).toEqual(['c1:咳', 'c1:嗽', 'c2:咳嗽'])
  })
})

describe('trainClassifier (baseline)', () => {
  it('gives the same loss curve for the same seed and learns the bilingual fixture', async () => {
    const a = await trainClassifier(options())
    const b = await trainClassifier(options())
    expect(a.epochs.map((e) => e.trainLoss)).toEqual(b.epochs.map((e) => e.trainLoss))
    const c = await trainClassifier(options({ seed: 8 }))
    expect(c.epochs.map((e) => e.trainLoss)).not.toEqual(a.epochs.map((e) => e.trainLoss))
    expect(a.epochs.at(-1)!.trainLoss).toBeLessThan(a.epochs[0].trainLoss)
    expect(a.epochs.at(-1)!.dev!.accuracy).toBe(1)
    expect(a.provider).toBe('cpu')

    // The exported bundle predicts unseen Chinese and English sentences.
    const dir = tmp()
    saveClassifierBundle(dir, createBaselineAdapter(config, 16, a.weights), labelNames)
    const model = await loadClassifierBundle(dir)
    const probs = await model.predict(['病人发热咳嗽', '体检正常身体健康', 'cough and fever'])
    await model.release()
    expect(
      Array.from({ length: 3 }, (_, i) => (probs[i * 2 + 1] > probs[i * 2] ? '疾病' : '健康')),
    ).toEqual(['疾病', '健康', '疾病'])
  })

  it('resumes from its checkpoint after an interruption and ends exactly as an uninterrupted run', async () => {
    const full = await trainClassifier(options())
    const dir = await interruptedAtEpoch3()
    expect(loadCheckpoint<{ epoch: number }>(join(dir, 'last.ckpt'))!.state.epoch).toBe(2)
    const resumed = await trainClassifier(options({ checkpointDir: dir }))
    expect(resumed.resumedEpochs).toBe(2)
    expect(resumed.epochs.map((e) => e.trainLoss)).toEqual(full.epochs.map((e) => e.trainLoss))
    expect([...resumed.weights.get('baseline.classifier.weight')!]).toEqual([
      ...full.weights.get('baseline.classifier.weight')!,
    ])
  })

  it('without dev data returns and checkpoints the last epoch, also after a resume', async () => {
    const head = (w: Map<string, Float32Array>) => [...w.get('baseline.classifier.weight')!]
    const full = await trainClassifier(options({ dev: undefined, checkpointDir: tmp() }))
    expect(full.bestEpoch).toBe(4)
    const dir = await interruptedAtEpoch3({ dev: undefined })
    // best.ckpt holds epoch 2 now (as last.ckpt); the resumed run must not hand it back after
    // epochs 3 and 4.
    const saved = (file: string) => [
      ...loadCheckpoint(join(dir, file))!.tensors['baseline.classifier.weight'].data,
    ]
    expect(saved('best.ckpt')).toEqual(saved('last.ckpt'))
    expect(saved('best.ckpt')).not.toEqual(head(full.weights))
    const resumed = await trainClassifier(options({ dev: undefined, checkpointDir: dir }))
    expect(resumed.resumedEpochs).toBe(2)
    expect(head(resumed.weights)).toEqual(head(full.weights))
    expect(saved('best.ckpt')).toEqual(head(full.weights))
  })

  it('stops on a non-finite loss without saving the bad weights', async () => {
    const dir = tmp()
    await expect(
      trainClassifier(options({ learningRate: 1e38, clipNorm: 0, checkpointDir: dir })),
    ).rejects.toThrow(NonFiniteError)
    expect(existsSync(join(dir, 'last.ckpt'))).toBe(false)
  })

  it('stops early when dev macro-F1 stops improving', async () => {
    const r = await trainClassifier(options({ epochs: 30, patience: 2, learningRate: 0.1 }))
    expect(r.stoppedEarly).toBe(true)
    expect(r.epochs.length).toBe(r.bestEpoch + 2)
  })
})
