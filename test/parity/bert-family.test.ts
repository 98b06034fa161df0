// Parity with PyTorch + transformers for every BERT-family encoder we implement (issue #9,
// point 6): small random bert, roberta, xlm-roberta, distilbert and electra models built by the
// test venv (family_ref.py), each with the cls and the mean head: logits, every gradient, and a
// ten-step AdamW fine-tune on the same batches (dropout off). Plus our tokenizer on
// XLM-RoBERTa-style (SentencePiece Unigram) and RoBERTa-style (byte-level BPE) tokenizer.json.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emitOnnx } from '../../main/ml/graph'
import { buildBertClassifier } from '../../main/ml/models/bert'
import { createBertAdapter } from '../../main/ml/models/bert-adapter'
import type { BertModelType } from '../../main/ml/models/bert-config'
import { readSafetensorsFile } from '../../main/ml/models/safetensors'
import { loadTokenizer } from '../../main/ml/tokenize/load-tokenizer'
import { buildTrainStep } from '../../main/ml/train/train-step'
import { Rng } from '../../main/ml/train/rng'
import {
  ROOT,
  batchFeeds,
  carryAdamState,
  compareGrads,
  compareParams,
  initialAdamState,
  loadCheckpoint,
  maxAbsDiff,
  ourGradients,
  ourLogits,
  refPython,
  requirePython,
  type RefBatch,
} from './bert-harness'

const SCRIPT = join(ROOT, 'test/parity/python/family_ref.py')
const TOKENIZE_SCRIPT = join(ROOT, 'test/parity/python/tokenize_ref.py')
const CORPUS = join(ROOT, 'test/fixtures/tokenizer-corpus.jsonl')
const HIDDEN = 32
const STEPS = 10
// As bert-tiny.test.ts: lr and decay large enough that a misplaced decay term shows; eps 1e-5
// keeps rounding-noise gradients (true value 0, the attention key biases) from taking full steps.
const ADAMW = { beta1: 0.9, beta2: 0.999, eps: 1e-5, weightDecay: 0.1, clipNorm: 1 }
const LR = 1e-3

/** Special ids of each tiny model: RoBERTa's fairseq order (<s> 0, <pad> 1, </s> 2), BERT's else. */
const IDS: Record<BertModelType, { cls: number; pad: number; sep: number }> = {
  bert: { cls: 1, pad: 0, sep: 2 },
  roberta: { cls: 0, pad: 1, sep: 2 },
  'xlm-roberta': { cls: 0, pad: 1, sep: 2 },
  distilbert: { cls: 1, pad: 0, sep: 2 },
  electra: { cls: 1, pad: 0, sep: 2 },
}
/** Models with two token types get sentence pairs, so the token-type table is exercised. */
const PAIRS: Record<BertModelType, boolean> = {
  bert: true,
  roberta: false,
  'xlm-roberta': false,
  distilbert: false,
  electra: true,
}
const TYPES: BertModelType[] = ['bert', 'roberta', 'xlm-roberta', 'distilbert', 'electra']
const CASES = TYPES.flatMap((type) =>
  (['cls', 'mean'] as const).map((head) => ({ type, head, numLabels: head === 'cls' ? 3 : 2 })),
)

/** Ten seeded batches of four rows, padded with the model's pad id to the longest row. */
function batches(type: BertModelType, numLabels: number, seed: number): RefBatch[] {
  const rng = new Rng(seed)
  const { cls, pad, sep } = IDS[type]
  return Array.from({ length: STEPS }, () => {
    const lengths = [3 + rng.int(14), 3 + rng.int(14), 3 + rng.int(8), 16]
    const seq = Math.max(...lengths)
    const b: RefBatch = { inputIds: [], attentionMask: [], tokenTypeIds: [], labels: [] }
    for (const [r, len] of lengths.entries()) {
      const cut = PAIRS[type] && r % 2 === 1 ? Math.floor(len / 2) : 0
      b.inputIds.push(
        Array.from({ length: seq }, (_, i) =>
          i >= len ? pad : i === 0 ? cls : i === len - 1 ? sep : 3 + rng.int(93),
        ),
      )
      b.attentionMask.push(Array.from({ length: seq }, (_, i) => (i < len ? 1 : 0)))
      b.tokenTypeIds.push(Array.from({ length: seq }, (_, i) => (cut > 0 && i >= cut ? 1 : 0)))
      b.labels.push(rng.int(numLabels))
    }
    return b
  })
}

