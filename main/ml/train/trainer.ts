// The training loop, generic over a model family: seeded length-bucketed batches, linear warm-up
// and decay fed per step, a dropout seed per step, dev evaluation and early stopping on macro-F1,
// best weights kept, atomic checkpoints after every epoch (resume after a crash), non-finite guard.
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { emitOnnx, nameOf, type Tensor } from '../graph'
import { createSession, type DeviceChoice } from '../runtime'
import { argmaxRows, classificationReport, type ClassificationReport } from '../eval/metrics'
import { predictProbabilities } from '../infer/predict'
import { randomBatches, trainBatches } from './batching'
import { loadCheckpoint, saveCheckpoint, NonFiniteError, type CheckpointTensor } from './checkpoint'
import type { ClassifierAdapter, EncodedText } from './classifier-adapter'
import { BASELINE_DEFAULTS, BERT_DEFAULTS } from './defaults'
import { predictBatchSize } from './loop-k-choice'
import { Rng } from './rng'
import { stepDropoutSeed } from './step-seed'
import {
  EarlyStopping,
  inverseFrequencyWeights,
  linearScheduleFactor,
  warmupSteps,
  type EarlyStoppingState,
} from './schedule'
import type { StepRunner } from './step-runner'
import { BEST_CHECKPOINT, LAST_CHECKPOINT } from '../../shared'

export interface LabelledTexts {
  texts: string[]
  labels: number[]
}

export interface TrainProgress {
  phase: 'preparing' | 'training' | 'evaluating'
  epoch: number
  epochs: number
  step: number
  totalSteps: number
  loss?: number
  learningRate?: number
  samplesPerSecond?: number
  etaSeconds?: number
  devMacroF1?: number
}

export interface TrainerOptions<E extends EncodedText> {
  adapter: ClassifierAdapter<E>
  train: LabelledTexts
  dev?: LabelledTexts
  epochs: number
  batchSize: number
  learningRate: number
  warmupRatio: number
  weightDecay: number
  clipNorm: number
  patience: number
  seed: number
  classWeights: boolean
  /**
   * 'linear' (default): warm-up then linear decay to 0 (the reference recipe). 'constant': the base
   * learning rate at every step, no warm-up (the seed's script).
   */
  schedule?: 'linear' | 'constant'
  /** 'best' (default): the best dev macro-F1 epoch's weights. 'last': the final epoch's weights. */
  keep?: 'best' | 'last'
  /** Default true; false trains every configured epoch (dev is still scored each epoch). */
  earlyStopping?: boolean
  /**
   * 'bucketed' (default): length-sorted pools, little padding (reference recipe, parity replays).
   * 'random': plain shuffled batches as PyTorch's DataLoader, labels mixed in every batch.
   */
  batching?: 'bucketed' | 'random'
  /** Optimiser steps per runner call (default: the model family's, defaults.ts). */
  stepsPerCall?: number
  /** Build the step runner for the adapter's graph (engine and execution provider choice). */
  createRunner: (o: RunnerRequest) => Promise<StepRunner>
  /** Execution provider choice for the evaluation session (the runner makes its own). */
  device?: DeviceChoice
  /** Where last.ckpt / best.ckpt live; with it an interrupted run resumes. */
  checkpointDir?: string
  onProgress?: (p: TrainProgress) => void
  signal?: AbortSignal
}

export interface RunnerRequest {
  graph: ClassifierAdapter['graph']
  weightDecay: number
  clipNorm: number
  /** Steps per call the trainer will use when the runner offers stepMany (default 1). */
  stepsPerCall?: number
  /** Optimiser steps in one epoch (a runner that chooses K itself caps it there). */
  stepsPerEpoch?: number
}

export interface EpochResult {
  epoch: number
  trainLoss: number
  learningRate: number
  seconds: number
  dev?: ClassificationReport
}

