import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { createBertAdapter } from '../../../../main/ml/models/bert-adapter'
import { createGraphStepRunner } from '../../../../main/ml/train/graph-step-runner'
import { trainClassifier } from '../../../../main/ml/train/trainer'
import { BUNDLE_TOKENIZER_DIR } from '../../../../main/shared'
import {
  copyTokenizerFiles,
  loadClassifierBundle,
  saveClassifierBundle,
} from '../../../../main/ml/infer/classifier-bundle'

// The bundled default model (filled by scripts/setup-model.sh, as in CI).
const modelDir = fileURLToPath(
  new URL('../../../../resources/models/all-MiniLM-L6-v2', import.meta.url),
)
const texts = ['fever and cough', 'normal checkup', 'chest pain at night', 'healthy and well']
const labels = [1, 0, 1, 0]
const out = mkdtempSync(join(tmpdir(), 'cts-bert-train-'))
afterAll(() => rmSync(out, { recursive: true, force: true }))

describe('trainClassifier (BERT)', () => {
  it('fine-tunes the bundled model through the same loop and exports a bundle that predicts', async () => {
    const options = { numClasses: 2, maxLength: 16, lengthMultiple: 16, initSeed: 3 }
    const adapter = await createBertAdapter(modelDir, options)
    const r = await trainClassifier({
      adapter,
      train: { texts, labels },
      dev: { texts, labels },
      epochs: 1,
      batchSize: 4,
      learningRate: 1e-4,
      warmupRatio: 0,
      weightDecay: 0.01,
      clipNorm: 1,
      patience: 1,
      seed: 3,
      classWeights: false,
      createRunner: (req) => createGraphStepRunner(req, 'cpu'),
    })
    expect(r.epochs).toHaveLength(1)
    expect(Number.isFinite(r.epochs[0].trainLoss)).toBe(true)
    // One step from the untrained head: the loss is near ln 2.
    expect(r.epochs[0].trainLoss).toBeGreaterThan(0.4)
    expect(r.epochs[0].trainLoss).toBeLessThan(1.0)
    expect(r.epochs[0].dev!.perClass.map((c) => c.support)).toEqual([2, 2])

    const trained = await createBertAdapter(modelDir, { ...options, weights: r.weights })
    copyTokenizerFiles(trained.info.dir, out)
    saveClassifierBundle(out, trained, ['healthy', 'disease'])
    expect(existsSync(join(out, BUNDLE_TOKENIZER_DIR, 'tokenizer.json'))).toBe(true)
    const model = await loadClassifierBundle(out)
    const probs = await model.predict(texts)
    await model.release()
    expect(probs).toHaveLength(8)
    for (let i = 0; i < 4; i++) expect(probs[2 * i] + probs[2 * i + 1]).toBeCloseTo(1, 5)
  })
})
