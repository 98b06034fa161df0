// Bootstrap confidence intervals (percentile method, seeded) for macro-F1 and per-class recall.
// Resampling is STRATIFIED by true label: each class's texts are resampled with replacement
// within the class, so every class keeps its test-set support and per-class recall is always
// defined; the intervals describe uncertainty from which texts of each class were drawn.
import { Rng } from '../train/rng'
import { classificationReport, type ClassificationReport } from './metrics'
import { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, CONFIDENCE_LEVEL } from './eval-defaults'

export interface Interval {
  /** The metric on the evaluated texts themselves. */
  estimate: number
  lower: number
  upper: number
}

export interface BootstrapResult {
  resamples: number
  level: number
  seed: number
  stratified: true
  macroF1: Interval
  /** Indexed by class (0 … numClasses − 1); null for a class with no texts. */
  recall: (Interval | null)[]
}

export interface BootstrapOptions {
  resamples?: number
  level?: number
  seed?: number
}

/** numpy.percentile's default (linear interpolation) on an ascending-sorted array; q in [0, 100]. */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) throw new Error('percentile of an empty sample')
  const pos = ((sorted.length - 1) * q) / 100
  const lo = Math.floor(pos)
  const hi = Math.min(lo + 1, sorted.length - 1)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)
}

/** Percentile-bootstrap intervals for macro-F1 over labels 0 … numClasses − 1 and each class's recall. */
export function bootstrapIntervals(
  yTrue: number[],
  yPred: number[],
  numClasses: number,
  options: BootstrapOptions = {},
): BootstrapResult {
  const resamples = options.resamples ?? BOOTSTRAP_RESAMPLES
  const level = options.level ?? CONFIDENCE_LEVEL
  const seed = options.seed ?? BOOTSTRAP_SEED
  if (yTrue.length !== yPred.length) {
    throw new Error(`y_true has ${yTrue.length} labels but y_pred has ${yPred.length}`)
  }
  if (yTrue.length === 0) throw new Error('No texts to bootstrap')
  const labels = Array.from({ length: numClasses }, (_, c) => c)
  const f1s: number[] = []
  const recalls: number[][] = labels.map(() => [])
  const byClass = stratifiedBootstrap(yTrue, yPred, labels, { resamples, seed }, (rep) => {
    f1s.push(rep.macro.f1)
    rep.perClass.forEach((c, ci) => recalls[ci].push(c.recall))
  })
  const full = classificationReport(yTrue, yPred, labels)
  const alpha = (1 - level) / 2
  const interval = (estimate: number, sample: number[]): Interval => {
    const s = [...sample].sort((a, b) => a - b)
    return { estimate, lower: percentile(s, 100 * alpha), upper: percentile(s, 100 * (1 - alpha)) }
  }
  return {
    resamples,
    level,
    seed,
    stratified: true,
    macroF1: interval(full.macro.f1, f1s),
    recall: labels.map((c) =>
      byClass[c].length === 0 ? null : interval(full.perClass[c].recall, recalls[c]),
    ),
  }
}

/**
 * The stratified resampling itself (also the loop's audit estimate, main/services/loop-estimate.ts):
 * `resamples` times, each class's texts drawn with replacement within the class (seeded), and
 * `each` gets the resample's classification report over `labels`. Returns the texts by class.
 */
export function stratifiedBootstrap(
  yTrue: number[],
  yPred: number[],
  labels: number[],
  options: { resamples: number; seed: number },
  each: (rep: ClassificationReport) => void,
): number[][] {
  const byClass: number[][] = labels.map(() => [])
  yTrue.forEach((y, i) => {
    if (!byClass[y])
      throw new Error(`Text ${i}: label ${y} is not one of the ${labels.length} classes`)
    byClass[y].push(i)
  })
  const rng = new Rng(options.seed)
  const t: number[] = new Array(yTrue.length)
  const p: number[] = new Array(yTrue.length)
  for (let r = 0; r < options.resamples; r++) {
    let k = 0
    for (const members of byClass) {
      for (let j = 0; j < members.length; j++) {
        const i = members[rng.int(members.length)]
        t[k] = yTrue[i]
        p[k] = yPred[i]
        k++
      }
    }
    each(classificationReport(t.slice(0, k), p.slice(0, k), labels))
  }
  return byClass
}
