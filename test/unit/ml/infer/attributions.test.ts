// Gradient × input attributions through our autodiff: for a tiny random BERT each token's score
// equals the finite-difference derivative of the predicted logit under scaling of its embedding;
// for the baseline (linear in its bag rows) the scores add up to the logit minus its bias.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emitOnnx } from '../../../../main/ml/graph'
import { loadExplainer, type Explainer } from '../../../../main/ml/infer/attributions'
import { readOnnxWeights } from '../../../../main/ml/infer/bundle-graph'
import { loadClassifierBundle } from '../../../../main/ml/infer/classifier-bundle'
import { BASELINE_PARAMS } from '../../../../main/ml/models/baseline'
import { buildBertClassifier } from '../../../../main/ml/models/bert'
import { parseBertConfig } from '../../../../main/ml/models/bert-config'
import type { BertHead } from '../../../../main/ml/models/weights'
import { loadTokenizer } from '../../../../main/ml/tokenize/load-tokenizer'
import {
  TRIAGE_LABELS,
  writeBaselineBundle,
  writeBertBundle,
  writeTfidfBundle,
  writeTinyBertFolder,
} from './bundles'

const WORD_EMBEDDINGS = 'embeddings.word_embeddings.weight'
const MINILM = join(process.cwd(), 'resources/models/all-MiniLM-L6-v2')

/** The predicted logit with one vocabulary row of the word embeddings scaled by `s`. */
async function logitWithRowScaled(
  run: { dir: string; modelDir: string; head: BertHead },
  ids: number[],
  row: number,
  s: number,
  cls: number,
) {
  const weights = readOnnxWeights(readFileSync(join(run.dir, 'model.onnx')))
  const we = weights.get(WORD_EMBEDDINGS)!
  const data = we.data.slice()
  const h = we.shape[1]
  for (let j = 0; j < h; j++) data[row * h + j] *= s
  weights.set(WORD_EMBEDDINGS, { shape: we.shape, data })
  const config = parseBertConfig(
    JSON.parse(readFileSync(join(run.modelDir, 'config.json'), 'utf8')),
  )
  const m = buildBertClassifier(config, weights, { numLabels: 2, head: run.head, training: false })
  const session = await ort.InferenceSession.create(
    emitOnnx({ inputs: m.batchInputs, outputs: [{ name: 'logits', tensor: m.evalLogits }] }),
  )
  const dims = [1, ids.length]
  const out = await session.run({
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), dims),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), dims),
    token_type_ids: new ort.Tensor('int64', new BigInt64Array(ids.length), dims),
  })
  await session.release()
  return (out.logits.data as Float32Array)[cls]
}

describe('BERT attributions (gradient × input on word embeddings)', () => {
  let modelDir: string
  let dir: string
  let explainer: Explainer
  beforeAll(async () => {
    modelDir = writeTinyBertFolder()
    dir = await writeBertBundle(modelDir, { maxLength: 16 })
    explainer = await loadExplainer(dir)
  })
  afterAll(() => explainer.release())

  it('matches central differences of the predicted logit, token by token', async () => {
    const text = 'The patient has fever and cough'
    const e = await explainer.explain(text)
    const ids = (await loadTokenizer(join(dir, 'tokenizer'))).encode(text, 16)
    // [CLS] the patient has fever and cough [SEP]: every content id occurs once.
    expect(new Set(ids).size).toBe(ids.length)
    expect(e.tokens.map((t) => t.token)).toEqual(['The', 'patient', 'has', 'fever', 'and', 'cough'])
    const eps = 0.05
    for (let k = 0; k < e.tokens.length; k++) {
      const id = ids[k + 1]
      const run = { dir, modelDir, head: 'cls' as const }
      const up = await logitWithRowScaled(run, ids, id, 1 + eps, e.labelIndex)
      const down = await logitWithRowScaled(run, ids, id, 1 - eps, e.labelIndex)
      const fd = (up - down) / (2 * eps)
      expect(Math.abs(e.tokens[k].score - fd)).toBeLessThan(1e-5 + 0.05 * Math.abs(fd))
    }
    expect(e.tokens.some((t) => Math.abs(t.score) > 1e-4)).toBe(true)
  })

  it('returns the same probabilities as the app predicts, the argmax label and spans', async () => {
    const text = 'Patients have fevers, 患者发热。'
    const e = await explainer.explain(text)
    const model = await loadClassifierBundle(dir)
    const p = await model.predict([text])
    await model.release()
    e.probabilities.forEach((q, i) => expect(Math.abs(q - p[i])).toBeLessThan(1e-6))
    expect(e.labelIndex).toBe(p[1] > p[0] ? 1 : 0)
    for (const t of e.tokens) expect(text.slice(t.start, t.end)).toBe(t.token)
    // 'have' is not in the tiny vocabulary: its [UNK] covers the word.
    expect(e.tokens.map((t) => t.token)).toEqual([
      'Patient',
      's',
      'have',
      'fever',
      's',
      ',',
      '患',
      '者',
      '发',
      '热',
      '。',
    ])
    expect(e.truncated).toBe(false)
    expect(e.method).toBe('gradient-x-input')
  })

  it('flags a text longer than the maximum length as truncated', async () => {
    const e = await explainer.explain('fever and cough '.repeat(10))
    expect(e.truncated).toBe(true)
    expect(e.tokens).toHaveLength(14)
  })
})