export interface TrainResult {
  epochs: EpochResult[]
  /** Epoch whose weights are returned (best dev macro-F1, or the last without dev data). */
  bestEpoch: number
  weights: Map<string, Float32Array>
  provider: string
  trainSeconds: number
  samplesPerSecond: number
  stoppedEarly: boolean
  /** Epochs restored from a checkpoint instead of trained in this call. */
  resumedEpochs: number
}

interface LoopState {
  epoch: number // epochs completed
  rngState: number
  early: EarlyStoppingState
  epochs: SerializedEpoch[]
  trainSeconds: number
  samples: number
}
type SerializedEpoch = Omit<EpochResult, 'dev'> & { dev?: ClassificationReport }

export class TrainingCancelledError extends Error {
  constructor() {
    super('training was cancelled')
    this.name = 'TrainingCancelledError'
  }
}

export async function trainClassifier<E extends EncodedText>(
  o: TrainerOptions<E>,
): Promise<TrainResult> {
  const { adapter } = o
  const report = o.onProgress ?? (() => {})
  const g = adapter.graph
  const trainItems = o.train.texts.map((t) => adapter.encode(t))
  const devItems = o.dev?.texts.map((t) => adapter.encode(t))
  const lengths = trainItems.map((e) => e.length)
  const stepsPerEpoch = Math.ceil(trainItems.length / o.batchSize)
  const totalSteps = stepsPerEpoch * o.epochs
  const constant = o.schedule === 'constant'
  const warmup = constant ? 0 : warmupSteps(totalSteps, o.warmupRatio)
  const keepLast = o.keep === 'last'
  const earlyStops = o.earlyStopping ?? true
  const weights = o.classWeights
    ? inverseFrequencyWeights(o.train.labels, adapter.numClasses)
    : new Array<number>(adapter.numClasses).fill(1)
  const classWeightTensor = new ort.Tensor('float32', Float32Array.from(weights), [
    adapter.numClasses,
  ])
  report({ phase: 'preparing', epoch: 0, epochs: o.epochs, step: 0, totalSteps })

  const runner = await o.createRunner({
    graph: g,
    weightDecay: o.weightDecay,
    clipNorm: o.clipNorm,
    stepsPerCall:
      o.stepsPerCall ??
      (adapter.kind === 'baseline' ? BASELINE_DEFAULTS : BERT_DEFAULTS).stepsPerCall,
    stepsPerEpoch,
  })
  // Evaluation model: params are inputs, so the current weights are fed without re-emitting.
  const evalHandle = devItems
    ? await createSession(
        emitOnnx({
          inputs: g.batchInputs,
          outputs: [{ name: 'probs', tensor: g.evalProbs }],
          trainable: g.trainable,
        }),
        { device: o.device ?? 'cpu' },
      )
    : undefined
  const evalSession = evalHandle?.session
  // Large dev batches on a GPU (loop-k-choice.ts); the training batch size on the CPU, as before.
  const evalBatch = predictBatchSize(evalHandle?.provider ?? 'cpu', o.batchSize, adapter.maxLength)

  const lastPath = o.checkpointDir ? join(o.checkpointDir, LAST_CHECKPOINT) : undefined
  const bestPath = o.checkpointDir ? join(o.checkpointDir, BEST_CHECKPOINT) : undefined
  let loop: LoopState = {
    epoch: 0,
    rngState: new Rng(o.seed).state,
    early: new EarlyStopping(o.patience).state,
    epochs: [],
    trainSeconds: 0,
    samples: 0,
  }
  let best: Map<string, Float32Array> | undefined
  const resumed = lastPath ? loadCheckpoint<LoopState>(lastPath) : undefined
  if (resumed) {
    runner.load(resumed.tensors)
    loop = resumed.state
    const b = loadCheckpoint(bestPath!)
    if (b) best = new Map(Object.entries(b.tensors).map(([k, t]) => [k, t.data]))
  }
  const resumedEpochs = loop.epoch
  const rng = Rng.fromState(loop.rngState)
  const early = new EarlyStopping(o.patience, 0, loop.early)
  let stoppedEarly =
    (o.earlyStopping ?? true) && early.state.badEpochs >= o.patience && resumedEpochs > 0

  try {
    for (let epoch = loop.epoch; epoch < o.epochs && !stoppedEarly; epoch++) {
      const started = performance.now()
      let lossSum = 0
      let lossCount = 0
      let lr = 0
      const batching = o.batching === 'random' ? randomBatches : trainBatches
      const batches = batching(lengths, {
        batchSize: o.batchSize,
        rng,
        maxLength: adapter.maxLength,
        lengthMultiple: adapter.lengthMultiple,
      })
      for (let b = 0; b < batches.length;) {
        if (o.signal?.aborted) throw new TrainingCancelledError()
        // Read per call: on CUDA the runner picks K after timing its first steps (loop-k-choice.ts).
        const k = runner.stepMany ? (runner.stepsPerCall ?? 1) : 1
        // K consecutive batches of one size go in one call, padded to their longest (one shape);
        // the rest (the epoch's tail, a smaller last batch) go one step per call.
        const group = batches.slice(b, b + k)
        const many =
          k > 1 &&
          group.length === k &&
          group.every((x) => x.indices.length === group[0].indices.length)
        const calls = many ? [group] : [[batches[b]]]
        b += calls[0].length
        const length = Math.max(...calls[0].map((x) => x.length))
        const first = runner.steps
        const lrs = calls[0].map((_, i) =>
          constant
            ? o.learningRate
            : o.learningRate * linearScheduleFactor(first + i, totalSteps, warmup),
        )
        const feedsList = calls[0].map((batch, i) => {
          const feeds = adapter.feeds(
            batch.indices.map((j) => trainItems[j]),
            many ? length : batch.length,
          )
          const labels = BigInt64Array.from(batch.indices, (j) => BigInt(o.train.labels[j]))
          feeds[inputName(g.labels)] = new ort.Tensor('int64', labels, [labels.length])
          const seed = stepDropoutSeed(o.seed, first + i)
          feeds[inputName(g.dropoutSeed)] = new ort.Tensor(
            'int64',
            BigInt64Array.of(BigInt(seed)),
            [],
          )
          feeds[inputName(g.classWeights)] = classWeightTensor
          return feeds
        })
        const losses = many
          ? (await runner.stepMany!(feedsList, lrs)).losses
          : [(await runner.step(feedsList[0], lrs[0])).loss]
        const bad = losses.findIndex((l) => !Number.isFinite(l))
        if (bad >= 0) {
          throw new NonFiniteError(`the loss (step ${first + bad + 1}, epoch ${epoch + 1})`)
        }
        lr = lrs[lrs.length - 1]
        losses.forEach((loss, i) => {
          const size = calls[0][i].indices.length
          lossSum += loss * size
          lossCount += size
          const elapsed = loop.trainSeconds + (performance.now() - started) / 1000
          const sps = (loop.samples + lossCount) / Math.max(elapsed, 1e-9)
          const done = first + i + 1
          report({
            phase: 'training',
            epoch: epoch + 1,
            epochs: o.epochs,
            step: done,
            totalSteps,
            loss,
            learningRate: lrs[i],
            samplesPerSecond: sps,
            etaSeconds: ((totalSteps - done) * o.batchSize) / Math.max(sps, 1e-9),
          })
        })
      }
      const seconds = (performance.now() - started) / 1000
      const result: EpochResult = {
        epoch: epoch + 1,
        trainLoss: lossSum / Math.max(1, lossCount),
        learningRate: lr,
        seconds,
      }
      // This epoch's weights, made only where used (dev pass, best copy, checkpoint): a row-sparse
      // table is assembled into a fresh whole table each time (MiniLM's word embeddings: 47 MB).
      let current: Map<string, Float32Array> | undefined
      const weightsNow = () => (current ??= runner.weights())
      let improved = true
      if (evalSession && devItems && o.dev) {
        // Once as the dev pass starts, once with its macro-F1 when it ends.
        const reportEvaluating = (extra: { devMacroF1?: number } = {}) =>
          report({
            phase: 'evaluating',
            epoch: epoch + 1,
            epochs: o.epochs,
            step: runner.steps,
            totalSteps,
            ...extra,
          })
        reportEvaluating()
        result.dev = await evaluate(
          evalSession,
          adapter,
          devItems,
          o.dev.labels,
          weightsNow(),
          evalBatch,
        )
        const verdict = early.update(epoch + 1, result.dev.macro.f1)
        improved = verdict.improved
        stoppedEarly = earlyStops && verdict.stop
        reportEvaluating({ devMacroF1: result.dev.macro.f1 })
      }
      if (keepLast) improved = true
      // A copy only where an earlier epoch may be returned: without dev scores (or keeping the
      // last) every epoch is the best so far, and a copy held through the next epochs' training
      // would add one model's weights (MiniLM: 91 MB) to the run's peak memory for nothing.
      const lastIsBest = keepLast || !(evalSession && devItems && o.dev)
      if (improved)
        best = lastIsBest
          ? undefined
          : new Map([...weightsNow()].map(([k, v]) => [k, Float32Array.from(v)]))
      loop = {
        epoch: epoch + 1,
        rngState: rng.state,
        early: early.state,
        epochs: [...loop.epochs, result],
        trainSeconds: loop.trainSeconds + seconds,
        samples: loop.samples + lossCount,
      }
      if (o.checkpointDir) {
        // best first: a crash between the two writes resumes from the older last.ckpt, whose
        // epoch is then redone identically and rewrites the same best weights.
        if (improved)
          saveCheckpoint(bestPath!, {
            tensors: toTensors(best ?? weightsNow(), g),
            state: { epoch: epoch + 1 },
          })
        saveCheckpoint(lastPath!, { tensors: runner.state(), state: loop })
      }
    }
    return {
      epochs: loop.epochs,
      bestEpoch: evalSession && !keepLast ? early.state.bestEpoch : loop.epoch,
      weights: best ?? runner.weights(),
      provider: runner.provider,
      trainSeconds: loop.trainSeconds,
      samplesPerSecond: loop.samples / Math.max(loop.trainSeconds, 1e-9),
      stoppedEarly,
      resumedEpochs,
    }
  } finally {
    await runner.release()
    await evalSession?.release()
  }
}

