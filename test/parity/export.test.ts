// Model export parity with Python: the exported folder, loaded with Python onnxruntime and the
// Hugging Face tokenizer (BERT) or featurizer.json re-implemented in Python (baseline), gives the
// app's probabilities to 1e-6 — for a tiny random BERT, the real MiniLM and the baseline.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadClassifierBundle } from '../../main/ml/infer/classifier-bundle'
import { exportModelFolder, type ExportRunInfo } from '../../main/ml/infer/model-export'
import {
  tempDir,
  writeBaselineBundle,
  writeBertBundle,
  writeTinyBertFolder,
} from '../unit/ml/infer/bundles'
import { MINILM_DIR, ROOT, refPython } from './bert-harness'

const SCRIPT = join(ROOT, 'test/parity/python/export_ref.py')
const TEXTS = [
  'The patient has fever and cough since Monday',
  '患者发热咳嗽三天，伴有胸痛',
  'Routine check-up: NORMAL and healthy. Café-au-lait spots.',
  '。。。',
  'bp 120/80 mmHg, hr 72, ｔｅｍｐ 38.5℃',
]
const RUN: ExportRunInfo = {
  runId: 1,
  baseModel: 'test',
  dataHash: 'sha256:0',
  seed: 1,
  provider: 'cpu',
  createdAt: '2026-11-29T00:00:00.000Z',
  finishedAt: null,
  hyperparameters: {},
  test: null,
}

async function compare(bundle: string) {
  const out = join(tempDir('cts-export-parity-'), 'export')
  exportModelFolder(bundle, out, RUN)
  const textsPath = join(out, '..', 'texts.json')
  writeFileSync(textsPath, JSON.stringify(TEXTS))
  const ref = JSON.parse(refPython([out, textsPath], SCRIPT)) as {
    labels: string[]
    probs: number[][]
  }
  const model = await loadClassifierBundle(bundle)
  const ours = await model.predict(TEXTS)
  await model.release()
  expect(ref.labels).toEqual(model.labels)
  const k = model.labels.length
  let worst = 0
  ref.probs.forEach((row, i) =>
    row.forEach((p, j) => (worst = Math.max(worst, Math.abs(p - ours[i * k + j])))),
  )
  expect(ref.probs).toHaveLength(TEXTS.length)
  expect(worst).toBeLessThanOrEqual(1e-6)
}

describe('model export parity with Python onnxruntime', () => {
  it('baseline: featurizer.json in Python + onnxruntime', async () => {
    await compare(writeBaselineBundle({ seed: 3, charNgrams: 'all' }))
  }, 60_000)

  it('tiny BERT: the exported tokenizer via transformers + onnxruntime', async () => {
    await compare(await writeBertBundle(writeTinyBertFolder(), { maxLength: 16 }))
  }, 60_000)

  it('MiniLM: the exported tokenizer via transformers + onnxruntime', async () => {
    await compare(await writeBertBundle(MINILM_DIR, { maxLength: 32, head: 'mean' }))
  }, 120_000)
})
