// The per-token rate limit's bucket on a fake clock: a burst up to the limit, then one request
// per 60/N seconds, each token on its own, and the wait it reports in whole seconds.
import { describe, expect, it } from 'vitest'
import { RateLimiter } from '../../../main/serve/rate-limit'

describe('RateLimiter', () => {
  it('lets a burst of N through, then refills one request every 60/N seconds', () => {
    let now = 0
    const limiter = new RateLimiter(6, () => now)
    expect(Array.from({ length: 7 }, () => limiter.take('ward-3'))).toEqual([0, 0, 0, 0, 0, 0, 10])
    expect(limiter.take('lab')).toBe(0)
    now = 4_000
    expect(limiter.take('ward-3')).toBe(6)
    now = 10_000
    expect(limiter.take('ward-3')).toBe(0)
    expect(limiter.take('ward-3')).toBe(10)
    // A long pause refills up to N, never more.
    now = 3_600_000
    expect(Array.from({ length: 7 }, () => limiter.take('ward-3'))).toEqual([0, 0, 0, 0, 0, 0, 10])
  })
})
