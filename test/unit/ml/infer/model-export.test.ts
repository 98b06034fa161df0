// Model export: the folder loads with plain onnxruntime-node (a fresh InferenceSession on the
// exported file) and the exported tokenizer (transformers.js) or featurizer spec, and gives the
// app's own probabilities; the card states the run's facts; existing folders are never replaced.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { AutoTokenizer, env } from '@huggingface/transformers'
import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { loadClassifierBundle } from '../../../../main/ml/infer/classifier-bundle'
import { modelCardMarkdown } from '../../../../main/ml/infer/model-card'
import {
  bertTokenizerInfo,
  exportModelFolder,
  type ExportRunInfo,
} from '../../../../main/ml/infer/model-export'
import {
  tempDir,
  writeBaselineBundle,
  writeBertBundle,
  writeTfidfBundle,
  writeTinyBertFolder,
} from './bundles'
import { plainFeaturize } from './plain-featurizer'

env.allowRemoteModels = false
env.localModelPath = '/'

const TEXTS = [
  'The patient has fever and cough since Monday',
  '患者发热咳嗽三天',
  'routine checkup: normal and healthy',
  '。。。',
]

const RUN: ExportRunInfo = {
  runId: 7,
  baseModel: 'tiny',
  dataHash: 'sha256:abc123',
  seed: 42,
  provider: 'cpu',
  createdAt: '2026-11-29T00:00:00.000Z',
  finishedAt: '2026-11-29T00:01:00.000Z',
  hyperparameters: { epochs: 3, learningRate: 0.5 },
  test: {
    accuracy: 0.875,
    macro_f1: 0.8571,
    weighted_f1: 0.86,
    per_class: {
      健康: { precision: 1, recall: 0.75, f1: 0.8571, support: 4 },
      疾病: { precision: 0.8, recall: 1, f1: 0.8889, support: 4 },
    },
  },
}

async function appProbabilities(bundle: string, texts: string[]): Promise<number[]> {
  const model = await loadClassifierBundle(bundle)
  const p = await model.predict(texts)
  await model.release()
  return Array.from(p)
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6) {
  expect(a.length).toBe(b.length)
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(tol)
}

