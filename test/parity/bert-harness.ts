// Shared pieces of the BERT parity tests: the Python reference (test/parity/python/bert_ref.py)
// run through the project venv, a seeded padded batch, our graphs run with onnxruntime, and the
// difference measures the tests assert on.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as ort from 'onnxruntime-node'
import { expect } from 'vitest'
import { emitOnnx, grad } from '../../main/ml/graph'
import { buildTrainStep, type TrainStepIO } from '../../main/ml/train/train-step'
import { parseBertConfig, type BertConfig } from '../../main/ml/models/bert-config'
import { readSafetensorsFile } from '../../main/ml/models/safetensors'
import { readModelWeights, type LoadedTensor } from '../../main/ml/models/load-weights'
import { bertParamValues, type BertClassifierModel } from '../../main/ml/models/bert'
import { Rng } from '../../main/ml/train/rng'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const MINILM_DIR = join(ROOT, 'resources/models/all-MiniLM-L6-v2')
const PYTHON = join(ROOT, '.venv/bin/python')
const REF_SCRIPT = join(ROOT, 'test/parity/python/bert_ref.py')

/** The venv is part of the test setup: without it the parity tests fail, they never skip. */
export function requirePython(): string {
  if (!existsSync(PYTHON)) {
    throw new Error(`Python reference venv missing (${PYTHON}): run scripts/setup-python.sh first`)
  }
  return PYTHON
}

/** Runs a reference script (default bert_ref.py) with the venv's Python; returns its stdout. */
export function refPython(args: string[], script = REF_SCRIPT): string {
  return execFileSync(requirePython(), [script, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, OMP_NUM_THREADS: '2', HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' },
  })
}

export interface RefBatch {
  inputIds: number[][]
  attentionMask: number[][]
  tokenTypeIds: number[][]
  labels: number[]
}

/**
 * A seeded batch padded to the longest length: [CLS] tokens… [SEP] (then a second segment with
 * token type 1 when `pairAt` cuts it), pad id 0 after. Lengths differ so padding matters.
 */
export function makeBatch(o: {
  lengths: number[]
  vocab: number
  numLabels: number
  seed: number
  cls: number
  sep: number
  /** First id tokens are drawn from (skips special ids). */
  firstId: number
  /** Row i switches to segment B after pairAt[i] tokens (0 = single segment). */
  pairAt?: number[]
}): RefBatch {
  const rng = new Rng(o.seed)
  const seq = Math.max(...o.lengths)
  const b: RefBatch = { inputIds: [], attentionMask: [], tokenTypeIds: [], labels: [] }
  o.lengths.forEach((len, r) => {
    const ids = new Array<number>(seq).fill(0)
    const mask = new Array<number>(seq).fill(0)
    const types = new Array<number>(seq).fill(0)
    const cut = o.pairAt?.[r] ?? 0
    for (let i = 0; i < len; i++) {
      ids[i] = i === 0 ? o.cls : i === len - 1 ? o.sep : o.firstId + rng.int(o.vocab - o.firstId)
      mask[i] = 1
      types[i] = cut > 0 && i >= cut ? 1 : 0
    }
    b.inputIds.push(ids)
    b.attentionMask.push(mask)
    b.tokenTypeIds.push(types)
    b.labels.push(r % o.numLabels)
  })
  return b
}

export async function loadCheckpoint(
  dir: string,
  headPath: string,
): Promise<{ config: BertConfig; weights: Map<string, LoadedTensor> }> {
  const config = parseBertConfig(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')))
  // Any weights format the app reads (safetensors, pytorch_model.bin, sharded).
  const weights = (await readModelWeights(dir)).tensors
  for (const [k, v] of (await readSafetensorsFile(headPath)).tensors) weights.set(k, v)
  return { config, weights }
}

export interface AdamWSpec {
  lr: number
  beta1: number
  beta2: number
  eps: number
  weightDecay: number
  clipNorm: number
}

export interface RefResult {
  logits: number[][]
  loss: number
  trainable: string[]
  decay: string[]
  grads: Map<string, Float32Array>
  updated: Map<string, Float32Array>
}

export interface RefSpec {
  modelDir: string
  headPath: string
  head: 'cls' | 'mean'
  outDir: string
  batch: RefBatch
  adamw: AdamWSpec
  freezeEmbeddings?: boolean
  freezeLayers?: number
  /** Let the reference write headPath first (seeded random classifier). */
  headInit?: { hidden: number; numLabels: number; seed: number }
}

/** Runs bert_ref.py (one process) on each spec: same weights and batch, dropout off, float64. */
export async function runReference(specs: RefSpec[]): Promise<RefResult[]> {
  const paths = specs.map((spec) => {
    mkdirSync(spec.outDir, { recursive: true })
    const path = join(spec.outDir, 'spec.json')
    writeFileSync(path, JSON.stringify(spec))
    return path
  })
  const lines = refPython(['run', ...paths.flatMap((p) => ['--spec', p])])
    .trim()
    .split('\n')
  const read = async (dir: string, f: string) =>
    new Map([...(await readSafetensorsFile(join(dir, f))).tensors].map(([k, v]) => [k, v.data]))
  return Promise.all(
    specs.map(async (spec, i) => ({
      ...JSON.parse(lines[i]),
      grads: await read(spec.outDir, 'grads.safetensors'),
      updated: await read(spec.outDir, 'updated.safetensors'),
    })),
  )
}

export function batchFeeds(b: RefBatch, numLabels: number): Record<string, ort.Tensor> {
  const rows = b.inputIds.length
  const seq = b.inputIds[0].length
  const i64 = (a: number[][]) =>
    new ort.Tensor('int64', BigInt64Array.from(a.flat(), BigInt), [rows, seq])
  return {
    input_ids: i64(b.inputIds),
    attention_mask: i64(b.attentionMask),
    token_type_ids: i64(b.tokenTypeIds),
    labels: new ort.Tensor('int64', BigInt64Array.from(b.labels, BigInt), [rows]),
    class_weights: new ort.Tensor('float32', new Float32Array(numLabels).fill(1), [numLabels]),
  }
}

function pick(
  feeds: Record<string, ort.Tensor>,
  names: readonly string[],
): Record<string, ort.Tensor> {
  return Object.fromEntries(names.map((n) => [n, feeds[n]]))
}

async function runModel(bytes: Uint8Array, feeds: Record<string, ort.Tensor>) {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 2 })
  try {
    return await session.run(pick(feeds, session.inputNames))
  } finally {
    await session.release()
  }
}

