// Test helper: small classifier bundles (what a finished run folder holds) without training —
// a baseline with seeded random weights and a tiny random BERT (test/fixtures/models/tiny-bert).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  copyTokenizerFiles,
  saveClassifierBundle,
} from '../../../../main/ml/infer/classifier-bundle'
import { baselineConfig, createBaselineAdapter } from '../../../../main/ml/models/baseline-adapter'
import { fitTfidfBaseline } from '../../../../main/ml/models/baseline-fit'
import { writeTfidfVocabulary } from '../../../../main/ml/models/baseline-tfidf'
import { createBertAdapter } from '../../../../main/ml/models/bert-adapter'
import type { ClassifierAdapter } from '../../../../main/ml/train/classifier-adapter'
import { parseBertConfig } from '../../../../main/ml/models/bert-config'
import type { BertHead } from '../../../../main/ml/models/weights'
import { randomWeights } from '../models/bert-random'
import { f32Safetensors } from '../models/safetensors-builder'
import { TINY_FIXTURE } from '../models/tiny-model'

export const BILINGUAL_LABELS = ['健康', '疾病']

export function tempDir(prefix = 'cts-infer-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** A baseline bundle in a new folder (random weights, seed `seed`). */
export function writeBaselineBundle(
  opts: {
    seed?: number
    labels?: string[]
    charNgrams?: 'cjk' | 'all' | 'none'
    /** Write here (e.g. a run folder) instead of a new temp folder. */
    dir?: string
  } = {},
): string {
  const labels = opts.labels ?? BILINGUAL_LABELS
  const config = baselineConfig({
    numClasses: labels.length,
    seed: opts.seed ?? 7,
    maxFeatures: 256,
    dropout: 0,
    buckets: 512,
    dim: 8,
    charNgrams: opts.charNgrams ?? 'cjk',
  })
  const dir = opts.dir ?? tempDir('cts-baseline-run-')
  saveClassifierBundle(dir, createBaselineAdapter(config, 8), labels)
  return dir
}

/** The tiny-bert fixture folder with every weight random (seeded), as a model folder. */
export function writeTinyBertFolder(head: BertHead = 'cls', numLabels = 2, seed = 3): string {
  const dir = join(tempDir('cts-tiny-bert-'), 'tiny-bert')
  mkdirSync(dir, { recursive: true })
  for (const f of ['config.json', 'vocab.txt', 'tokenizer_config.json']) {
    copyFileSync(join(TINY_FIXTURE, f), join(dir, f))
  }
  const config = parseBertConfig(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')))
  const tensors: Record<string, { shape: number[]; values: number[] }> = {}
  for (const [name, w] of randomWeights(config, numLabels, head, seed)) {
    tensors[name] = { shape: [...w.shape], values: Array.from(w.data) }
  }
  writeFileSync(join(dir, 'model.safetensors'), f32Safetensors(tensors))
  return dir
}

/** A BERT bundle (model.onnx, model.json, tokenizer/) over a model folder. */
export async function writeBertBundle(
  modelDir: string,
  opts: { labels?: string[]; maxLength?: number; head?: BertHead; dir?: string } = {},
): Promise<string> {
  const labels = opts.labels ?? BILINGUAL_LABELS
  const adapter = await createBertAdapter(modelDir, {
    numClasses: labels.length,
    maxLength: opts.maxLength ?? 16,
    head: opts.head ?? 'cls',
  })
  const dir = opts.dir ?? tempDir('cts-bert-run-')
  copyTokenizerFiles(modelDir, dir)
  saveClassifierBundle(dir, adapter, labels)
  return dir
}

export const TRIAGE_LABELS = ['呼吸', '心脏', '消化']

/**
 * A TF-IDF baseline really fitted (about a second) on the 3-class bilingual triage fixture, saved
 * as a bundle with its vocabulary; returns the folder and the adapter that made it.
 */
export async function writeTfidfBundle() {
  const csv = readFileSync(
    fileURLToPath(new URL('../../../fixtures/train/triage-3class.csv', import.meta.url)),
    'utf8',
  )
  const rows = csv
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','))
  const fit = await fitTfidfBaseline({
    train: { texts: rows.map((r) => r[0]), labels: rows.map((r) => TRIAGE_LABELS.indexOf(r[1])) },
    numClasses: TRIAGE_LABELS.length,
    maxFeatures: 4096,
    classWeights: false,
    seed: 1,
  })
  const dir = tempDir('cts-tfidf-')
  writeTfidfVocabulary(dir, fit.vocab)
  const adapter = createBaselineAdapter(fit.config, 64, fit.weights, fit.vocab)
  saveClassifierBundle(dir, adapter as unknown as ClassifierAdapter, TRIAGE_LABELS)
  return { dir, adapter, fit }
}