describe('model export', () => {
  it('exports a baseline that plain onnxruntime + featurizer.json reproduce', async () => {
    const bundle = writeBaselineBundle({ seed: 5 })
    const out = join(tempDir(), 'export')
    const files = exportModelFolder(bundle, out, RUN)
    expect(files).toEqual([
      'MODEL_CARD.md',
      'featurizer.json',
      'inference.json',
      'labels.json',
      'model.onnx',
    ])
    expect(JSON.parse(readFileSync(join(out, 'labels.json'), 'utf8'))).toEqual(['健康', '疾病'])
    const spec = JSON.parse(readFileSync(join(out, 'featurizer.json'), 'utf8'))
    const session = await ort.InferenceSession.create(join(out, 'model.onnx'))
    const rows = TEXTS.map((t) => plainFeaturize(spec, t))
    const n = Math.max(1, ...rows.map((r) => r.length))
    const ids = new BigInt64Array(TEXTS.length * n)
    const mask = new Float32Array(TEXTS.length * n)
    rows.forEach((r, b) =>
      r.forEach((id, i) => {
        ids[b * n + i] = BigInt(id)
        mask[b * n + i] = 1
      }),
    )
    const dims = [TEXTS.length, n]
    const res = await session.run({
      ids: new ort.Tensor('int64', ids, dims),
      mask: new ort.Tensor('float32', mask, dims),
    })
    expect(rows[3]).toEqual([]) // punctuation only: no ids, pools to zeros
    expectClose(res.probs.data as Float32Array, await appProbabilities(bundle, TEXTS))
    expect(res.logits.dims).toEqual([4, 2])
  })

  it('exports a TF-IDF baseline with its vocabulary, its featurizer spec and a card saying what it is', async () => {
    const { dir: bundle, adapter, fit } = await writeTfidfBundle()
    const out = join(tempDir(), 'export')
    expect(exportModelFolder(bundle, out, RUN)).toEqual([
      'MODEL_CARD.md',
      'baseline-vocab.bin',
      'featurizer.json',
      'inference.json',
      'labels.json',
      'model.onnx',
    ])
    expect(readFileSync(join(out, 'baseline-vocab.bin'))).toEqual(
      readFileSync(join(bundle, 'baseline-vocab.bin')),
    )
    const spec = JSON.parse(readFileSync(join(out, 'featurizer.json'), 'utf8'))
    expect(spec).toMatchObject({
      format: 'cts-tfidf-ngrams/1',
      vocabularySize: fit.vocab.hashes.length,
      charMax: 4,
      maxFeatures: 4096,
    })
    const card = readFileSync(join(out, 'MODEL_CARD.md'), 'utf8')
    expect(card).toContain(
      '- Kind: logistic regression on TF-IDF word and character n-grams (no pretrained model)',
    )
    expect(card).toContain('ids, values = featurize(text)')
    // The exported graph, fed the app's own features, gives the app's probabilities.
    const session = await ort.InferenceSession.create(join(out, 'model.onnx'))
    const items = TEXTS.map((t) => adapter.encode(t))
    const n = Math.max(...items.map((e) => e.length))
    const res = await session.run(adapter.feeds(items, n))
    expectClose(res.probs.data as Float32Array, await appProbabilities(bundle, TEXTS))
  })

  it('exports a BERT that plain onnxruntime + the exported tokenizer files reproduce', async () => {
    const bundle = await writeBertBundle(writeTinyBertFolder(), { maxLength: 16 })
    const out = join(tempDir(), 'export')
    const files = exportModelFolder(bundle, out, RUN)
    expect(files).toEqual([
      'MODEL_CARD.md',
      'inference.json',
      'labels.json',
      'model.onnx',
      'tokenizer.json', // synthesised: the tiny model ships only vocab.txt
      'tokenizer_config.json',
      'vocab.txt',
    ])
    const tokenizer = await AutoTokenizer.from_pretrained(out)
    const enc = tokenizer(TEXTS, { padding: true, truncation: true, max_length: 16 })
    const session = await ort.InferenceSession.create(join(out, 'model.onnx'))
    // transformers.js tensors → plain onnxruntime tensors (int64 [batch, seq]).
    const feed = (name: 'input_ids' | 'attention_mask' | 'token_type_ids') => {
      const t = enc[name] as unknown as { data: BigInt64Array; dims: number[] }
      return new ort.Tensor('int64', t.data, t.dims)
    }
    const res = await session.run({
      input_ids: feed('input_ids'),
      attention_mask: feed('attention_mask'),
      token_type_ids: feed('token_type_ids'),
    })
    expectClose(res.probs.data as Float32Array, await appProbabilities(bundle, TEXTS))
    const inference = JSON.parse(readFileSync(join(out, 'inference.json'), 'utf8'))
    expect(inference).toMatchObject({
      kind: 'bert',
      maxLength: 16,
      inputs: ['input_ids', 'attention_mask', 'token_type_ids'],
      outputs: ['logits', 'probs'],
    })
    expect(inference.tokenizer.tokenTypeIds).toBe('all 0')
    const card = readFileSync(join(out, 'MODEL_CARD.md'), 'utf8')
    expect(card).toContain(
      '- Inputs: `input_ids`, `attention_mask`, `token_type_ids` (int64 [batch, seq]; token types all 0)',
    )
    expect(card).toContain('feeds["token_type_ids"] = np.zeros_like(feeds["input_ids"])  # all 0')
  })

  it('names only the inputs the graph takes: no token types for DistilBERT', () => {
    const inputs = ['input_ids', 'attention_mask']
    expect(bertTokenizerInfo(inputs, 64)).toEqual({
      files: 'tokenizer.json (+ vocab.txt, tokenizer_config.json) in this folder',
      truncation: 'longest first, at 64 tokens including the start and end tokens',
      padding: 'to the longest text of the batch with the pad id; attention_mask 0 there',
    })
    const card = modelCardMarkdown({
      ...RUN,
      kind: 'bert',
      labels: ['a', 'b'],
      maxLength: 64,
      inputs,
    })
    expect(card).toContain('- Inputs: `input_ids`, `attention_mask` (int64 [batch, seq]); texts')
    expect(card).not.toContain('token_type_ids')
    expect(card).toContain(
      'feeds = {k: enc[k].astype(np.int64) for k in ["input_ids", "attention_mask"]}',
    )
  })

  it('writes a model card with the run, data hash, labels, metrics and usage', () => {
    const out = join(tempDir(), 'export')
    exportModelFolder(writeBaselineBundle(), out, RUN)
    const card = readFileSync(join(out, 'MODEL_CARD.md'), 'utf8')
    expect(card).toContain('# Model card — Clinical Text Studio run 7')
    expect(card).toContain('data snapshot hash: `sha256:abc123`')
    expect(card).toContain('Labels (output order): `健康`, `疾病`')
    expect(card).toContain('Accuracy 0.875 · macro F1 0.857 · weighted F1 0.860')
    expect(card).toContain('| 疾病 | 0.800 | 1.000 | 0.889 | 4 |')
    expect(card).toContain('| learningRate | 0.5 |')
    expect(card).toMatch(/## Intended use[\s\S]*## Limitations[\s\S]*## How to run it/)
    expect(card).toContain('onnxruntime')
  })

  it('refuses to write into a folder that already holds files', () => {
    const out = tempDir()
    mkdirSync(out, { recursive: true })
    writeFileSync(join(out, 'keep.txt'), 'mine')
    expect(() => exportModelFolder(writeBaselineBundle(), out, RUN)).toThrow(/not empty/)
    expect(readFileSync(join(out, 'keep.txt'), 'utf8')).toBe('mine')
  })
})
