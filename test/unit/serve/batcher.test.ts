// The batcher: merges waiting requests up to the batch limit, keeps each caller's rows, bounds
// the queue, and keeps going after a failed call.
import { describe, expect, it } from 'vitest'
import { PredictionBatcher, PredictorShapeError, QueueFullError } from '../../../main/serve/batcher'
import type { Predictor } from '../../../main/serve/predictor'
import { testPredictor } from './test-predictor'

const texts = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`)
/** P(疾病) of the test double for a text of n characters. */
const disease = (n: number) => n / (n + 10)

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