interface FamilyRef {
  logits: number[][]
  loss: number
  trainable: string[]
  decay: string[]
  losses: number[]
  grads: Map<string, Float32Array>
  final: Map<string, Float32Array>
}

const caseName = (c: (typeof CASES)[number]) => `${c.type}-${c.head}`

describe('BERT-family encoders match PyTorch + transformers', () => {
  const work = mkdtempSync(join(tmpdir(), 'cts-bert-family-'))
  const refs = new Map<string, FamilyRef>()

  beforeAll(async () => {
    for (const type of TYPES) {
      refPython(['tiny', '--type', type, '--out', join(work, type), '--seed', '7'], SCRIPT)
    }
    const specs = CASES.map((c, i) => {
      const spec = {
        type: c.type,
        modelDir: join(work, c.type),
        headPath: join(work, `${caseName(c)}-head.safetensors`),
        headInit: { hidden: HIDDEN, numLabels: c.numLabels, seed: 20 + i },
        head: c.head,
        outDir: join(work, caseName(c)),
        steps: batches(c.type, c.numLabels, 100 + i).map((batch) => ({ batch, lr: LR })),
        adamw: ADAMW,
      }
      const path = join(work, `${caseName(c)}.json`)
      mkdirSync(spec.outDir, { recursive: true })
      writeFileSync(path, JSON.stringify(spec))
      return { spec, path }
    })
    const lines = refPython(['run', ...specs.flatMap((s) => ['--spec', s.path])], SCRIPT)
      .trim()
      .split('\n')
    const read = async (path: string) =>
      new Map([...(await readSafetensorsFile(path)).tensors].map(([k, v]) => [k, v.data]))
    for (const [i, c] of CASES.entries()) {
      const out = join(work, caseName(c))
      refs.set(caseName(c), {
        ...(JSON.parse(lines[i]) as Omit<FamilyRef, 'grads' | 'final'>),
        grads: await read(join(out, 'grads.safetensors')),
        final: await read(join(out, 'final.safetensors')),
      })
    }
  }, 600_000)

  afterAll(() => rmSync(work, { recursive: true, force: true }))

  describe.each(CASES.map((c, i) => ({ ...c, i, name: caseName(c) })))('$name', (c) => {
    const steps = batches(c.type, c.numLabels, 100 + c.i)

    async function model() {
      const { config, weights } = await loadCheckpoint(
        join(work, c.type),
        join(work, `${c.name}-head.safetensors`),
      )
      expect(config.modelType).toBe(c.type)
      return buildBertClassifier(config, weights, {
        numLabels: c.numLabels,
        head: c.head,
        training: false,
      })
    }

    it('takes every weight from the prefixed checkpoint and has the inputs the family takes', async () => {
      const m = await model()
      const ref = refs.get(c.name) as FamilyRef
      expect(m.initialized).toEqual([])
      expect(m.params.map((p) => p.name).sort()).toEqual([...ref.trainable].sort())
      expect(
        m.params
          .filter((p) => p.decay)
          .map((p) => p.name)
          .sort(),
      ).toEqual([...ref.decay].sort())
      const inputs = m.batchInputs.map((t) => (t.source as { name: string }).name)
      expect(inputs).toEqual(
        c.type === 'distilbert'
          ? ['input_ids', 'attention_mask']
          : ['input_ids', 'attention_mask', 'token_type_ids'],
      )
    })

    it('matches logits within 1e-4 and every gradient within 1e-3 relative', async () => {
      const m = await model()
      const ref = refs.get(c.name) as FamilyRef
      const logitsDiff = maxAbsDiff((await ourLogits(m, steps[0])).flat(), ref.logits.flat())
      const ours = await ourGradients(m, steps[0])
      const cmp = compareGrads(ours.grads, ref.grads)
      console.log(
        `[${c.name}] logits max |Δ| ${logitsDiff.toExponential(2)}, worst ||Δg||/||g|| ` +
          `${cmp.relative[0].rel.toExponential(2)} (${cmp.relative[0].name})`,
      )
      expect(logitsDiff).toBeLessThanOrEqual(1e-4)
      expect(Math.abs(ours.loss - ref.loss) / ref.loss).toBeLessThanOrEqual(1e-4)
      expect(cmp.relative.length).toBe(m.params.length - cmp.zero.length)
      expect(cmp.relative[0].rel).toBeLessThanOrEqual(1e-3)
      // Softmax ignores a bias added to every key: those gradients are 0 up to rounding.
      for (const z of cmp.zero) {
        expect(z.name).toMatch(/attention\.(self\.key|k_lin)\.bias$/)
        expect(z.ofGlobal).toBeLessThanOrEqual(1e-6)
      }
    })

    it(`fine-tunes ${STEPS} AdamW steps to the same losses and final weights`, async () => {
      const m = await model()
      const ref = refs.get(c.name) as FamilyRef
      const { model: bytes, io } = buildTrainStep({
        inputs: [...m.batchInputs, m.labels, m.classWeights],
        loss: m.loss,
        trainable: m.trainable,
        decayMask: m.decayMask,
        ...ADAMW,
      })
      const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 2 })
      const state = initialAdamState(m, io)
      const scalar = (x: number) => new ort.Tensor('float32', Float32Array.of(x), [])
      const losses: number[] = []
      for (const [i, b] of steps.entries()) {
        const all = batchFeeds(b, c.numLabels)
        const feeds: Record<string, ort.Tensor> = { ...state }
        for (const n of session.inputNames) if (all[n]) feeds[n] = all[n]
        feeds[io.step] = scalar(i + 1)
        feeds[io.lr] = scalar(LR)
        feeds[io.weightDecay] = scalar(ADAMW.weightDecay)
        const out = await session.run(feeds)
        losses.push((out[io.loss].data as Float32Array)[0])
        carryAdamState(state, io, out)
      }
      await session.release()
      const final = new Map(io.params.map((p) => [p.name, state[p.input].data as Float32Array]))
      const relLoss = Math.max(...losses.map((l, i) => Math.abs(l - ref.losses[i]) / ref.losses[i]))
      const worst = compareParams(final, ref.final)
      console.log(
        `[${c.name}] ${STEPS} steps: losses ${ref.losses[0].toFixed(4)} → ` +
          `${ref.losses[STEPS - 1].toFixed(4)}, worst loss rel diff ${relLoss.toExponential(2)}, ` +
          `final params max |Δ| ${worst.maxAbs.toExponential(2)} (${worst.name})`,
      )
      expect(relLoss).toBeLessThanOrEqual(1e-4)
      expect(worst.maxAbs).toBeLessThanOrEqual(1e-4)
    })
  })
})

