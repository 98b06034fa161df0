// The team connection's state machine (issue #17 point 5) without a server: each change published
// once, a probe every second while reconnecting, only the probe brings it back, close() stops it.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ConnectionWatch } from '../../../main/store/pg/team-connection'
import type { TeamConnectionDto } from '../../../preload/contract/workspace'

beforeEach(() => {
  vi.useFakeTimers()
  vi.setSystemTime(new Date('2026-12-07T01:00:00.000Z'))
})
afterEach(() => {
  vi.useRealTimers()
})

describe('ConnectionWatch', () => {
  it('goes reconnecting once, probes every second, and comes back only when the probe answers', async () => {
    let up = false
    const probe = vi.fn(async () => {
      if (!up) throw new Error('refused')
    })
    const watch = new ConnectionWatch(probe)
    const seen: TeamConnectionDto[] = []
    watch.onChange((c) => seen.push(c))
    expect(watch.status()).toEqual({ state: 'connected', since: '2026-12-07T01:00:00.000Z' })

    watch.lost('the connection was refused')
    watch.lost('the server closed the connection')
    expect(seen).toEqual([
      {
        state: 'reconnecting',
        since: '2026-12-07T01:00:00.000Z',
        reason: 'the connection was refused',
      },
    ])
    await vi.advanceTimersByTimeAsync(999)
    expect(probe).toHaveBeenCalledTimes(0)
    await vi.advanceTimersByTimeAsync(2_001)
    expect(probe).toHaveBeenCalledTimes(3)
    expect(watch.status().state).toBe('reconnecting')

    up = true
    await vi.advanceTimersByTimeAsync(1_000)
    expect(probe).toHaveBeenCalledTimes(4)
    expect(seen.map((c) => c.state)).toEqual(['reconnecting', 'connected'])
    expect(watch.status()).toEqual({ state: 'connected', since: '2026-12-07T01:00:04.000Z' })
    // Connected: no more probes.
    await vi.advanceTimersByTimeAsync(5_000)
    expect(probe).toHaveBeenCalledTimes(4)
  })

  it('publishes nothing and probes no more once closed', async () => {
    const probe = vi.fn(async () => {})
    const watch = new ConnectionWatch(probe)
    const seen: TeamConnectionDto[] = []
    watch.onChange((c) => seen.push(c))
    watch.lost('the connection was refused')
    watch.close()
    await vi.advanceTimersByTimeAsync(3_000)
    watch.lost('the connection was refused')
    expect(probe).toHaveBeenCalledTimes(0)
    expect(seen.map((c) => c.state)).toEqual(['reconnecting'])
  })

  it('keeps telling the other listeners when one of them throws', () => {
    const watch = new ConnectionWatch(async () => {})
    const seen: string[] = []
    watch.onChange(() => {
      throw new Error('window closed')
    })
    const off = watch.onChange((c) => seen.push(c.state))
    watch.lost('the connection was refused')
    off()
    expect(seen).toEqual(['reconnecting'])
  })
})
