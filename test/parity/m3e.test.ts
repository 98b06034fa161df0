// Parity of our BERT classifier graphs with PyTorch + transformers on m3e-small's real weights
// (issue #9, point 5), with the mean pooling m3e was trained with: logits, loss, every gradient and
// one AdamW step, on a batch of real Chinese and mixed clinical texts tokenized by our tokenizer.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildBertClassifier, type BertClassifierModel } from '../../main/ml/models/bert'
import { inspectModelFolder } from '../../main/ml/models/model-folder'
import { loadTokenizer } from '../../main/ml/tokenize/load-tokenizer'
import {
  ROOT,
  expectAdamWParity,
  expectGradientParity,
  loadCheckpoint,
  maxAbsDiff,
  ourLogits,
  requirePython,
  runReference,
  type AdamWSpec,
  type RefBatch,
  type RefResult,
} from './bert-harness'

const M3E_DIR = join(ROOT, 'resources/models/m3e-small')
const CORPUS = join(ROOT, 'test/fixtures/tokenizer-corpus-zh.jsonl')
const NUM_LABELS = 3
const CLS = 101
const SEP = 102

// The trainer's recipe (lr 2e-5, torch's betas/eps, decay 0.01, clipping at 1.0).
const ADAMW: AdamWSpec = {
  lr: 2e-5,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0.01,
  clipNorm: 1,
}

type RowSpec = { id: string; maxLength: number; pairWith?: string }

/**
 * Two batches of the Chinese corpus, each padded to its longest row. "short": a long record cut at
 * 64, clinical Chinese, a sentence pair (token type 1 after the first [SEP]), emoji, traditional
 * characters and a short English/Chinese drug order. "full": a record cut at 512, which uses every
 * position embedding, and a 433-token mixed record padded after it.
 */
const BATCHES = [
  {
    name: 'short',
    rows: [
      { id: 'long-zh-600', maxLength: 64 },
      { id: 'zh-003', maxLength: 64 },
      { id: 'zh-001', maxLength: 32, pairWith: 'mixed-001' },
      { id: 'emoji-000', maxLength: 64 },
      { id: 'trad-001', maxLength: 64 },
      { id: 'mixed-000', maxLength: 64 },
    ] as RowSpec[],
    lengths: [64, 40, 42, 20, 21, 13],
    headSeed: 21,
  },
  {
    name: 'full',
    rows: [
      { id: 'long-zh-1200', maxLength: 512 },
      { id: 'long-mixed-900', maxLength: 512 },
    ] as RowSpec[],
    lengths: [512, 433],
    headSeed: 22,
  },
]

async function corpusBatch(specs: RowSpec[]): Promise<RefBatch> {
  const texts = new Map(
    readFileSync(CORPUS, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { id: string; text: string })
      .map((r) => [r.id, r.text]),
  )
  const text = (id: string) => {
    const t = texts.get(id)
    if (t === undefined) throw new Error(`corpus has no text ${id}`)
    return t
  }
  const tok = await loadTokenizer(M3E_DIR)
  const rows = specs.map((s) => {
    const a = tok.encode(text(s.id), s.maxLength)
    // A pair as BERT encodes it: [CLS] A [SEP] B [SEP], segment B with token type 1.
    const b = s.pairWith ? tok.encode(text(s.pairWith), s.maxLength).slice(1) : []
    return { ids: [...a, ...b], types: [...a.map(() => 0), ...b.map(() => 1)] }
  })
  const seq = Math.max(...rows.map((r) => r.ids.length))
  const pad = (xs: number[]) => [...xs, ...new Array<number>(seq - xs.length).fill(0)]
  return {
    inputIds: rows.map((r) => pad(r.ids)),
    attentionMask: rows.map((r) => pad(r.ids.map(() => 1))),
    tokenTypeIds: rows.map((r) => pad(r.types)),
    labels: rows.map((_, i) => i % NUM_LABELS),
  }
}

