// Training-trajectory parity (issue #3, point 10, layer 1 of ./README.md): 18 AdamW steps of
// all-MiniLM-L6-v2 on the bilingual sample texts give the same losses and the same dev predictions
// as PyTorch + transformers fed the same batches and learning rates — with dropout off on both
// sides, and with dropout on, the PyTorch side drawing our engine's masks (hash_dropout.py).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import * as ort from 'onnxruntime-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emitOnnx, nameOf } from '../../../main/ml/graph'
import { buildBertClassifier } from '../../../main/ml/models/bert'
import { loadTokenizer } from '../../../main/ml/tokenize/load-tokenizer'
import { Rng } from '../../../main/ml/train/rng'
import { stepDropoutSeed } from '../../../main/ml/train/step-seed'
import { linearScheduleFactor, warmupSteps } from '../../../main/ml/train/schedule'
import { createGraphStepRunner } from '../../../main/ml/train/graph-step-runner'
import {
  MINILM_DIR,
  ROOT,
  batchFeeds,
  loadCheckpoint,
  refPython,
  type RefBatch,
} from '../bert-harness'

const SAMPLES = join(ROOT, 'resources/samples/symptoms-zh-en.csv')
const TRAIN_SCRIPT = join(ROOT, 'test/parity/python/bert_train_ref.py')
const MAX_LENGTH = 32
const BATCH = 8
const EPOCHS = 3
const PEAK_LR = 1e-4
const ADAMW = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, clipNorm: 1 }

interface Step {
  batch: RefBatch
  lr: number
  dropoutSeed: number
}

interface RefRun {
  losses: number[]
  devLogits: number[][]
  sites: number
}

/** Rows padded with [PAD] (id 0) to the batch's longest text, single segment. */
function pad(ids: number[][], labels: number[]): RefBatch {
  const seq = Math.max(...ids.map((r) => r.length))
  const fill = (r: number[], v: (x: number) => number) =>
    Array.from({ length: seq }, (_, i) => (i < r.length ? v(r[i]) : 0))
  return {
    inputIds: ids.map((r) => fill(r, (x) => x)),
    attentionMask: ids.map((r) => fill(r, () => 1)),
    tokenTypeIds: ids.map(() => new Array<number>(seq).fill(0)),
    labels,
  }
}

