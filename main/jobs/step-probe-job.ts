// The 'step-probe' job (runs in the job process): times a few real training steps and dev-scoring
// batches of a model at the study's batch size and padded lengths, its set-up and one epoch's
// checkpoint writes, so a study's first estimate is this computer's, not an assumed speed.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { emitOnnx, nameOf } from '../ml/graph'
import { createBertAdapter } from '../ml/models/bert-adapter'
import { createSession, type DeviceChoice } from '../ml/runtime'
import { saveCheckpoint } from '../ml/train/checkpoint'
import type { ClassifierAdapter, EncodedText } from '../ml/train/classifier-adapter'
import { BERT_DEFAULTS } from '../ml/train/defaults'
import { createGraphStepRunner } from '../ml/train/graph-step-runner'
import { evaluate } from '../ml/train/trainer'
import type { JobContext } from './job-worker'
import type { StepProbeResult } from '../../preload/contract/job-results'
import { JobCancelledError } from './job-worker'
import { BEST_CHECKPOINT, LAST_CHECKPOINT } from '../shared'

export interface StepProbeInput {
  modelDir: string
  numClasses: number
  maxLength: number
  lengthMultiple: number
  batchSize: number
  /** Padded lengths to time: `steps` timed calls each, after one untimed warm-up call. */
  lengths: number[]
  device: DeviceChoice
  threads?: number
  /** Timed calls at the longest length (default 2; one fewer, at least 1, at the others). */
  steps?: number
}

export type { StepProbeResult } from '../../preload/contract/job-results'

export async function runStepProbeJob(
  raw: unknown,
  ctx: JobContext<'step-probe'>,
): Promise<StepProbeResult> {
  const input = raw as StepProbeInput
  const started = performance.now()
  const seconds = (t0: number) => (performance.now() - t0) / 1000
  const check = () => {
    if (ctx.signal.aborted) throw new JobCancelledError()
  }
  ctx.report({ phase: 'timing the computer' })
  const adapter = (await createBertAdapter(input.modelDir, {
    numClasses: input.numClasses,
    maxLength: input.maxLength,
    lengthMultiple: input.lengthMultiple,
    initSeed: 42,
  })) as unknown as ClassifierAdapter<EncodedText & { ids: number[] }>
  const g = adapter.graph
  // The trainer's two sessions: the train step and the dev scoring (params as inputs).
  const runner = await createGraphStepRunner(
    {
      graph: g,
      weightDecay: BERT_DEFAULTS.weightDecay,
      clipNorm: BERT_DEFAULTS.clipNorm,
      stepsPerCall: 1,
    },
    input.device,
    input.threads,
  )
  const evalSession = (
    await createSession(
      emitOnnx({
        inputs: g.batchInputs,
        outputs: [{ name: 'probs', tensor: g.evalProbs }],
        trainable: g.trainable,
      }),
      { device: input.device },
    )
  ).session
  const setupSeconds = seconds(started)
  const dir = mkdtempSync(join(tmpdir(), 'cts-probe-'))
  try {
    // A text as long as the longest length; shorter lengths cut its ids (an item of that length).
    const long = adapter.encode('patient '.repeat(input.maxLength + 8))
    const itemOf = (length: number) => ({ ...long, ids: long.ids.slice(0, length), length })
    const size = input.batchSize
    const classWeights = new ort.Tensor('float32', new Float32Array(adapter.numClasses).fill(1), [
      adapter.numClasses,
    ])
    const labels = new ort.Tensor(
      'int64',
      BigInt64Array.from({ length: size }, (_, i) => BigInt(i % adapter.numClasses)),
      [size],
    )
    const result: StepProbeResult = {
      provider: runner.provider,
      train: [],
      eval: [],
      setupSeconds,
      checkpointSeconds: 0,
      totalSeconds: 0,
    }
    const timed = input.steps ?? 2
    // Longest first: its untimed first call sets the sessions' memory up for every shorter shape
    // too (one warm-up instead of one per length: the probe's time is spent from the budget).
    const lengths = [...input.lengths].sort((a, b) => b - a)
    for (const [n, length] of lengths.entries()) {
      const items = Array.from({ length: size }, () => itemOf(length))
      const feeds = adapter.feeds(items, length)
      feeds[nameOf(g.labels)] = labels
      feeds[nameOf(g.classWeights)] = classWeights
      let total = 0
      const calls = n === 0 ? timed : Math.max(1, timed - 1)
      for (let i = n === 0 ? 0 : 1; i <= calls; i++) {
        check()
        feeds[nameOf(g.dropoutSeed)] = new ort.Tensor('int64', BigInt64Array.of(BigInt(i)), [])
        const t0 = performance.now()
        // A tiny learning rate: the weights stay those of the model (the probe trains nothing).
        await runner.step(feeds, 1e-9)
        if (i > 0) total += seconds(t0) // the very first call sets the session up: not timed
      }
      result.train.push({ size, length, seconds: total / calls })
      ctx.report({ phase: 'timing the computer', metrics: { length } })
    }
    const weights = runner.weights()
    const devLabels = Array.from({ length: size }, (_, i) => i % adapter.numClasses)
    for (const [n, length] of lengths.entries()) {
      const items = Array.from({ length: size }, () => itemOf(length))
      let total = 0
      const calls = n === 0 ? timed : Math.max(1, timed - 1)
      for (let i = n === 0 ? 0 : 1; i <= calls; i++) {
        check()
        const t0 = performance.now()
        await evaluate(evalSession, adapter, items, devLabels, weights, size)
        if (i > 0) total += seconds(t0)
      }
      result.eval.push({ size, length, seconds: total / calls })
    }
    // One epoch's checkpoints: best (weights) and last (weights and AdamW moments).
    const t0 = performance.now()
    const best = Object.fromEntries(
      g.trainable.map((p) => [
        nameOf(p),
        { dims: p.shape as number[], data: weights.get(nameOf(p))! },
      ]),
    )
    saveCheckpoint(join(dir, BEST_CHECKPOINT), { tensors: best, state: {} })
    saveCheckpoint(join(dir, LAST_CHECKPOINT), { tensors: runner.state(), state: {} })
    result.checkpointSeconds = seconds(t0)
    result.totalSeconds = seconds(started)
    return result
  } finally {
    rmSync(dir, { recursive: true, force: true })
    await runner.release()
    await evalSession.release()
  }
}
