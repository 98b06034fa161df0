// Confident learning (Northcutt et al. 2021) as cleanlab 2.9.0 computes it for
// `filter.find_label_issues(labels, pred_probs, filter_by='confident_learning',
// return_indices_ranked_by='self_confidence')`: the label-error review queue of issue #11.
//
// The steps, each as cleanlab's source does them (count.py, filter.py, rank.py):
//  1. per-class threshold t_k = mean self-confidence P(k | x) over the texts GIVEN label k
//     (a class nobody gave: 2, so nothing is ever confidently in it; clipped below at 2e-6);
//  2. a text is confidently in class j when P(j | x) ≥ t_j − 1e-6; its guessed true class is that
//     class, or the most probable one (first on ties) when several pass; texts passing none are
//     not counted;
//  3. the confident joint C[given][guessed] counts those texts (diagonal raised to at least 1);
//     its calibrated form rescales each row to that label's count and the whole to n, rounded
//     preserving row totals — a valid estimate of the noise, shown to the user, but (as in
//     cleanlab) the filter itself takes the off-diagonal texts of the UNcalibrated counting;
//  4. the flagged set is those off-diagonal texts, less any whose given label is still the argmax
//     once it gets a 1e-6 head start (cleanlab's _reduce_issues);
//  5. ranked by self-confidence ascending.
// Where we differ by design: exact ties are broken by index (stable sorts) where numpy's default
// argsort is unstable (on AVX-512 CPUs a SIMD sort), so cleanlab's choice varies with the CPU —
// the order of flagged texts with equal self-confidence (lower index first here), and which of
// equal entries the calibrated joint's rounding moves (the tests measured 1 joint in 20 random
// tables off by one in two cells, row totals equal; never the flagged set);
// fewer than two distinct labels give an empty review queue where cleanlab raises; thresholds are
// means summed left to right where numpy sums pairwise (last-bit differences, far inside the 1e-6
// tolerance). Out-of-fold probabilities come from out-of-fold.ts.
import { CtsError } from '../../shared/errors'

/** cleanlab's internal constants (internal/constants.py). */
const FLOATING_POINT_COMPARISON = 1e-6
const CONFIDENT_THRESHOLDS_LOWER_BOUND = 2 * FLOATING_POINT_COMPARISON
/** Threshold of a class no text was given: above any probability. */
const ABSENT_CLASS_THRESHOLD = 2

function validate(labels: number[], probs: ArrayLike<number>[]): number {
  if (labels.length !== probs.length) {
    throw new CtsError(
      'bad-input',
      `${labels.length} labels but ${probs.length} probability rows: every labelled text needs its out-of-fold probabilities`,
    )
  }
  const k = probs.length > 0 ? probs[0].length : 0
  labels.forEach((y, i) => {
    if (probs[i].length !== k) {
      throw new CtsError(
        'bad-input',
        `Text ${i + 1} has ${probs[i].length} probabilities, not ${k}`,
      )
    }
    if (!Number.isInteger(y) || y < 0 || y >= k) {
      throw new CtsError('bad-input', `Text ${i + 1} has label index ${y}, outside 0…${k - 1}`)
    }
  })
  return k
}

/** P(given label | text) for each text: the score the review queue is ranked by (low first). */
export function selfConfidence(labels: number[], probs: ArrayLike<number>[]): Float64Array {
  validate(labels, probs)
  return Float64Array.from(labels, (y, i) => probs[i][y])
}

/** Per-class thresholds: mean self-confidence of the texts given each class (step 1). */
export function confidentThresholds(labels: number[], probs: ArrayLike<number>[]): Float64Array {
  const k = validate(labels, probs)
  const sum = new Float64Array(k)
  const count = new Float64Array(k)
  labels.forEach((y, i) => {
    sum[y] += probs[i][y]
    count[y]++
  })
  return sum.map((s, j) =>
    Math.max(
      CONFIDENT_THRESHOLDS_LOWER_BOUND,
      count[j] > 0 ? s / count[j] : ABSENT_CLASS_THRESHOLD,
    ),
  )
}