describe('MiniLM attributions', () => {
  it('locate every token, one per Chinese character, and match a finite difference', async () => {
    const dir = await writeBertBundle(MINILM, { maxLength: 32, head: 'mean' })
    const explainer = await loadExplainer(dir)
    const text = 'Productive cough, 咳嗽 since Monday.'
    const e = await explainer.explain(text)
    await explainer.release()
    expect(e.tokens.map((t) => t.token)).toEqual([
      'Productive',
      'cough',
      ',',
      '咳',
      '嗽',
      'since',
      'Monday',
      '.',
    ])
    for (const t of e.tokens) expect(text.slice(t.start, t.end)).toBe(t.token)
    const ids = (await loadTokenizer(join(dir, 'tokenizer'))).encode(text, 32)
    const k = e.tokens.findIndex((t) => t.token === 'cough')
    const eps = 0.05
    const run = { dir, modelDir: MINILM, head: 'mean' as const }
    const up = await logitWithRowScaled(run, ids, ids[k + 1], 1 + eps, e.labelIndex)
    const down = await logitWithRowScaled(run, ids, ids[k + 1], 1 - eps, e.labelIndex)
    const fd = (up - down) / (2 * eps)
    expect(Math.abs(fd)).toBeGreaterThan(1e-3)
    expect(Math.abs(e.tokens[k].score - fd)).toBeLessThan(0.05 * Math.abs(fd))
  }, 60_000)
})

describe('baseline attributions (gradient × input on bag rows)', () => {
  it('add up to the predicted logit minus the bias, spread over words and characters', async () => {
    const dir = writeBaselineBundle({ seed: 11 })
    const explainer = await loadExplainer(dir)
    const text = 'Fever and cough since Monday, 患者发热咳嗽。'
    const e = await explainer.explain(text)
    await explainer.release()
    const bias = readOnnxWeights(readFileSync(join(dir, 'model.onnx'))).get(BASELINE_PARAMS.bias)!
    const total = e.tokens.reduce((a, t) => a + t.score, 0)
    expect(total).toBeCloseTo(e.logits[e.labelIndex] - bias.data[e.labelIndex], 5)
    expect(e.tokens.map((t) => t.token)).toEqual([
      'Fever',
      'and',
      'cough',
      'since',
      'Monday',
      '患',
      '者',
      '发',
      '热',
      '咳',
      '嗽',
    ])
    for (const t of e.tokens) expect(text.slice(t.start, t.end)).toBe(t.token)
    const model = await loadClassifierBundle(dir)
    const p = await model.predict([text])
    await model.release()
    e.probabilities.forEach((q, i) => expect(Math.abs(q - p[i])).toBeLessThan(1e-6))
  })
})

describe('TF-IDF baseline attributions (gradient × input on the linear table rows)', () => {
  it('add up to the predicted logit minus the bias; unseen words score 0', async () => {
    const { dir } = await writeTfidfBundle()
    const labels = TRIAGE_LABELS
    const explainer = await loadExplainer(dir)
    const text = 'Chest pain, qwzx 心悸 !!!'
    const e = await explainer.explain(text)
    await explainer.release()
    expect(labels[e.labelIndex]).toBe('心脏')
    const bias = readOnnxWeights(readFileSync(join(dir, 'model.onnx'))).get(BASELINE_PARAMS.bias)!
    const total = e.tokens.reduce((a, t) => a + t.score, 0)
    expect(total).toBeCloseTo(e.logits[e.labelIndex] - bias.data[e.labelIndex], 5)
    // Punctuation is shown too: its character n-grams are features of the TF-IDF form.
    expect(e.tokens.map((t) => t.token)).toEqual(['Chest', 'pain', ',', 'qwzx', '心', '悸', '!!!'])
    for (const t of e.tokens) expect(text.slice(t.start, t.end)).toBe(t.token)
    // 'qwzx' shares no n-gram with the training texts except single letters and their edges.
    const scores = Object.fromEntries(e.tokens.map((t) => [t.token, t.score]))
    expect(scores.Chest).toBeGreaterThan(Math.abs(scores.qwzx))
    const model = await loadClassifierBundle(dir)
    const p = await model.predict([text])
    await model.release()
    e.probabilities.forEach((q, i) => expect(Math.abs(q - p[i])).toBeLessThan(1e-6))
  })
})