/** Inference graph (params as initializers): logits [batch, labels] as rows. */
export async function ourLogits(m: BertClassifierModel, b: RefBatch): Promise<number[][]> {
  const bytes = emitOnnx({
    inputs: m.batchInputs,
    outputs: [{ name: 'logits', tensor: m.evalLogits }],
  })
  const out = await runModel(bytes, batchFeeds(b, m.options.numLabels))
  return rowsOf(out.logits)
}

/** Loss and the gradient of every trainable param (by HF name). */
export async function ourGradients(
  m: BertClassifierModel,
  b: RefBatch,
): Promise<{ loss: number; grads: Map<string, Float32Array> }> {
  const grads = grad(m.loss, m.trainable)
  const names = m.params.filter((p) => p.trainable).map((p) => p.name)
  const bytes = emitOnnx({
    inputs: [...m.batchInputs, m.labels, m.classWeights],
    outputs: [
      { name: 'loss', tensor: m.loss },
      ...grads.map((g, i) => ({ name: `grad/${names[i]}`, tensor: g })),
    ],
  })
  const out = await runModel(bytes, batchFeeds(b, m.options.numLabels))
  return {
    loss: (out.loss.data as Float32Array)[0],
    grads: new Map(names.map((n) => [n, out[`grad/${n}`].data as Float32Array])),
  }
}

/** One emitted train step (clip + AdamW, t = 1, zero moments): updated params by HF name. */
export async function ourAdamWStep(
  m: BertClassifierModel,
  b: RefBatch,
  a: AdamWSpec,
): Promise<{ updated: Map<string, Float32Array>; model: Uint8Array }> {
  const { model, io } = buildTrainStep({
    inputs: [...m.batchInputs, m.labels, m.classWeights],
    loss: m.loss,
    trainable: m.trainable,
    decayMask: m.decayMask,
    beta1: a.beta1,
    beta2: a.beta2,
    eps: a.eps,
    clipNorm: a.clipNorm,
  })
  const feeds = { ...batchFeeds(b, m.options.numLabels), ...initialAdamState(m, io) }
  feeds[io.step] = new ort.Tensor('float32', Float32Array.of(1), [])
  feeds[io.lr] = new ort.Tensor('float32', Float32Array.of(a.lr), [])
  feeds[io.weightDecay] = new ort.Tensor('float32', Float32Array.of(a.weightDecay), [])
  const out = await runModel(model, feeds)
  return {
    updated: new Map(io.params.map((p) => [p.name, out[p.output].data as Float32Array])),
    model,
  }
}

/** A train step's starting parameter feeds: the model's weights with zero AdamW moments. */
export function initialAdamState(
  m: BertClassifierModel,
  io: TrainStepIO,
): Record<string, ort.Tensor> {
  const values = bertParamValues(m)
  const state: Record<string, ort.Tensor> = {}
  for (const p of io.params) {
    const v = values.get(p.name) as Float32Array
    state[p.input] = new ort.Tensor('float32', v, p.shape)
    state[p.m] = new ort.Tensor('float32', new Float32Array(v.length), p.shape)
    state[p.v] = new ort.Tensor('float32', new Float32Array(v.length), p.shape)
  }
  return state
}

/** Feeds a step's updated weights and moments back in as the next step's state. */
export function carryAdamState(
  state: Record<string, ort.Tensor>,
  io: TrainStepIO,
  out: Record<string, ort.Tensor>,
): void {
  for (const p of io.params) {
    state[p.input] = out[p.output]
    state[p.m] = out[p.mOut]
    state[p.v] = out[p.vOut]
  }
}

