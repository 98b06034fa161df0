// Issue #17 point 5, the outage: the server is stopped for a real minute. Every label made meanwhile
// is refused with 'team-unreachable' within 3 s and writes nothing (no queue: refused visibly); the
// connection says 'reconnecting' throughout and 'connected' within seconds of the restart; then
// labels are accepted again, and the database holds each acknowledged label exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  expectAcknowledgedNeverTwice,
  nextLabel,
  startFaultTeam,
  type FaultClient,
  type FaultTeam,
  type Outcome,
} from './faults-fixture'

const OUTAGE_MS = 60_000
const CLIENTS = 2
const MAX_REFUSAL_MS = 3_000
/** The probe runs every second: 'connected' within a few seconds of the server being back. */
const MAX_RECONNECT_MS = 3_000

let team: FaultTeam
beforeAll(async () => {
  team = await startFaultTeam(20)
}, 120_000)
afterAll(async () => {
  await team?.close()
})

describe('the server stopped for a minute (issue #17 point 5)', () => {
  it('refuses every label made meanwhile, writes none of them, and takes labels again after', async () => {
    const clients: FaultClient[] = []
    for (let c = 0; c < CLIENTS; c++) clients.push(await team.client(`annotator-${c}`))
    const told = clients.map(() => new Map<number, number>())
    const outcomes: Outcome[] = []
    let k = 0
    const labelOnce = async (c: number) => {
      const textId = team.textIds[(k++ * 3 + c) % team.textIds.length]
      const label = nextLabel(told[c], textId, team.labelIds)
      const o = await clients[c].label(textId, [label])
      outcomes.push(o)
      if (o.ok) told[c].set(textId, label)
      return o
    }

    // Before: labels are acknowledged.
    for (let i = 0; i < 5; i++)
      for (let c = 0; c < CLIENTS; c++) expect((await labelOnce(c)).ok).toBe(true)
    const before = outcomes.length

    await team.server.stopKeepingData()
    const stoppedAt = Date.now()
    // During: each client keeps pressing keys (about one label a second) for the whole minute.
    const during: Outcome[] = []
    const states: string[] = []
    await Promise.all(
      clients.map(async (client, c) => {
        while (Date.now() - stoppedAt < OUTAGE_MS) {
          during.push(await labelOnce(c))
          states.push((await client.connection())?.state ?? 'none')
          await new Promise((r) => setTimeout(r, 1_000))
        }
      }),
    )
    const startCalled = Date.now()
    await team.server.start()
    const startedAt = Date.now()

    // After: 'connected' within a few seconds, then labels are acknowledged again.
    const reconnectMs = await Promise.all(
      clients.map(async (client) => {
        while ((await client.connection())?.state !== 'connected') {
          if (Date.now() - startedAt > 10_000) break
          await new Promise((r) => setTimeout(r, 50))
        }
        return Date.now() - startedAt
      }),
    )
    for (const ms of reconnectMs) expect(ms).toBeLessThanOrEqual(MAX_RECONNECT_MS)
    for (let i = 0; i < 5; i++)
      for (let c = 0; c < CLIENTS; c++) expect((await labelOnce(c)).ok).toBe(true)

    // Every label of the minute refused, visibly and quickly; the state said so throughout.
    expect(during.length).toBeGreaterThanOrEqual(CLIENTS * 20)
    expect(during.filter((o) => o.ok || o.code !== 'team-unreachable')).toEqual([])
    expect(during.filter((o) => o.ms > MAX_REFUSAL_MS)).toEqual([])
    expect(during.map((o) => o.message)).toEqual(
      during.map(() =>
        expect.stringMatching(/^The team workspace server 127\.0\.0\.1:\d+ cannot be reached: /),
      ),
    )
    expect(new Set(states)).toEqual(new Set(['reconnecting']))
    for (const client of clients) {
      expect(client.events.map((e) => e.state)).toEqual(['reconnecting', 'connected'])
      expect(Date.parse(client.events[0].since)).toBeLessThan(stoppedAt + MAX_REFUSAL_MS)
      expect(Date.parse(client.events[1].since)).toBeGreaterThanOrEqual(startCalled)
    }

    // Nothing of the minute written; each acknowledged label exactly once, with its revision.
    // Every refusal came after the server had stopped, so none can have committed.
    expect(outcomes.filter((o) => o.ok).length).toBe(before + CLIENTS * 5)
    expect(await expectAcknowledgedNeverTwice(team, outcomes, clients[0].backend)).toEqual({
      refusedButCommitted: 0,
    })
    console.log(
      `outage: ${during.length} labels during ${OUTAGE_MS / 1000} s, all refused ('team-unreachable'), slowest refusal ${Math.max(...during.map((o) => o.ms))} ms; 'connected' ${reconnectMs.join('/')} ms after the server was back`,
    )
  }, 240_000)
})
