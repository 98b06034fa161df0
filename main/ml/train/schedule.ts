// Learning-rate schedule, class weights and early stopping: the small policies of the training loop.

/** Warm-up steps for a ratio, as Hugging Face's Trainer counts them: ceil(total × ratio). */
export function warmupSteps(totalSteps: number, ratio: number): number {
  return Math.ceil(totalSteps * ratio)
}

/**
 * Multiplier of the base learning rate for the update made after `step` completed steps, exactly
 * as transformers.get_linear_schedule_with_warmup: linear warm-up from 0, then linear decay to 0.
 */
export function linearScheduleFactor(step: number, totalSteps: number, warmup: number): number {
  if (step < warmup) return step / Math.max(1, warmup)
  return Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmup))
}

/**
 * Inverse-frequency class weights, scikit-learn's 'balanced': n_samples / (n_classes × count).
 * A class with no examples gets weight 1 (it contributes no loss terms anyway).
 */
export function inverseFrequencyWeights(labels: number[], numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0)
  for (const l of labels) counts[l]++
  return counts.map((c) => (c === 0 ? 1 : labels.length / (numClasses * c)))
}

export interface EarlyStoppingState {
  best: number
  bestEpoch: number
  badEpochs: number
}

/** Early stopping on a score to maximise (dev macro-F1): stop after `patience` epochs without gain. */
export class EarlyStopping {
  state: EarlyStoppingState

  constructor(
    readonly patience: number,
    readonly minDelta = 0,
    state?: EarlyStoppingState,
  ) {
    this.state = state ? { ...state } : { best: -Infinity, bestEpoch: -1, badEpochs: 0 }
  }

  /** Record an epoch's score; `improved` means this epoch is the new best (keep its weights). */
  update(epoch: number, score: number): { improved: boolean; stop: boolean } {
    const improved = score > this.state.best + this.minDelta
    if (improved) {
      this.state = { best: score, bestEpoch: epoch, badEpochs: 0 }
    } else {
      this.state = { ...this.state, badEpochs: this.state.badEpochs + 1 }
    }
    return { improved, stop: this.state.badEpochs >= this.patience }
  }
}
