// A running candidate's estimate refined after each epoch: its job's progress says when an epoch
// (training + dev scoring) ended, so the study measures seconds per epoch and re-plans the rest.

/** The part of a job progress event the tracker reads (any kind's: only trainings carry epochs). */
export interface EpochProgress {
  phase: string
  metrics?: Partial<Record<string, number>>
}

export interface Refinement {
  /** Epochs finished so far. */
  epochs: number
  /** Measured seconds per epoch (after the first: the mean of the later ones, set-up free). */
  epochSeconds: number
  /** Measured seconds from the start of the candidate to its first training step. */
  startSeconds: number
  /** Seconds the candidate has run so far. */
  spentSeconds: number
  /** The candidate's refined total: spent + epochs left × measured + finishing. */
  candidateSeconds: number
}

export class EpochTracker {
  private firstTraining?: number
  private firstEnd?: number
  private lastEnd?: number
  private done = 0

  constructor(
    /** Milliseconds when the candidate was started. */
    private readonly startedAt: number,
    private readonly epochsAllowed: number,
    /** Estimated seconds after the last epoch (bundle, dev predictions). */
    private readonly finishSeconds: number,
  ) {}

  /** Feeds one progress event at `now` (ms); returns a refinement when it ended an epoch. */
  progress(p: EpochProgress, now: number): Refinement | undefined {
    const epoch = p.metrics?.epoch
    if (epoch === undefined) return undefined
    if (p.phase === 'training' && this.firstTraining === undefined) this.firstTraining = now
    // An epoch ends with its dev macro-F1, or (no dev texts) when the next one starts training.
    const ended =
      p.phase === 'evaluating' && p.metrics?.devMacroF1 !== undefined
        ? epoch
        : p.phase === 'training'
          ? epoch - 1
          : 0
    if (ended <= this.done) return undefined
    this.done = ended
    if (this.firstEnd === undefined) this.firstEnd = now
    this.lastEnd = now
    return this.refinement(now)
  }

  /** The latest refinement (undefined before the first epoch ended). */
  refinement(now: number): Refinement | undefined {
    if (this.done === 0 || this.firstEnd === undefined || this.lastEnd === undefined)
      return undefined
    const t0 = this.firstTraining ?? this.startedAt
    const epochSeconds =
      this.done >= 2
        ? (this.lastEnd - this.firstEnd) / 1000 / (this.done - 1)
        : (this.firstEnd - t0) / 1000
    const spentSeconds = (now - this.startedAt) / 1000
    return {
      epochs: this.done,
      epochSeconds,
      startSeconds: (t0 - this.startedAt) / 1000,
      spentSeconds,
      candidateSeconds:
        spentSeconds +
        Math.max(0, this.epochsAllowed - this.done) * epochSeconds +
        this.finishSeconds,
    }
  }

  /** Seconds from the last epoch's end to `now` (the candidate's finishing, measured). */
  finishedSeconds(now: number): number | undefined {
    return this.lastEnd === undefined ? undefined : (now - this.lastEnd) / 1000
  }
}
