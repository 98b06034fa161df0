// Debounces progress to at most one publish per interval (~100 ms), always delivering the latest
// value: fast loops must not flood the bridge, and the last word must never be lost.

export class ProgressThrottle<T> {
  private last = -Infinity
  private pending: T | undefined
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly publish: (value: T) => void,
    private readonly intervalMs = 100,
    private readonly now: () => number = Date.now,
  ) {}

  push(value: T): void {
    const t = this.now()
    if (t - this.last >= this.intervalMs && this.timer === undefined) {
      this.last = t
      this.publish(value)
      return
    }
    this.pending = value
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), Math.max(0, this.intervalMs - (t - this.last)))
    }
  }

  /** Publish a pending value now (if any) and stop the timer. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    if (this.pending !== undefined) {
      const v = this.pending
      this.pending = undefined
      this.last = this.now()
      this.publish(v)
    }
  }

  /** Drop a pending value (a terminal event supersedes it). */
  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    this.pending = undefined
  }
}
