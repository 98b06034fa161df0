// Cross-validation numbers from out-of-fold predictions: per-fold and pooled metrics with bootstrap
// intervals, learning-curve points and the paired bootstrap of the gain from 50 % to 100 %.
import { Rng } from '../train/rng'
import { bootstrapIntervals, percentile, type BootstrapOptions, type Interval } from './bootstrap'
import { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, CONFIDENCE_LEVEL } from './eval-defaults'
import { classificationReport, type ClassificationReport } from './metrics'

export interface OutOfFold {
  /** Per text: true class, predicted class and the fold that held it out. */
  yTrue: number[]
  yPred: number[]
  fold: number[]
}

export interface FoldMetrics {
  fold: number
  texts: number
  accuracy: number
  macroF1: Interval
}

export interface PooledMetrics {
  report: ClassificationReport
  macroF1: Interval
  foldMean: number
  foldSd: number
}

const classes = (n: number) => Array.from({ length: n }, (_, c) => c)

/**
 * A fold's labels re-indexed over the classes its texts truly have (a class absent from a small
 * fold would otherwise count as F1 0); predictions of other classes map to one extra index, so
 * they still cost recall.
 */
function presentClasses(t: number[], p: number[]) {
  const present = [...new Set(t)].sort((a, b) => a - b)
  const remap = new Map(present.map((c, i) => [c, i]))
  return {
    yTrue: t.map((y) => remap.get(y)!),
    yPred: p.map((y) => remap.get(y) ?? present.length),
    n: present.length,
  }
}

/** A fold's macro-F1 over the classes present in it (what perFoldMetrics reports). */
export function foldMacroF1(t: number[], p: number[]): number {
  const r = presentClasses(t, p)
  return classificationReport(r.yTrue, r.yPred, classes(r.n)).macro.f1
}

/** Each fold's accuracy and macro-F1 (over the classes its texts have) with its bootstrap interval. */
export function perFoldMetrics(
  oof: OutOfFold,
  k: number,
  options: BootstrapOptions = {},
): FoldMetrics[] {
  return Array.from({ length: k }, (_, f) => {
    const idx = oof.fold.flatMap((x, i) => (x === f ? [i] : []))
    const t = idx.map((i) => oof.yTrue[i])
    const p = idx.map((i) => oof.yPred[i])
    const { yTrue, yPred, n } = presentClasses(t, p)
    const b = bootstrapIntervals(yTrue, yPred, n, options)
    const accuracy = t.filter((y, i) => y === p[i]).length / Math.max(1, t.length)
    return { fold: f, texts: idx.length, accuracy, macroF1: b.macroF1 }
  })
}

/** Metrics over the concatenated out-of-fold predictions (every text once), with the fold spread. */
export function pooledMetrics(
  oof: OutOfFold,
  k: number,
  numClasses: number,
  options: BootstrapOptions = {},
): PooledMetrics {
  const report = classificationReport(oof.yTrue, oof.yPred, classes(numClasses))
  const b = bootstrapIntervals(oof.yTrue, oof.yPred, numClasses, options)
  const per = Array.from({ length: k }, (_, f) => {
    const idx = oof.fold.flatMap((x, i) => (x === f ? [i] : []))
    return foldMacroF1(
      idx.map((i) => oof.yTrue[i]),
      idx.map((i) => oof.yPred[i]),
    )
  })
  const mean = per.reduce((s, v) => s + v, 0) / k
  const sd = k > 1 ? Math.sqrt(per.reduce((s, v) => s + (v - mean) ** 2, 0) / (k - 1)) : 0
  return { report, macroF1: b.macroF1, foldMean: mean, foldSd: sd }
}

/**
 * Macro-F1 of predictions `b` minus that of `a` on the same texts, with a percentile interval from
 * a paired bootstrap (the same resampled texts for both; stratified by true label like bootstrap.ts).
 */
export function pairedMacroF1Gain(
  yTrue: number[],
  a: number[],
  b: number[],
  numClasses: number,
  options: BootstrapOptions = {},
): Interval {
  const resamples = options.resamples ?? BOOTSTRAP_RESAMPLES
  const level = options.level ?? CONFIDENCE_LEVEL
  const rng = new Rng(options.seed ?? BOOTSTRAP_SEED)
  const labels = classes(numClasses)
  const f1 = (t: number[], p: number[]) => classificationReport(t, p, labels).macro.f1
  const byClass: number[][] = labels.map(() => [])
  yTrue.forEach((y, i) => byClass[y].push(i))
  const diffs: number[] = []
  for (let r = 0; r < resamples; r++) {
    const pick: number[] = []
    for (const members of byClass)
      for (let j = 0; j < members.length; j++) pick.push(members[rng.int(members.length)])
    const t = pick.map((i) => yTrue[i])
    diffs.push(
      f1(
        t,
        pick.map((i) => b[i]),
      ) -
        f1(
          t,
          pick.map((i) => a[i]),
        ),
    )
  }
  diffs.sort((x, y) => x - y)
  const alpha = (1 - level) / 2
  return {
    estimate: f1(yTrue, b) - f1(yTrue, a),
    lower: percentile(diffs, 100 * alpha),
    upper: percentile(diffs, 100 * (1 - alpha)),
  }
}

/** Gains under this (macro-F1, 0–1) count as flat. */
export const PLATEAU_GAIN = 0.01

/**
 * Would labelling more help? 'likely' when the gain from 50 % to 100 % is above zero with
 * confidence; 'plateau' when it is under one point and its interval under two; else 'unclear'.
 */
export function curveVerdict(gain: Interval): 'likely' | 'plateau' | 'unclear' {
  if (gain.lower > 0) return 'likely'
  if (gain.estimate < PLATEAU_GAIN && gain.upper < 2 * PLATEAU_GAIN) return 'plateau'
  return 'unclear'
}
