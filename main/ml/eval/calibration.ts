// Calibration of predicted probabilities: a reliability diagram over equal-width bins of
// max-probability confidence (count, mean confidence, accuracy) and the expected calibration error.
import { CALIBRATION_BINS } from './eval-defaults'
import { argmax } from './metrics'

export interface ReliabilityBin {
  /** Bin covers (lower, upper]; the first bin also includes 0. */
  lower: number
  upper: number
  count: number
  /** Mean max-probability of the texts in the bin; null for an empty bin. */
  meanConfidence: number | null
  /** Fraction of the bin's texts whose top prediction is correct; null for an empty bin. */
  accuracy: number | null
}

export interface Calibration {
  bins: ReliabilityBin[]
  /** Expected calibration error: Σ_b (n_b / N) · |accuracy_b − confidence_b|. */
  ece: number
  /** Maximum calibration error over non-empty bins. */
  mce: number
  total: number
}

/** Bin index of a confidence in [0, 1] with (lower, upper] bins; edges are i / nBins exactly. */
export function binIndex(confidence: number, nBins: number): number {
  for (let b = 0; b < nBins; b++) if (confidence <= (b + 1) / nBins) return b
  return nBins - 1
}

/**
 * Reliability diagram and ECE. `probs[i]` is text i's probability per class; the prediction is
 * the first largest probability (as argmax), its value the confidence.
 */
export function calibration(
  yTrue: number[],
  probs: number[][],
  nBins = CALIBRATION_BINS,
): Calibration {
  if (yTrue.length !== probs.length) {
    throw new Error(
      `y_true has ${yTrue.length} labels but there are ${probs.length} probability rows`,
    )
  }
  const count = new Array<number>(nBins).fill(0)
  const confSum = new Array<number>(nBins).fill(0)
  const correct = new Array<number>(nBins).fill(0)
  yTrue.forEach((y, i) => {
    const row = probs[i]
    const best = argmax(row)
    const conf = row[best]
    if (!(conf >= 0 && conf <= 1))
      throw new Error(`Text ${i}: probability ${conf} is outside [0, 1]`)
    const b = binIndex(conf, nBins)
    count[b]++
    confSum[b] += conf
    if (best === y) correct[b]++
  })
  const total = yTrue.length
  let ece = 0
  let mce = 0
  const bins: ReliabilityBin[] = count.map((n, b) => {
    const meanConfidence = n === 0 ? null : confSum[b] / n
    const accuracy = n === 0 ? null : correct[b] / n
    if (n > 0) {
      const gap = Math.abs((accuracy as number) - (meanConfidence as number))
      ece += (n / total) * gap
      mce = Math.max(mce, gap)
    }
    return { lower: b / nBins, upper: (b + 1) / nBins, count: n, meanConfidence, accuracy }
  })
  return { bins, ece, mce, total }
}
