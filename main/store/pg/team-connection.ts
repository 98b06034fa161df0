// Whether the team workspace's server answers (issue #17 point 5): 'connected' ↔ 'reconnecting'.
// A lost connection flips it to 'reconnecting'; a SELECT 1 probe every second flips it back.
import type { TeamConnectionDto } from '../../../preload/contract/workspace'

/** What the composition root reads and forwards (as the 'workspace/connection' event). */
export interface TeamConnection {
  /** The state now. */
  status(): TeamConnectionDto
  /** Called once per change (never for the initial 'connected'); returns the unsubscribe. */
  onChange(listener: (status: TeamConnectionDto) => void): () => void
}

export interface ConnectionWatchOptions {
  /** How often the probe runs while reconnecting (default 1 s). */
  probeIntervalMs?: number
  /** Tests: the clock. */
  now?: () => Date
}

/**
 * The state machine. `lost(reason)` is called by the database on every 'team-unreachable';
 * `probe` must resolve only when a fresh connection answered `SELECT 1`. Only the probe brings the
 * state back: a statement that succeeds while reconnecting (one that raced the failure) would make
 * the state flap, and the UI would show "connected" a moment before the next refusal.
 */
export class ConnectionWatch implements TeamConnection {
  private current: TeamConnectionDto
  private readonly listeners = new Set<(status: TeamConnectionDto) => void>()
  private timer: NodeJS.Timeout | undefined
  private probing = false
  private closed = false
  private readonly intervalMs: number
  private readonly now: () => Date

  constructor(
    private readonly probe: () => Promise<void>,
    options: ConnectionWatchOptions = {},
  ) {
    this.intervalMs = options.probeIntervalMs ?? 1000
    this.now = options.now ?? (() => new Date())
    this.current = { state: 'connected', since: this.now().toISOString() }
  }

  status(): TeamConnectionDto {
    return { ...this.current }
  }

  onChange(listener: (status: TeamConnectionDto) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  get reconnecting(): boolean {
    return this.current.state === 'reconnecting'
  }

  /** The server could not be reached (`reason` is plain words, never SQL). */
  lost(reason: string): void {
    if (this.closed || this.current.state === 'reconnecting') return
    this.change({ state: 'reconnecting', since: this.now().toISOString(), reason })
    this.schedule()
  }

  /** Stops probing; no change is published after this. */
  close(): void {
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.listeners.clear()
  }

  private change(next: TeamConnectionDto): void {
    this.current = next
    for (const listener of [...this.listeners]) {
      try {
        listener(this.status())
      } catch {
        // A listener's failure (a closed window) must not stop the others or the probe.
      }
    }
  }

  private schedule(): void {
    if (this.closed || this.timer) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.tick()
    }, this.intervalMs)
    // A CLI that failed with 'team-unreachable' exits without waiting for the server to return.
    this.timer.unref()
  }

  private async tick(): Promise<void> {
    if (this.closed || this.probing || this.current.state !== 'reconnecting') return
    this.probing = true
    let ok = false
    try {
      await this.probe()
      ok = true
    } catch {
      ok = false
    } finally {
      this.probing = false
    }
    if (this.closed || this.current.state !== 'reconnecting') return
    if (ok) this.change({ state: 'connected', since: this.now().toISOString() })
    else this.schedule()
  }
}
