// How many model threads `cts serve` starts and how many intra-op threads each session gets
// (worker-predictor.ts): 2 where there are 2 cores or more, twice the cores in intra-op threads in all.
import { describe, expect, it } from 'vitest'
import { defaultModelWorkers, poolSessionThreads } from '../../../main/serve/worker-predictor'

describe('model thread pool sizes', () => {
  it('starts 2 model threads where there are 2 cores or more, else 1', () => {
    expect([1, 2, 3, 8, 64].map((cores) => defaultModelWorkers(cores))).toEqual([1, 2, 2, 2, 2])
  })

  it('gives the sessions of a pool twice the cores in intra-op threads, at least 1 each', () => {
    expect(poolSessionThreads(2, 2)).toBe(2)
    expect(poolSessionThreads(2, 3)).toBe(3)
    expect(poolSessionThreads(2, 16)).toBe(16)
    expect(poolSessionThreads(4, 1)).toBe(1)
  })
})
