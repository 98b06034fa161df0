// Parity with PyTorch + transformers on a small random BERT (every weight random), with frozen
// embeddings/layers: gradients still flow through frozen layers, frozen weights are initializers,
// and one AdamW step with a large weight decay matches torch.optim.AdamW (issue #3, point 4).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeModel } from '../../main/ml/graph'
import { buildBertClassifier, type BertClassifierModel } from '../../main/ml/models/bert'
import {
  compareGrads,
  compareParams,
  loadCheckpoint,
  makeBatch,
  maxAbsDiff,
  ourAdamWStep,
  ourGradients,
  ourLogits,
  refPython,
  runReference,
  type AdamWSpec,
  type RefResult,
} from './bert-harness'

// lr and weight decay large enough that a missing or misplaced decay term (lr·wd·p ≈ 2e-5 here)
// shows above the 1e-5 tolerance; eps 1e-5 keeps the key biases' rounding-noise gradients
// (true value 0) from being amplified into full-size Adam steps.
const ADAMW: AdamWSpec = {
  lr: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-5,
  weightDecay: 0.1,
  clipNorm: 1,
}
const CASES = [
  {
    name: 'cls head, embeddings and layer 0 frozen',
    head: 'cls',
    numLabels: 3,
    freezeEmbeddings: true,
    freezeLayers: 1,
  },
  {
    name: 'mean head, layer 0 frozen under trainable embeddings',
    head: 'mean',
    numLabels: 2,
    freezeEmbeddings: false,
    freezeLayers: 1,
  },
] as const

const batchFor = (numLabels: number) =>
  makeBatch({
    lengths: [9, 16, 4, 12, 16],
    pairAt: [0, 7, 0, 6, 0],
    vocab: 96,
    numLabels,
    seed: 9,
    cls: 1,
    sep: 2,
    firstId: 3,
  })

describe('BERT classifier on a small random BERT matches PyTorch + transformers', () => {
  const work = mkdtempSync(join(tmpdir(), 'cts-bert-tiny-'))
  const modelDir = join(work, 'model')
  const refs: RefResult[] = []

  beforeAll(async () => {
    refPython([
      'tiny',
      '--out',
      modelDir,
      '--seed',
      '7',
      '--vocab',
      '96',
      '--hidden',
      '32',
      '--layers',
      '2',
      '--heads',
      '4',
      '--intermediate',
      '64',
    ])
    const results = await runReference(
      CASES.map((c, i) => ({
        modelDir,
        headPath: join(work, `head-${i}.safetensors`),
        headInit: { hidden: 32, numLabels: c.numLabels, seed: 20 + i },
        head: c.head,
        outDir: join(work, `case-${i}`),
        batch: batchFor(c.numLabels),
        adamw: ADAMW,
        freezeEmbeddings: c.freezeEmbeddings,
        freezeLayers: c.freezeLayers,
      })),
    )
    refs.push(...results)
  }, 600_000)

  afterAll(() => rmSync(work, { recursive: true, force: true }))

  describe.each(CASES.map((c, i) => ({ ...c, i })))('$name', (c) => {
    let model: BertClassifierModel
    const batch = batchFor(c.numLabels)

    beforeAll(async () => {
      const { config, weights } = await loadCheckpoint(
        modelDir,
        join(work, `head-${c.i}.safetensors`),
      )
      model = buildBertClassifier(config, weights, {
        numLabels: c.numLabels,
        head: c.head,
        training: false,
        freezeEmbeddings: c.freezeEmbeddings,
        freezeLayers: c.freezeLayers,
      })
    })

    it('matches logits, loss and the gradient of every trainable param', async () => {
      const ref = refs[c.i]
      expect(
        maxAbsDiff((await ourLogits(model, batch)).flat(), ref.logits.flat()),
      ).toBeLessThanOrEqual(1e-4)
      expect(model.params.filter((p) => p.trainable).map((p) => p.name)).toEqual(ref.trainable)
      const ours = await ourGradients(model, batch)
      expect(Math.abs(ours.loss - ref.loss) / ref.loss).toBeLessThanOrEqual(1e-3)
      const cmp = compareGrads(ours.grads, ref.grads)
      console.log(
        `[tiny ${c.head}] worst ||Δg||/||g|| = ${cmp.relative[0].rel.toExponential(2)} (${cmp.relative[0].name})`,
      )
      expect(cmp.relative[0].rel).toBeLessThanOrEqual(1e-3)
      for (const z of cmp.zero) {
        expect(z.name).toMatch(/attention\.self\.key\.bias$/)
        expect(z.ofGlobal).toBeLessThanOrEqual(1e-6)
      }
    })

    it('makes frozen weights initializers and steps the rest like torch.optim.AdamW', async () => {
      const ref = refs[c.i]
      const { updated, model: bytes } = await ourAdamWStep(model, batch, ADAMW)
      const graph = decodeModel(bytes).graph
      const inputs = new Set(graph.input.map((v) => v.name))
      const initializers = new Set(graph.initializer.map((t) => t.name))
      for (const p of model.params) {
        expect(inputs.has(p.name)).toBe(p.trainable)
        expect(initializers.has(p.name)).toBe(!p.trainable)
      }
      const worst = compareParams(updated, ref.updated)
      console.log(
        `[tiny ${c.head}] max |AdamW step − torch| = ${worst.maxAbs.toExponential(2)} (${worst.name})`,
      )
      expect(worst.maxAbs).toBeLessThanOrEqual(1e-5)
    })
  })
})