interface Row {
  id: string
  text: string
}

describe.each([
  { kind: 'unigram', like: 'XLM-RoBERTa (SentencePiece Unigram)' },
  { kind: 'bpe', like: 'RoBERTa (byte-level BPE)' },
])('a $like tokenizer.json', ({ kind }) => {
  const work = mkdtempSync(join(tmpdir(), `cts-family-tok-${kind}-`))
  const lengths = [16, 128]
  let ref: Record<string, Record<string, number[]>>
  const rows = readFileSync(CORPUS, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Row)

  beforeAll(() => {
    requirePython()
    refPython(['tokenizer', '--kind', kind, '--corpus', CORPUS, '--out', work], SCRIPT)
    const out = refPython([work, CORPUS, ...lengths.map(String)], TOKENIZE_SCRIPT)
    ref = (JSON.parse(out) as { ids: typeof ref }).ids
  }, 300_000)

  afterAll(() => rmSync(work, { recursive: true, force: true }))

  it('has <s> … </s> around every text and pads with <pad> = 1', async () => {
    const tok = await loadTokenizer(work)
    expect(tok.padId).toBe(1)
    expect(tok.prefixIds).toEqual([0])
    expect(tok.suffixIds).toEqual([2])
    expect(tok.unkId).toBe(3)
  })

  it(`gives Hugging Face's ids for all ${rows.length} corpus texts, cut at 16 and 128 tokens`, async () => {
    const tok = await loadTokenizer(work)
    const diffs: string[] = []
    for (const row of rows) {
      for (const n of lengths) {
        const ours = tok.encode(row.text, n)
        if (JSON.stringify(ours) !== JSON.stringify(ref[row.id][String(n)])) {
          diffs.push(
            `${row.id} @${n}: ours ${ours.join(' ')} vs ${ref[row.id][String(n)].join(' ')}`,
          )
        }
      }
    }
    expect(diffs).toEqual([])
  })

  it('feeds a tiny model folder through our adapter to the logits PyTorch gives for the same texts', async () => {
    const tok = await loadTokenizer(work)
    const type = kind === 'unigram' ? 'xlm-roberta' : 'roberta'
    const dir = join(work, 'model')
    refPython(['tiny', '--type', type, '--out', dir, '--vocab', String(tok.vocabSize)], SCRIPT)
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) {
      copyFileSync(join(work, f), join(dir, f))
    }
    const outDir = join(work, 'ref')
    const headPath = join(work, 'head.safetensors')
    // The four shortest texts and two long ones (cut at 24 tokens): rows of different lengths.
    const byLength = rows.map((r) => r.text).sort((a, b) => a.length - b.length)
    const texts = [...byLength.slice(0, 4), ...byLength.slice(-2)]
    const adapter0 = await createBertAdapter(dir, { numClasses: 2, head: 'mean', maxLength: 24 })
    const items = texts.map((t) => adapter0.encode(t))
    const length = Math.max(...items.map((i) => i.length))
    const feeds = adapter0.feeds(items, length)
    const rowsOf = (name: string) => {
      const d = Array.from(feeds[name].data as BigInt64Array, Number)
      return texts.map((_, r) => d.slice(r * length, (r + 1) * length))
    }
    const batch: RefBatch = {
      inputIds: rowsOf('input_ids'),
      attentionMask: rowsOf('attention_mask'),
      tokenTypeIds: rowsOf('token_type_ids'),
      labels: texts.map((_, i) => i % 2),
    }
    // Shorter texts were padded with <pad> = 1, which RoBERTa's positions are counted from.
    expect(batch.inputIds.some((r) => r[r.length - 1] === 1)).toBe(true)
    const spec = {
      type,
      modelDir: dir,
      headPath,
      headInit: { hidden: HIDDEN, numLabels: 2, seed: 5 },
      head: 'mean',
      outDir,
      steps: [{ batch, lr: 0 }],
      adamw: ADAMW,
    }
    mkdirSync(outDir, { recursive: true })
    writeFileSync(join(outDir, 'spec.json'), JSON.stringify(spec))
    const ref = JSON.parse(refPython(['run', '--spec', join(outDir, 'spec.json')], SCRIPT)) as {
      logits: number[][]
    }
    const head = (await readSafetensorsFile(headPath)).tensors
    const adapter = await createBertAdapter(dir, {
      numClasses: 2,
      head: 'mean',
      maxLength: 24,
      weights: new Map([...head].map(([k, v]) => [k, v.data])),
    })
    expect(adapter.describe()).toMatchObject({ modelType: type, tokenTypeIds: true })
    const bytes = emitOnnx({
      inputs: adapter.graph.batchInputs,
      outputs: [{ name: 'logits', tensor: adapter.graph.evalLogits }],
    })
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 2 })
    const logits = (await session.run(feeds)).logits.data as Float32Array
    await session.release()
    expect(maxAbsDiff(logits, ref.logits.flat())).toBeLessThanOrEqual(1e-4)
  }, 300_000)
})
