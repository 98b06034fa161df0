// The int8 − fp32 test macro-F1 gap of test/bench/infer-bert.ts with a paired bootstrap interval:
// both engines scored on the SAME resampled texts, so the interval is the gap's own uncertainty
// (a few borderline texts flipping), not that of either F1 alone.
import { percentile } from '../../main/ml/eval/bootstrap'
import {
  BOOTSTRAP_RESAMPLES,
  BOOTSTRAP_SEED,
  CONFIDENCE_LEVEL,
} from '../../main/ml/eval/eval-defaults'
import { Rng } from '../../main/ml/train/rng'
import { macroF1 } from './infer-ours'

export interface GapReport {
  texts: number
  /** macroF1(b) − macroF1(a), in F1 units (0.005 = half a point). */
  gap: number
  lower: number
  upper: number
  level: number
  resamples: number
  /** Texts both engines put in the same class. */
  same: number
  /** Of the texts that differ: how many b got right and a wrong, and the reverse. */
  bFixed: number
  bBroke: number
}

/**
 * Paired, stratified (by true label, as main/ml/eval/bootstrap.ts) percentile bootstrap of
 * macroF1(b) − macroF1(a) over `k` classes; seeded, so a report reproduces.
 */
export function pairedGap(
  truth: number[],
  a: number[],
  b: number[],
  k: number,
  opts: { resamples?: number; seed?: number; level?: number } = {},
): GapReport {
  if (a.length !== truth.length || b.length !== truth.length)
    throw new Error(`paired gap: ${truth.length} labels, ${a.length} and ${b.length} predictions`)
  const resamples = opts.resamples ?? BOOTSTRAP_RESAMPLES
  const level = opts.level ?? CONFIDENCE_LEVEL
  const byClass: number[][] = Array.from({ length: k }, () => [])
  truth.forEach((y, i) => byClass[y].push(i))
  const rng = new Rng(opts.seed ?? BOOTSTRAP_SEED)
  const gaps: number[] = []
  const t: number[] = []
  const pa: number[] = []
  const pb: number[] = []
  for (let r = 0; r < resamples; r++) {
    t.length = pa.length = pb.length = 0
    for (const members of byClass) {
      for (let j = 0; j < members.length; j++) {
        const i = members[rng.int(members.length)]
        t.push(truth[i])
        pa.push(a[i])
        pb.push(b[i])
      }
    }
    gaps.push(macroF1(t, pb, k) - macroF1(t, pa, k))
  }
  gaps.sort((x, y) => x - y)
  const alpha = (1 - level) / 2
  let same = 0
  let bFixed = 0
  let bBroke = 0
  truth.forEach((y, i) => {
    if (a[i] === b[i]) same++
    else if (b[i] === y) bFixed++
    else if (a[i] === y) bBroke++
  })
  return {
    texts: truth.length,
    gap: macroF1(truth, b, k) - macroF1(truth, a, k),
    lower: percentile(gaps, 100 * alpha),
    upper: percentile(gaps, 100 * (1 - alpha)),
    level,
    resamples,
    same,
    bFixed,
    bBroke,
  }
}