describe('fine-tuning trajectory matches PyTorch + transformers', () => {
  const work = mkdtempSync(join(tmpdir(), 'cts-trajectory-'))
  const headPath = join(work, 'head.safetensors')
  const steps: Step[] = []
  let dev: RefBatch
  const ref: { off?: RefRun; on?: RefRun } = {}

  beforeAll(async () => {
    const rows = parse(readFileSync(SAMPLES), { columns: true }) as Record<string, string>[]
    const tokenizer = await loadTokenizer(MINILM_DIR)
    const order = new Rng(42).shuffle(rows.map((_, i) => i))
    const encode = (i: number) => tokenizer.encode(rows[i].text, MAX_LENGTH)
    const label = (i: number) => (rows[i].label === '疾病' ? 1 : 0)
    const train = order.slice(0, 6 * BATCH)
    const devIdx = order.slice(6 * BATCH, 6 * BATCH + 32)
    dev = pad(devIdx.map(encode), devIdx.map(label))
    const rng = new Rng(7)
    const total = EPOCHS * (train.length / BATCH)
    const warmup = warmupSteps(total, 0.1)
    for (let e = 0; e < EPOCHS; e++) {
      const epochOrder = rng.shuffle([...train])
      for (let b = 0; b < epochOrder.length; b += BATCH) {
        const idx = epochOrder.slice(b, b + BATCH)
        const lr = PEAK_LR * linearScheduleFactor(steps.length, total, warmup)
        const dropoutSeed = stepDropoutSeed(42, steps.length)
        steps.push({ batch: pad(idx.map(encode), idx.map(label)), lr, dropoutSeed })
      }
    }
    const specPath = join(work, 'spec.json')
    const dropoutSpecPath = join(work, 'spec-dropout.json')
    const spec = {
      modelDir: MINILM_DIR,
      headPath,
      headInit: { hidden: 384, numLabels: 2, seed: 31 },
      head: 'mean',
      steps,
      adamw: ADAMW,
      dev,
    }
    writeFileSync(specPath, JSON.stringify(spec))
    // The head file exists once the first spec ran; the second reads it as it is.
    writeFileSync(dropoutSpecPath, JSON.stringify({ ...spec, headInit: undefined, dropout: true }))
    const out = refPython(['--spec', specPath, '--spec', dropoutSpecPath], TRAIN_SCRIPT)
    ;[ref.off, ref.on] = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as RefRun)
  }, 600_000)

  afterAll(() => rmSync(work, { recursive: true, force: true }))

  /** Our 18 steps (dropout as `training` says) and the dev logits after them. */
  async function ours(training: boolean): Promise<{ losses: number[]; devLogits: number[][] }> {
    const { config, weights } = await loadCheckpoint(MINILM_DIR, headPath)
    const m = buildBertClassifier(config, weights, { numLabels: 2, head: 'mean', training })
    // The product's runner: word embeddings fed row by row (row-sparse-state.ts), the rest whole.
    const runner = await createGraphStepRunner(
      { graph: m, weightDecay: ADAMW.weightDecay, clipNorm: ADAMW.clipNorm },
      'cpu',
      { threads: 2 },
    )
    const losses: number[] = []
    for (const s of steps) {
      const feeds = {
        ...batchFeeds(s.batch, 2),
        dropout_seed: new ort.Tensor('int64', BigInt64Array.of(BigInt(s.dropoutSeed)), []),
      }
      losses.push((await runner.step(feeds, s.lr)).loss)
    }
    const trained = runner.weights()
    await runner.release()
    const state: Record<string, ort.Tensor> = {}
    for (const p of m.trainable) {
      state[nameOf(p)] = new ort.Tensor('float32', trained.get(nameOf(p))!, p.shape as number[])
    }
    const evalBytes = emitOnnx({
      inputs: m.batchInputs,
      outputs: [{ name: 'logits', tensor: m.evalLogits }],
      trainable: m.trainable,
    })
    const evalSession = await ort.InferenceSession.create(evalBytes, { intraOpNumThreads: 2 })
    const feeds: Record<string, ort.Tensor> = {}
    const all = batchFeeds(dev, 2)
    for (const n of evalSession.inputNames) feeds[n] = all[n] ?? state[n]
    const logits = (await evalSession.run(feeds)).logits.data as Float32Array
    await evalSession.release()
    return { losses, devLogits: dev.labels.map((_, i) => [logits[2 * i], logits[2 * i + 1]]) }
  }

  for (const training of [false, true]) {
    it(`gives the same loss at every step and the same dev predictions after the last (dropout ${training ? 'on, shared masks' : 'off'})`, async () => {
      const r = (training ? ref.on : ref.off) as RefRun
      const o = await ours(training)
      const relLoss = Math.max(...o.losses.map((l, i) => Math.abs(l - r.losses[i]) / r.losses[i]))
      const maxDiff = Math.max(
        ...o.devLogits.flatMap((row, i) => row.map((v, j) => Math.abs(v - r.devLogits[i][j]))),
      )
      const argmax = (row: number[]) => (row[1] > row[0] ? 1 : 0)
      console.log(
        `trajectory (dropout ${training ? 'on' : 'off'}): ${steps.length} steps, worst loss rel ` +
          `diff ${relLoss.toExponential(2)}, losses ${r.losses[0].toFixed(4)} → ` +
          `${r.losses[r.losses.length - 1].toFixed(4)}, dev logits max diff ${maxDiff.toExponential(2)}`,
      )
      // The model really trained: the last losses are well below the first.
      expect(r.losses[r.losses.length - 1]).toBeLessThan(r.losses[0] * 0.8)
      // Embeddings, 3 per layer, the head: every dropout of ours had its torch counterpart.
      expect(r.sites).toBe(training ? 2 + 3 * 6 : 0)
      expect(relLoss).toBeLessThanOrEqual(1e-3)
      expect(maxDiff).toBeLessThanOrEqual(1e-3)
      expect(o.devLogits.map(argmax)).toEqual(r.devLogits.map(argmax))
    })
  }
})
