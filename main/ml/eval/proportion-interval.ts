// Confidence interval for a proportion (accuracy on k of n texts): Wilson's score interval. Unlike
// a percentile bootstrap it does not collapse to [1, 1] when a few texts are all right, which is
// exactly the case of a live estimate on the first handful of audit texts.
import { CONFIDENCE_LEVEL } from './eval-defaults'

/** Two-sided normal quantile for the app's confidence level (95 % → 1.959963984540054). */
const Z_95 = 1.959963984540054

/** Wilson score interval for `successes` of `n` (n ≥ 1), at CONFIDENCE_LEVEL (95 %). */
export function wilsonInterval(successes: number, n: number): [number, number] {
  if (!(n >= 1) || successes < 0 || successes > n) {
    throw new RangeError(`wilsonInterval needs 0 ≤ successes ≤ n and n ≥ 1 (got ${successes}/${n})`)
  }
  if (CONFIDENCE_LEVEL !== 0.95) throw new RangeError('wilsonInterval is set up for 95 % only')
  const z2 = Z_95 * Z_95
  const p = successes / n
  const denominator = 1 + z2 / n
  const centre = (p + z2 / (2 * n)) / denominator
  const half = (Z_95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator
  // At 0 or n the bound is exactly 0 or 1; the formula would leave a rounding crumb (5.6e-17).
  return [
    successes === 0 ? 0 : Math.max(0, centre - half),
    successes === n ? 1 : Math.min(1, centre + half),
  ]
}
