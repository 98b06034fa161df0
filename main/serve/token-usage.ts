// Per-token request counts of `cts serve`, written to the audit log ('token.requests', one entry
// per token) each minute that had requests, and once more at shutdown (issue #15 point 4).
import type { TokenUsage } from '../services/tokens-service'

/** How often counts are flushed while requests come in. */
export const USAGE_FLUSH_MS = 60_000

export class TokenUsageLog {
  private counts = new Map<string, TokenUsage>()
  private timer: NodeJS.Timeout | undefined
  private flushing: Promise<void> = Promise.resolve()

  constructor(
    private readonly write: (usages: TokenUsage[]) => Promise<void>,
    private readonly intervalMs = USAGE_FLUSH_MS,
    private readonly onError: (err: unknown) => void = () => {},
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** One request of token `name`; `ok` false when it was answered with anything but 200. */
  record(name: string, ok: boolean): void {
    const at = this.now().toISOString()
    const u = this.counts.get(name) ?? { token: name, requests: 0, rejected: 0, from: at, to: at }
    u.requests++
    if (!ok) u.rejected++
    u.to = at
    this.counts.set(name, u)
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush().catch(this.onError), this.intervalMs)
    this.timer.unref()
  }

  /** Writes the counts so far (nothing when there were no requests); kept for the next try on failure. */
  flush(): Promise<void> {
    // After a failed flush the next one still runs (and retries the kept counts).
    this.flushing = this.flushing
      .catch(() => {})
      .then(async () => {
        if (this.counts.size === 0) return
        const batch = [...this.counts.values()]
        this.counts = new Map()
        try {
          await this.write(batch)
        } catch (err) {
          for (const u of batch) this.merge(u)
          throw err
        }
      })
    return this.flushing
  }

  /** Stops the timer and writes what is left. */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.flush()
  }

  private merge(u: TokenUsage) {
    const cur = this.counts.get(u.token)
    if (!cur) return void this.counts.set(u.token, u)
    cur.requests += u.requests
    cur.rejected += u.rejected
    cur.from = u.from
  }
}
