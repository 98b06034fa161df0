// Inter-annotator agreement on nominal labels: Cohen's κ (two annotators), Fleiss' κ (complete
// tables) and Krippendorff's α (missing annotations allowed), equal to scikit-learn, statsmodels
// and the `krippendorff` package (test/parity/agreement.test.ts), plus multi-label → per-label data.
//
// Undefined values are NaN, never 0 or 1, so a report can say "not defined" instead of a number
// that looks like agreement or its absence:
// - Cohen: NaN when the two annotators share no rated text, or when the expected disagreement is 0
//   (both used the same single category everywhere) — scikit-learn's `replace_undefined_by=nan`.
// - Fleiss: NaN when chance agreement is 1 (every rating is one category) — statsmodels' 0/0.
// - Krippendorff: NaN when the expected disagreement is 0 (one category among the pairable values)
//   or no text has two ratings. The package raises ValueError there when it derives the value
//   domain itself; given `value_domain` = all categories (what `numCategories` means here) it also
//   returns NaN for one used category. A category nobody used changes none of the three values.
import { CtsError } from '../../shared/errors'

/** One annotator's category for one text (0 … numCategories − 1), or null when not annotated. */
export type Rating = number | null

/** ratings[text][annotator]: every row has one cell per annotator. */
export type RatingMatrix = Rating[][]

/** Throws unless every row has `annotators` cells, each null or an integer category in range. */
export function checkRatings(ratings: RatingMatrix, numCategories: number): number {
  if (!Number.isInteger(numCategories) || numCategories < 1) {
    throw new CtsError('bad-input', `The label schema must have at least one category.`)
  }
  const annotators = ratings.length > 0 ? ratings[0].length : 0
  ratings.forEach((row, i) => {
    if (row.length !== annotators) {
      throw new CtsError(
        'bad-input',
        `Text ${i + 1} has ${row.length} annotator columns but text 1 has ${annotators}.`,
      )
    }
    row.forEach((r, a) => {
      if (r !== null && !(Number.isInteger(r) && r >= 0 && r < numCategories)) {
        throw new CtsError(
          'bad-input',
          `Text ${i + 1}, annotator ${a + 1}: label ${r} is not one of the ${numCategories} categories.`,
        )
      }
    })
  })
  return annotators
}

/**
 * Cohen's κ (unweighted) between two annotators on the texts both rated (null = not rated):
 * κ = 1 − Σ_{c≠k} O_ck / Σ_{c≠k} E_ck, with E the product of the two marginals over n — the form
 * scikit-learn's `cohen_kappa_score` computes. NaN when undefined (see the header).
 */
export function cohenKappa(a: Rating[], b: Rating[]): number {
  if (a.length !== b.length) {
    throw new CtsError('bad-input', `The two annotators have ${a.length} and ${b.length} texts.`)
  }
  const rowSum = new Map<number, number>()
  const colSum = new Map<number, number>()
  let n = 0
  let agree = 0
  for (let i = 0; i < a.length; i++) {
    const x = a[i]
    const y = b[i]
    if (x === null || y === null) continue
    n++
    if (x === y) agree++
    rowSum.set(x, (rowSum.get(x) ?? 0) + 1)
    colSum.set(y, (colSum.get(y) ?? 0) + 1)
  }
  if (n === 0) return NaN
  // Σ_{c≠k} E_ck = n − Σ_c row_c·col_c / n; Σ_{c≠k} O_ck = n − agree.
  let diag = 0
  for (const [c, r] of rowSum) diag += r * (colSum.get(c) ?? 0)
  const expectedDisagree = n - diag / n
  if (expectedDisagree === 0) return NaN
  return 1 - (n - agree) / expectedDisagree
}

/** counts[text][category]: how many annotators chose each category (nulls are not counted). */
export function countTable(ratings: RatingMatrix, numCategories: number): number[][] {
  checkRatings(ratings, numCategories)
  return ratings.map((row) => {
    const counts = new Array<number>(numCategories).fill(0)
    for (const r of row) if (r !== null) counts[r]++
    return counts
  })
}

