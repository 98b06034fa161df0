// A test double for the prediction server (tests and the load bench only, never product code):
// P(疾病) = n / (n + 10) for a text of n characters, so every expected value is easy to work out.
import { setTimeout as sleep } from 'node:timers/promises'
import type { Predictor } from '../../../main/serve/predictor'

export const TEST_LABELS = ['健康', '疾病']

export interface TestPredictor extends Predictor {
  /** The number of texts of each predict() call, in call order. */
  calls: number[]
  released: boolean
}

export interface TestPredictorOptions {
  /** Simulated model time per call, in ms (makes concurrent requests overlap). */
  delayMs?: number
  /** Throw on every call (the error message quotes the texts, as a careless model might). */
  fail?: boolean
}

export function testPredictor(o: TestPredictorOptions = {}): TestPredictor {
  const p: TestPredictor = {
    labels: [...TEST_LABELS],
    calls: [],
    released: false,
    async predict(texts) {
      p.calls.push(texts.length)
      if (o.delayMs) await sleep(o.delayMs)
      if (o.fail) throw new TypeError(`cannot encode ${texts.join(' | ')}`)
      return texts.map((t) => {
        const n = [...t].length
        return [10 / (n + 10), n / (n + 10)]
      })
    },
    async release() {
      p.released = true
    },
  }
  return p
}
