// Merges concurrent prediction requests into few predictor calls. As many calls run at once as the
// predictor has model threads (its `concurrency`, 1 unless a pool); the requests that arrive
// meanwhile wait and go together in the next free call (up to the batch limit). An idle server
// therefore adds no delay, and a busy one amortises each call over many texts.
import type { Predictor } from './predictor'

interface Pending {
  texts: string[]
  resolve(rows: number[][]): void
  reject(err: unknown): void
}

export interface BatcherOptions {
  /** Most texts in one predictor call (a single larger request still goes alone). */
  maxBatchTexts: number
  /** Most texts waiting; past it `predict` throws QueueFullError. */
  maxQueuedTexts: number
  /** false: one predictor call per request (for measuring what merging wins). */
  merge?: boolean
  /**
   * With a pool: a call besides those under way starts only once this many texts wait (default
   * MIN_EXTRA_CALL_TEXTS); fewer wait until that many have gathered or no call is under way.
   * With no call under way the first waiting request always starts at once.
   */
  minExtraCallTexts?: number
}

/**
 * A second model thread takes a call only once a session run's worth of texts waits (predictor.ts
 * INFERENCE_BATCH): at 50 clients it otherwise grabbed each request as it arrived, and most calls
 * held one text (278 of 430). 4 and 16 served as many requests/s as 8 (A/B runs, issue #13).
 */
export const MIN_EXTRA_CALL_TEXTS = 8

export interface BatcherStats {
  /** Predictor calls made. */
  calls: number
  /** Requests served (resolved or rejected by the predictor). */
  requests: number
  /** Texts sent to the predictor. */
  texts: number
  /** Most requests merged into one call. */
  maxRequestsPerCall: number
}

export class QueueFullError extends Error {
  constructor() {
    super('The prediction queue is full.')
    this.name = 'QueueFullError'
  }
}

/** The predictor answered with the wrong shape: a bug in the model code, not in the request. */
export class PredictorShapeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PredictorShapeError'
  }
}

export class PredictionBatcher {
  private readonly queue: Pending[] = []
  private queuedTexts = 0
  /** Predictor calls under way (at most the predictor's concurrency). */
  private running = 0
  private readonly concurrency: number
  private readonly stats: BatcherStats = { calls: 0, requests: 0, texts: 0, maxRequestsPerCall: 0 }

  constructor(
    private readonly predictor: Predictor,
    private readonly options: BatcherOptions,
  ) {
    this.concurrency = Math.max(1, Math.floor(predictor.concurrency ?? 1))
  }

  /** Probabilities for `texts`, one row per text in order, each row checked against the labels. */
  predict(texts: string[]): Promise<number[][]> {
    if (this.queuedTexts + texts.length > this.options.maxQueuedTexts && this.queue.length > 0)
      return Promise.reject(new QueueFullError())
    return new Promise((resolve, reject) => {
      this.queue.push({ texts, resolve, reject })
      this.queuedTexts += texts.length
      this.pump()
    })
  }

  snapshot(): BatcherStats {
    return { ...this.stats }
  }

  /** Requests waiting (not yet in a predictor call). */
  get waiting(): number {
    return this.queue.length
  }

  private pump(): void {
    const minExtra = this.options.minExtraCallTexts ?? MIN_EXTRA_CALL_TEXTS
    while (
      this.running < this.concurrency &&
      this.queue.length > 0 &&
      (this.running === 0 || this.queuedTexts >= minExtra)
    ) {
      const batch = this.takeBatch()
      this.running++
      void this.run(batch).finally(() => {
        this.running--
        this.pump()
      })
    }
  }

  private takeBatch(): Pending[] {
    const batch = [this.queue.shift()!]
    let size = batch[0].texts.length
    if (this.options.merge !== false) {
      while (
        this.queue.length > 0 &&
        size + this.queue[0].texts.length <= this.options.maxBatchTexts
      ) {
        const next = this.queue.shift()!
        size += next.texts.length
        batch.push(next)
      }
    }
    this.queuedTexts -= size
    return batch
  }

  private async run(batch: Pending[]): Promise<void> {
    const texts = batch.length === 1 ? batch[0].texts : batch.flatMap((p) => p.texts)
    this.stats.calls++
    this.stats.requests += batch.length
    this.stats.texts += texts.length
    this.stats.maxRequestsPerCall = Math.max(this.stats.maxRequestsPerCall, batch.length)
    try {
      const rows = await this.predictor.predict(texts)
      this.checkShape(rows, texts.length)
      let offset = 0
      for (const p of batch) {
        p.resolve(rows.slice(offset, offset + p.texts.length))
        offset += p.texts.length
      }
    } catch (err) {
      for (const p of batch) p.reject(err)
    }
  }

  private checkShape(rows: number[][], expected: number): void {
    const k = this.predictor.labels.length
    if (!Array.isArray(rows) || rows.length !== expected)
      throw new PredictorShapeError(`the predictor returned ${rows?.length} rows for ${expected}`)
    for (const row of rows)
      if (!Array.isArray(row) || row.length !== k || !row.every(Number.isFinite))
        throw new PredictorShapeError(`the predictor returned a row that is not ${k} numbers`)
  }
}