/** Raters per text when the count table is complete (same number ≥ 2 on every text), else null. */
export function completeRaters(counts: number[][]): number | null {
  if (counts.length === 0) return null
  const m = counts[0].reduce((s, v) => s + v, 0)
  if (m < 2) return null
  return counts.every((row) => row.reduce((s, v) => s + v, 0) === m) ? m : null
}

/**
 * Fleiss' κ on a complete count table (statsmodels `fleiss_kappa(table, method='fleiss')`):
 * P̄ = mean over texts of (Σ_c n_ic² − m) / (m(m − 1)), P_e = Σ_c p_c², κ = (P̄ − P_e)/(1 − P_e).
 * Throws on an incomplete table (statsmodels asserts); NaN when P_e = 1.
 */
export function fleissKappa(counts: number[][]): number {
  const m = completeRaters(counts)
  if (m === null) {
    throw new CtsError(
      'bad-input',
      "Fleiss' κ needs every text rated by the same number of annotators (at least two); use Krippendorff's α when annotations are missing.",
    )
  }
  const k = counts[0].length
  const total = counts.length * m
  const catSum = new Array<number>(k).fill(0)
  let pBarSum = 0
  for (const row of counts) {
    let sq = 0
    row.forEach((v, c) => {
      sq += v * v
      catSum[c] += v
    })
    pBarSum += (sq - m) / (m * (m - 1))
  }
  const pBar = pBarSum / counts.length
  let pe = 0
  for (const s of catSum) pe += (s / total) * (s / total)
  if (pe === 1) return NaN
  return (pBar - pe) / (1 - pe)
}

/**
 * Krippendorff's α, nominal level, from the count table (texts × categories; texts with fewer than
 * two ratings add nothing): coincidences o_ck = Σ_u n_uc(n_uk − [c=k]) / (m_u − 1), n_c = Σ_k o_ck,
 * α = 1 − (n − 1)·Σ_{c≠k} o_ck / Σ_{c≠k} n_c n_k. NaN when undefined (see the header).
 */
export function krippendorffAlphaFromCounts(counts: number[][]): number {
  const k = counts.length > 0 ? counts[0].length : 0
  const nC = new Array<number>(k).fill(0)
  let observed = 0
  for (const row of counts) {
    const mu = row.reduce((s, v) => s + v, 0)
    if (mu < 2) continue
    // This text's off-diagonal coincidences sum to (m_u² − Σ_c n_uc²) / (m_u − 1); its
    // coincidence row for c sums to n_uc(m_u − 1)/(m_u − 1) = n_uc.
    let sq = 0
    for (const v of row) sq += v * v
    observed += (mu * mu - sq) / (mu - 1)
    row.forEach((v, c) => {
      nC[c] += v
    })
  }
  const n = nC.reduce((s, v) => s + v, 0)
  if (n < 2) return NaN
  let sumSq = 0
  for (const v of nC) sumSq += v * v
  const expected = (n * n - sumSq) / (n - 1)
  if (expected === 0) return NaN
  return 1 - observed / expected
}

/** Krippendorff's α (nominal) on ratings[text][annotator] with nulls for missing annotations. */
export function krippendorffAlpha(ratings: RatingMatrix, numCategories: number): number {
  return krippendorffAlphaFromCounts(countTable(ratings, numCategories))
}

/** Label sets per text and annotator (null = the annotator did not annotate the text). */
export type LabelSetMatrix = (number[] | null)[][]

/** Multi-label → one present (1) / absent (0) rating matrix for `label`; unannotated stays null. */
export function labelPresence(sets: LabelSetMatrix, label: number): RatingMatrix {
  return sets.map((row) => row.map((s) => (s === null ? null : s.includes(label) ? 1 : 0)))
}
