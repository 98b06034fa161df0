// How probabilities leave the app (prediction files and the HTTP API): one rounding, one home,
// so a file and the API never disagree on the same text.

/** Decimals kept for probabilities (float32 carries about 7; enough to rank and threshold). */
export const PROBABILITY_DECIMALS = 6

/** A probability rounded to PROBABILITY_DECIMALS, as a plain number. */
export function roundProbability(x: number): number {
  return Number(x.toFixed(PROBABILITY_DECIMALS))
}
