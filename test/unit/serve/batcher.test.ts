// The batcher: merges waiting requests up to the batch limit, keeps each caller's rows, bounds
// the queue, and keeps going after a failed call.
import { describe, expect, it } from 'vitest'
import { PredictionBatcher, PredictorShapeError, QueueFullError } from '../../../main/serve/batcher'
import type { Predictor } from '../../../main/serve/predictor'
import { testPredictor } from './test-predictor'

const texts = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`)
/** P(疾病) of the test double for a text of n characters. */
const disease = (n: number) => n / (n + 10)

/** The test double as a pool of 2 model threads; `running` counts its calls under way. */
function pairOf(p: Predictor) {
  const pool = {
    running: 0,
    /** Calls under way when each call started, in call order. */
    runningAtStart: [] as number[],
    labels: p.labels,
    concurrency: 2,
    async predict(t: string[]) {
      pool.runningAtStart.push(pool.running++)
      try {
        return await p.predict(t)
      } finally {
        pool.running--
      }
    },
    release: p.release,
  }
  return pool
}

describe('PredictionBatcher', () => {
  it('sends the first request at once and merges the waiting ones up to the limit', async () => {
    const p = testPredictor({ delayMs: 20 })
    const b = new PredictionBatcher(p, { maxBatchTexts: 10, maxQueuedTexts: 100 })
    const sizes = [3, 4, 5, 6, 2, 12]
    const results = await Promise.all(sizes.map((n, i) => b.predict(texts(n, 'x'.repeat(i)))))
    // 3 alone (the predictor was idle); then 4+5, 6+2 (adding 12 would pass 10); 12 alone.
    expect(p.calls).toEqual([3, 9, 8, 12])
    results.forEach((rows, i) => {
      expect(rows).toHaveLength(sizes[i])
      rows.forEach((row, j) => expect(row[1]).toBeCloseTo(disease(i + String(j).length), 12))
    })
    expect(b.snapshot()).toEqual({ calls: 4, requests: 6, texts: 32, maxRequestsPerCall: 2 })
  })

  it('with a pool of 2, starts a second call only once a session run of texts waits', async () => {
    const p = testPredictor({ delayMs: 30 })
    const pool = pairOf(p)
    const b = new PredictionBatcher(pool, { maxBatchTexts: 20, maxQueuedTexts: 100 })
    const all = Promise.all([
      b.predict(['a']), // nothing under way: at once
      b.predict(texts(3, 'b')), // 3 < 8 waiting: waits
      b.predict(texts(5, 'c')), // 8 waiting: a second call at once, b and c together
      b.predict(texts(2, 'd')), // 2 < 8: waits until no call is under way
    ])
    expect(p.calls).toEqual([1, 8])
    const rows = await all
    expect(p.calls).toEqual([1, 8, 2])
    expect(pool.runningAtStart).toEqual([0, 1, 0])
    expect(rows.map((r) => r.length)).toEqual([1, 3, 5, 2])
    expect(rows[2][4][1]).toBeCloseTo(disease(2), 12)
    expect(b.snapshot()).toEqual({ calls: 3, requests: 4, texts: 11, maxRequestsPerCall: 2 })
  })

  it('never runs more calls at once than the pool has threads', async () => {
    const p = testPredictor({ delayMs: 20 })
    const pool = pairOf(p)
    const b = new PredictionBatcher(pool, {
      maxBatchTexts: 8,
      maxQueuedTexts: 100,
      minExtraCallTexts: 1,
    })
    await Promise.all(Array.from({ length: 6 }, (_, i) => b.predict(texts(8, `${i}`))))
    expect(p.calls).toEqual([8, 8, 8, 8, 8, 8])
    // Two at once at times, never three.
    expect(Math.max(...pool.runningAtStart)).toBe(1)
  })

  it('refuses new requests with QueueFullError while the queue is full', async () => {
    const p = testPredictor({ delayMs: 20 })
    const b = new PredictionBatcher(p, { maxBatchTexts: 10, maxQueuedTexts: 5 })
    const first = b.predict(texts(5, 'a')) // taken at once: the queue is empty again
    const second = b.predict(texts(5, 'b')) // waits: the queue holds 5
    await expect(b.predict(['c'])).rejects.toBeInstanceOf(QueueFullError)
    await expect(Promise.all([first, second])).resolves.toHaveLength(2)
    expect(p.calls).toEqual([5, 5])
  })

  it('rejects every request of a failed call and serves the next ones', async () => {
    let fail = true
    const base = testPredictor({ delayMs: 10 })
    const p: Predictor = {
      labels: base.labels,
      predict: async (t) => {
        const rows = await base.predict(t)
        if (fail) {
          fail = false
          throw new Error('model failed')
        }
        return rows
      },
      release: base.release,
    }
    const b = new PredictionBatcher(p, { maxBatchTexts: 10, maxQueuedTexts: 100 })
    const outcomes = await Promise.allSettled([b.predict(['a']), b.predict(['bb'])])
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled'])
    expect(base.calls).toEqual([1, 1])
  })

  it('rejects with PredictorShapeError when the model answers the wrong number of rows', async () => {
    const p: Predictor = {
      labels: ['a', 'b'],
      predict: async (t) => t.slice(1).map(() => [0.5, 0.5]),
      release: async () => {},
    }
    const b = new PredictionBatcher(p, { maxBatchTexts: 10, maxQueuedTexts: 100 })
    await expect(b.predict(['x', 'y'])).rejects.toBeInstanceOf(PredictorShapeError)
    const wide: Predictor = { ...p, predict: async (t) => t.map(() => [0.2, 0.3, 0.5]) }
    const b2 = new PredictionBatcher(wide, { maxBatchTexts: 10, maxQueuedTexts: 100 })
    await expect(b2.predict(['x'])).rejects.toThrow('not 2 numbers')
  })
})