function argmaxOf(p: ArrayLike<number>, bump = -1, by = 0): number {
  let best = 0
  let bestV = -Infinity
  for (let j = 0; j < p.length; j++) {
    const v = j === bump ? p[j] + by : p[j]
    if (v > bestV) {
      best = j
      bestV = v
    }
  }
  return best
}

/** Each text's guessed true class (step 2), or -1 when it is confidently in no class. */
export function confidentGuesses(labels: number[], probs: ArrayLike<number>[]): Int32Array {
  const t = confidentThresholds(labels, probs)
  return Int32Array.from(probs, (p) => {
    let first = -1
    let passing = 0
    for (let j = 0; j < p.length; j++) {
      if (p[j] >= t[j] - FLOATING_POINT_COMPARISON) {
        if (first < 0) first = j
        passing++
      }
    }
    return passing === 0 ? -1 : passing === 1 ? first : argmaxOf(p)
  })
}

/**
 * The confident joint C[given][guessed true] (step 3), calibrated by default as cleanlab's
 * compute_confident_joint does: rows sum to each label's count, the whole to n.
 */
export function confidentJoint(
  labels: number[],
  probs: ArrayLike<number>[],
  calibrate = true,
): number[][] {
  const k = validate(labels, probs)
  const guess = confidentGuesses(labels, probs)
  const joint = Array.from({ length: k }, () => new Array<number>(k).fill(0))
  guess.forEach((g, i) => {
    if (g >= 0) joint[labels[i]][g]++
  })
  for (let j = 0; j < k; j++) joint[j][j] = Math.max(1, joint[j][j])
  if (!calibrate) return joint
  const counts = new Array<number>(k).fill(0)
  for (const y of labels) counts[y]++
  const rows = joint.map((row, j) => {
    const total = Math.max(
      1e-100,
      row.reduce((s, v) => s + v, 0),
    )
    return row.map((v) => (v / total) * counts[j])
  })
  const all = Math.max(
    1e-100,
    rows.reduce((s, row) => s + row.reduce((a, v) => a + v, 0), 0),
  )
  return rows.map((row) => roundPreservingSum(row.map((v) => (v / all) * labels.length)))
}

/**
 * Round to integers keeping the (rounded) sum, as cleanlab's round_preserving_sum: round half to
 * even, then move the entries with the largest rounding loss (ties: the later entry first) up, or
 * the largest gain (ties: the earlier first) down, until the sums agree.
 */
export function roundPreservingSum(values: number[]): number[] {
  const roundEven = (x: number) => {
    const r = Math.round(x)
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r
  }
  const ints = values.map(roundEven)
  const target = roundEven(values.reduce((s, v) => s + v, 0))
  let sum = roundEven(ints.reduce((s, v) => s + v, 0))
  while (Math.abs(sum - target) > FLOATING_POINT_COMPARISON) {
    const diff = target - sum
    const increment = diff < 0 ? -1 : 1
    const changes = Math.min(Math.abs(diff), values.length)
    // Stable ascending order of (float − int); reversed when adding, as numpy's [::-1].
    const order = values
      .map((_, i) => i)
      .sort((a, b) => values[a] - ints[a] - (values[b] - ints[b]))
    if (increment === 1) order.reverse()
    for (const i of order.slice(0, changes)) ints[i] += increment
    sum = roundEven(ints.reduce((s, v) => s + v, 0))
  }
  return ints
}

/**
 * cleanlab's confident-learning filter ranked by self-confidence: indices of likely label errors,
 * most likely first. `labels[i]` is a class index, `probs[i]` out-of-fold probabilities.
 */
export function findLabelIssues(labels: number[], probs: ArrayLike<number>[]): number[] {
  validate(labels, probs)
  if (new Set(labels).size < 2) return []
  const guess = confidentGuesses(labels, probs)
  const sc = selfConfidence(labels, probs)
  const flagged: number[] = []
  guess.forEach((g, i) => {
    if (g < 0 || g === labels[i]) return
    // Still the model's pick with a 1e-6 head start: not an issue.
    if (argmaxOf(probs[i], labels[i], FLOATING_POINT_COMPARISON) === labels[i]) return
    flagged.push(i)
  })
  return flagged.sort((a, b) => sc[a] - sc[b] || a - b)
}
