// The 'loop-train' job (issue #11): fit the TF-IDF baseline on the labelled texts outside the audit
// sample (fixed C, no search: seconds) and score the unlabelled and audit texts. Probabilities go
// to a float32 file, so jobs/list and progress events stay small.
import { writeFileSync } from 'node:fs'
import { constants, setPriority } from 'node:os'
import { CtsError } from '../shared'
import type { LoopTrainJobResult } from '../../preload/contract/loop'
import { baselineProbabilities } from '../ml/active/out-of-fold'
import { BaselineFitCancelled, fitTfidfBaseline } from '../ml/models/baseline-fit'
import { JobCancelledError, type JobContext } from './job-worker'

export interface LoopTrainJobInput {
  numClasses: number
  /** Class indices 0 … numClasses − 1. */
  train: { texts: string[]; labels: number[] }
  score: { texts: string[] }
  maxFeatures: number
  seed: number
  /** Where the probabilities go (scored × numClasses float32, little-endian). */
  probabilitiesFile: string
}

/** Texts scored per step between cancel checks and progress reports. */
const SCORE_CHUNK = 500

export async function runLoopTrainJob(
  raw: unknown,
  ctx: JobContext<'loop-train'>,
): Promise<LoopTrainJobResult> {
  const input = raw as LoopTrainJobInput
  const { numClasses: k } = input
  if (input.train.texts.length === 0)
    throw new CtsError('bad-input', 'There are no labelled texts outside the audit sample yet.')
  const started = performance.now()
  ctx.report({ phase: 'fitting baseline' })
  let fit
  try {
    fit = await fitTfidfBaseline({
      train: input.train,
      numClasses: k,
      maxFeatures: input.maxFeatures,
      classWeights: false,
      seed: input.seed,
      signal: ctx.signal,
    })
  } catch (e) {
    if (e instanceof BaselineFitCancelled) throw new JobCancelledError()
    throw e
  }
  const trainSeconds = (performance.now() - started) / 1000
  const texts = input.score.texts
  const out = new Float32Array(texts.length * k)
  for (let i = 0; i < texts.length; i += SCORE_CHUNK) {
    if (ctx.signal.aborted) throw new JobCancelledError()
    ctx.report({ phase: 'scoring', step: i, total: texts.length })
    baselineProbabilities(fit, texts.slice(i, i + SCORE_CHUNK)).forEach((p, r) =>
      out.set(p, (i + r) * k),
    )
  }
  writeFileSync(input.probabilitiesFile, Buffer.from(out.buffer, out.byteOffset, out.byteLength))
  return {
    trainedOn: input.train.texts.length,
    scored: texts.length,
    numClasses: k,
    trainSeconds,
    probabilitiesFile: input.probabilitiesFile,
  }
}

/**
 * The retrain is background work: its process runs at the lowest CPU priority, so on a 2-core
 * machine the backend (which persists labels) always gets the CPU first. Where the system does
 * not allow it, the job runs at normal priority (only slower labelling under load).
 */
export function lowestPriority(): void {
  try {
    setPriority(constants.priority.PRIORITY_LOW)
  } catch {
    // Not permitted here: nothing else to do.
  }
}

/** The job process's entry for 'loop-train': lowest priority first (job-entry.ts registers it). */
export async function runLoopTrainJobProcess(
  raw: unknown,
  ctx: JobContext<'loop-train'>,
): Promise<LoopTrainJobResult> {
  lowestPriority()
  return runLoopTrainJob(raw, ctx)
}