function rowsOf(t: ort.Tensor): number[][] {
  const [rows, cols] = t.dims as number[]
  const d = t.data as Float32Array
  return Array.from({ length: rows }, (_, r) => Array.from(d.subarray(r * cols, (r + 1) * cols)))
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`)
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]))
  return m
}

export function norm(a: ArrayLike<number>): number {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i] * a[i]
  return Math.sqrt(s)
}

/** ||a − b|| / ||b||. */
export function relativeDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`)
  let d = 0
  for (let i = 0; i < a.length; i++) d += (a[i] - b[i]) ** 2
  return Math.sqrt(d) / norm(b)
}

export interface GradComparison {
  /** Params whose reference gradient is non-zero, with ||ours − ref|| / ||ref||, worst first. */
  relative: { name: string; rel: number }[]
  /**
   * Params whose reference gradient is zero up to float64 rounding (below 1e-9 of the global
   * norm): relative error means nothing there, so ||ours|| / ||G_ref|| is reported instead.
   */
  zero: { name: string; ofGlobal: number }[]
}

export function compareGrads(
  ours: Map<string, Float32Array>,
  ref: Map<string, Float32Array>,
): GradComparison {
  const global = Math.sqrt([...ref.values()].reduce((s, g) => s + norm(g) ** 2, 0))
  const out: GradComparison = { relative: [], zero: [] }
  for (const [name, r] of ref) {
    const o = ours.get(name)
    if (!o) throw new Error(`no gradient for ${name}`)
    if (norm(r) < 1e-9 * global) out.zero.push({ name, ofGlobal: norm(o) / global })
    else out.relative.push({ name, rel: relativeDiff(o, r) })
  }
  out.relative.sort((a, b) => b.rel - a.rel)
  return out
}

/** Largest |ours − ref| over every element of every updated param, and where it is. */
export function compareParams(
  ours: Map<string, Float32Array>,
  ref: Map<string, Float32Array>,
): { name: string; maxAbs: number } {
  let worst = { name: '', maxAbs: -1 }
  for (const [name, r] of ref) {
    const o = ours.get(name)
    if (!o) throw new Error(`no updated value for ${name}`)
    const d = maxAbsDiff(o, r)
    if (d > worst.maxAbs) worst = { name, maxAbs: d }
  }
  return worst
}

/**
 * The gradient parity every encoder test asserts: the reference's trainable params in its order
 * and its weight-decay split, loss and every gradient within 1e-3 relative, and the attention
 * key biases' gradients (truly zero: softmax ignores a shift of all of a query's scores) zero up
 * to rounding. `label` prefixes the logged measures.
 */
export async function expectGradientParity(
  label: string,
  model: BertClassifierModel,
  batch: RefBatch,
  ref: RefResult,
  layers: number,
): Promise<void> {
  const names = model.params.filter((p) => p.trainable).map((p) => p.name)
  expect(names).toEqual(ref.trainable)
  expect(model.params.filter((p) => p.trainable && p.decay).map((p) => p.name)).toEqual(ref.decay)
  const ours = await ourGradients(model, batch)
  const lossRel = Math.abs(ours.loss - ref.loss) / ref.loss
  const cmp = compareGrads(ours.grads, ref.grads)
  const worst = cmp.relative[0]
  const worstZero = Math.max(...cmp.zero.map((z) => z.ofGlobal))
  console.log(
    `[${label}] loss ${ours.loss} vs ${ref.loss} (rel ${lossRel.toExponential(2)}); ` +
      `worst ||Δg||/||g|| = ${worst.rel.toExponential(2)} (${worst.name}) over ` +
      `${cmp.relative.length} params; key-bias grads ${worstZero.toExponential(2)} of the global norm`,
  )
  expect(lossRel).toBeLessThanOrEqual(1e-3)
  expect(worst.rel).toBeLessThanOrEqual(1e-3)
  expect(cmp.zero.map((z) => z.name)).toEqual(
    Array.from({ length: layers }, (_, i) => `encoder.layer.${i}.attention.self.key.bias`),
  )
  expect(worstZero).toBeLessThanOrEqual(1e-6)
}

/** One AdamW step of ours against torch.optim.AdamW's: the same params, each within 1e-5. */
export async function expectAdamWParity(
  label: string,
  model: BertClassifierModel,
  batch: RefBatch,
  ref: RefResult,
  adamw: AdamWSpec,
): Promise<void> {
  const ours = (await ourAdamWStep(model, batch, adamw)).updated
  expect([...ours.keys()]).toEqual(ref.trainable)
  const worst = compareParams(ours, ref.updated)
  console.log(
    `[${label}] max |AdamW step − torch| = ${worst.maxAbs.toExponential(2)} (${worst.name})`,
  )
  expect(worst.maxAbs).toBeLessThanOrEqual(1e-5)
}