/** Classification report of a model (params fed as inputs) on encoded texts. */
export async function evaluate<E extends EncodedText>(
  session: ort.InferenceSession,
  adapter: ClassifierAdapter<E>,
  items: E[],
  labels: number[],
  weights: Map<string, Float32Array> | undefined,
  batchSize: number,
): Promise<ClassificationReport> {
  const extraFeeds: Record<string, ort.Tensor> = {}
  if (weights) {
    for (const p of adapter.graph.trainable) {
      extraFeeds[inputName(p)] = new ort.Tensor(
        'float32',
        weights.get(inputName(p))!,
        p.shape as number[],
      )
    }
  }
  const probs = await predictProbabilities(session, adapter, items, { batchSize, extraFeeds })
  const predicted = argmaxRows(probs, adapter.numClasses)
  return classificationReport(labels, predicted, [...Array(adapter.numClasses).keys()])
}

function toTensors(
  weights: Map<string, Float32Array>,
  g: ClassifierAdapter['graph'],
): Record<string, CheckpointTensor> {
  const out: Record<string, CheckpointTensor> = {}
  for (const p of g.trainable)
    out[inputName(p)] = { dims: p.shape as number[], data: weights.get(inputName(p))! }
  return out
}

function inputName(t: Tensor): string {
  return nameOf(t)
}
