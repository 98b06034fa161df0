// Parity of our BERT classifier graphs with PyTorch + transformers on all-MiniLM-L6-v2's real
// weights, both heads: logits, loss, every gradient and one AdamW step (issue #3, point 4).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildBertClassifier, type BertClassifierModel } from '../../main/ml/models/bert'
import {
  MINILM_DIR,
  expectAdamWParity,
  expectGradientParity,
  loadCheckpoint,
  makeBatch,
  maxAbsDiff,
  ourLogits,
  requirePython,
  runReference,
  type AdamWSpec,
  type RefBatch,
  type RefResult,
} from './bert-harness'

// The trainer's recipe (lr 2e-5, torch's betas/eps, decay 0.01, clipping at 1.0).
const ADAMW: AdamWSpec = {
  lr: 2e-5,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0.01,
  clipNorm: 1,
}
const HEADS = [
  { head: 'cls', numLabels: 3, seed: 11 },
  { head: 'mean', numLabels: 2, seed: 12 },
] as const

// 4 rows of 32, 19, 7 and 26 tokens ([CLS] … [SEP], row 1 a sentence pair), padded to 32.
const BATCH = (numLabels: number): RefBatch =>
  makeBatch({
    lengths: [32, 19, 7, 26],
    pairAt: [0, 12, 0, 0],
    vocab: 30522,
    numLabels,
    seed: 5,
    cls: 101,
    sep: 102,
    firstId: 1996,
  })

describe('BERT classifier on all-MiniLM-L6-v2 matches PyTorch + transformers', () => {
  const work = mkdtempSync(join(tmpdir(), 'cts-bert-parity-'))
  const refs = new Map<string, RefResult>()
  const started = Date.now()

  beforeAll(async () => {
    requirePython()
    const results = await runReference(
      HEADS.map((h) => ({
        modelDir: MINILM_DIR,
        headPath: join(work, `${h.head}-head.safetensors`),
        headInit: { hidden: 384, numLabels: h.numLabels, seed: h.seed },
        head: h.head,
        outDir: join(work, h.head),
        batch: BATCH(h.numLabels),
        adamw: ADAMW,
      })),
    )
    HEADS.forEach((h, i) => refs.set(h.head, results[i]))
  }, 600_000)

  afterAll(() => {
    rmSync(work, { recursive: true, force: true })
    console.log(`bert parity (MiniLM, both heads): ${((Date.now() - started) / 1000).toFixed(1)} s`)
  })

  describe.each(HEADS)('$head head', ({ head, numLabels }) => {
    let model: BertClassifierModel
    const batch = BATCH(numLabels)

    beforeAll(async () => {
      const { config, weights } = await loadCheckpoint(
        MINILM_DIR,
        join(work, `${head}-head.safetensors`),
      )
      model = buildBertClassifier(config, weights, { numLabels, head, training: false })
    })

    it('gives the same logits within 1e-4', async () => {
      const ref = refs.get(head) as RefResult
      const ours = await ourLogits(model, batch)
      const diff = maxAbsDiff(ours.flat(), ref.logits.flat())
      console.log(`[${head}] max |logits − torch| = ${diff.toExponential(2)}`)
      expect(ours.length).toBe(4)
      expect(ours[0].length).toBe(numLabels)
      expect(diff).toBeLessThanOrEqual(1e-4)
    })

    it('gives the same loss and every gradient within 1e-3 relative', async () => {
      await expectGradientParity(head, model, batch, refs.get(head) as RefResult, 6)
    })

    it('takes the same AdamW step as torch.optim.AdamW within 1e-5', async () => {
      await expectAdamWParity(head, model, batch, refs.get(head) as RefResult, ADAMW)
    })
  })
})