describe('BERT classifier on m3e-small matches PyTorch + transformers (mean head)', () => {
  const work = mkdtempSync(join(tmpdir(), 'cts-m3e-parity-'))
  const started = Date.now()
  const batches = new Map<string, RefBatch>()
  const refs = new Map<string, RefResult>()
  const models = new Map<string, BertClassifierModel>()

  beforeAll(async () => {
    requirePython()
    if (!existsSync(join(M3E_DIR, 'pytorch_model.bin'))) {
      throw new Error(`m3e-small is not installed (${M3E_DIR}): run scripts/setup.sh first`)
    }
    for (const b of BATCHES) batches.set(b.name, await corpusBatch(b.rows))
    const headPath = (name: string) => join(work, `${name}-head.safetensors`)
    const results = await runReference(
      BATCHES.map((b) => ({
        modelDir: M3E_DIR,
        headPath: headPath(b.name),
        headInit: { hidden: 512, numLabels: NUM_LABELS, seed: b.headSeed },
        head: 'mean',
        outDir: join(work, b.name),
        batch: batches.get(b.name) as RefBatch,
        adamw: ADAMW,
      })),
    )
    BATCHES.forEach((b, i) => refs.set(b.name, results[i]))
    for (const b of BATCHES) {
      const { config, weights } = await loadCheckpoint(M3E_DIR, headPath(b.name))
      models.set(
        b.name,
        buildBertClassifier(config, weights, {
          numLabels: NUM_LABELS,
          head: 'mean',
          training: false,
        }),
      )
    }
  }, 600_000)

  afterAll(() => {
    rmSync(work, { recursive: true, force: true })
    console.log(
      `m3e parity (mean head, both batches): ${((Date.now() - started) / 1000).toFixed(1)} s`,
    )
  })

  it('is read as a mean-pooled BERT from pytorch_model.bin alone, with the vocab the batches use', async () => {
    // No safetensors copy anywhere: loadCheckpoint read the .bin with our reader.
    expect(existsSync(join(M3E_DIR, 'model.safetensors'))).toBe(false)
    const info = await inspectModelFolder(M3E_DIR, { hashes: false })
    expect([
      info.pooling,
      info.weightsPath,
      info.config.numLayers,
      info.config.hiddenSize,
      info.config.vocabSize,
    ]).toEqual(['mean', join(M3E_DIR, 'pytorch_model.bin'), 4, 512, 21128])
    const vocab = (
      JSON.parse(readFileSync(join(M3E_DIR, 'tokenizer.json'), 'utf8')) as {
        model: { vocab: Record<string, number> }
      }
    ).model.vocab
    expect([vocab['[PAD]'], vocab['[CLS]'], vocab['[SEP]']]).toEqual([0, CLS, SEP])
  })

  describe.each(BATCHES)('$name batch', ({ name, lengths }) => {
    it('is real corpus rows of different lengths, padded', () => {
      const batch = batches.get(name) as RefBatch
      const seq = Math.max(...lengths)
      expect(batch.inputIds.map((r) => r.length)).toEqual(lengths.map(() => seq))
      expect(batch.attentionMask.map((r) => r.reduce((s, x) => s + x, 0))).toEqual(lengths)
      batch.inputIds.forEach((r, i) => {
        expect([r[0], r[lengths[i] - 1]]).toEqual([CLS, SEP])
        expect(r.every((id) => id >= 0 && id < 21128)).toBe(true)
      })
      const typeOnes = batch.tokenTypeIds.map((r) => r.filter((t) => t === 1).length)
      expect(typeOnes).toEqual(name === 'short' ? [0, 0, 18, 0, 0, 0] : [0, 0])
    })

    it('gives the same logits within 1e-4', async () => {
      const ref = refs.get(name) as RefResult
      const ours = await ourLogits(
        models.get(name) as BertClassifierModel,
        batches.get(name) as RefBatch,
      )
      const diff = maxAbsDiff(ours.flat(), ref.logits.flat())
      console.log(`[m3e ${name}] max |logits − torch| = ${diff.toExponential(2)}`)
      expect(ours.map((r) => r.length)).toEqual(lengths.map(() => NUM_LABELS))
      expect(diff).toBeLessThanOrEqual(1e-4)
    })

    it('gives the same loss and every gradient within 1e-3 relative', async () => {
      const model = models.get(name) as BertClassifierModel
      // No pooler among the trainable params: the classifier reads the encoder's mean.
      expect(model.params.some((p) => p.trainable && p.name.startsWith('pooler.'))).toBe(false)
      const ref = refs.get(name) as RefResult
      await expectGradientParity(`m3e ${name}`, model, batches.get(name) as RefBatch, ref, 4)
    })

    it('takes the same AdamW step as torch.optim.AdamW within 1e-5', async () => {
      const model = models.get(name) as BertClassifierModel
      const ref = refs.get(name) as RefResult
      await expectAdamWParity(`m3e ${name}`, model, batches.get(name) as RefBatch, ref, ADAMW)
    })
  })
})
