// The per-token rate limit of `cts serve` (issue #15 point 6): a token bucket per token name that
// holds `perMinute` requests and refills evenly, so a burst up to the limit passes at once.

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()

  /** `now` in milliseconds (tests pass a fake clock). */
  constructor(
    readonly perMinute: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** 0 when `key` may make a request now (and counts it), else the whole seconds to wait. */
  take(key: string): number {
    const now = this.now()
    const perMs = this.perMinute / 60_000
    const b = this.buckets.get(key) ?? { tokens: this.perMinute, at: now }
    b.tokens = Math.min(this.perMinute, b.tokens + (now - b.at) * perMs)
    b.at = now
    this.buckets.set(key, b)
    if (b.tokens >= 1) {
      b.tokens -= 1
      return 0
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000))
  }
}
