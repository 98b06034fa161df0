// Issue #17 point 5, the rules under the fault tests, one connection at a time: a statement already
// sent is never sent again when its connection dies (it may have committed), a transaction that
// loses its connection runs once and commits nothing, and after a loss no connection opened before
// it is reused. The server's own pg_terminate_backend kills the connection at an exact point.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CtsError } from '../../main/shared'
import { openPgDatabase, type PgDatabase } from '../../main/store/pg/pg-database'
import type { TeamConnectionDto } from '../../preload/contract/workspace'
import { startProxy } from './faults-proxy'
import { startTestPostgres, type TestPostgres } from './pg-server'

let server: TestPostgres
let db: PgDatabase
const events: TeamConnectionDto[] = []

beforeAll(async () => {
  server = await startTestPostgres()
  db = await openPgDatabase(server.url, { max: 2 })
  db.connection!.onChange((c) => events.push(c))
  await db.run('CREATE SEQUENCE sent')
  await db.run('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)')
}, 60_000)
afterAll(async () => {
  await db?.close()
  await server?.stop()
})

/** The call's error (it must fail). */
async function failure(work: Promise<unknown>): Promise<CtsError> {
  const err = await work.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(CtsError)
  return err as CtsError
}

/** Waits for the probe to bring the state back (it runs every second). */
async function connectedAgain(): Promise<void> {
  const t0 = Date.now()
  while (db.connection!.status().state !== 'connected' && Date.now() - t0 < 5_000)
    await new Promise((r) => setTimeout(r, 50))
  expect(db.connection!.status().state).toBe('connected')
}

describe('connection faults, statement by statement (issue #17 point 5)', () => {
  it('never sends again a statement whose connection died after it was sent', async () => {
    // nextval is not rolled back: a second sending would leave the sequence at 2.
    const err = await failure(
      db.row("SELECT nextval('sent') AS n, pg_terminate_backend(pg_backend_pid()) AS killed"),
    )
    expect(err.code).toBe('team-unreachable')
    expect(err.message).toMatch(/^The team workspace server 127\.0\.0\.1:\d+ cannot be reached: /)
    expect(events.map((e) => e.state)).toEqual(['reconnecting'])
    await connectedAgain()
    expect(events.map((e) => e.state)).toEqual(['reconnecting', 'connected'])
    expect(await db.row('SELECT last_value AS n FROM sent')).toEqual({ n: 1 })
  })

  it('runs a transaction that loses its connection once, commits nothing, and says not saved', async () => {
    let runs = 0
    const err = await failure(
      db.tx(async (q) => {
        runs += 1
        await q.run("INSERT INTO notes (id, body) VALUES (1, '发热 fever')")
        await q.run("SELECT nextval('sent')")
        await q.run('SELECT pg_terminate_backend(pg_backend_pid())')
      }),
    )
    expect([runs, err.code]).toEqual([1, 'team-unreachable'])
    await connectedAgain()
    expect(await db.row('SELECT COUNT(*)::int AS n FROM notes')).toEqual({ n: 0 })
    expect(await db.row('SELECT last_value AS n FROM sent')).toEqual({ n: 2 })
    expect(events.map((e) => e.state)).toEqual([
      'reconnecting',
      'connected',
      'reconnecting',
      'connected',
    ])
  })

  it('after a loss, uses no connection opened before it (a stale socket is never sent on)', async () => {
    // Two pooled connections, both alive and idle.
    const pidOf = () =>
      db.tx(async (q) => {
        const row = await q.row<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_sleep(0.2)')
        return row!.pid
      })
    const before = await Promise.all([pidOf(), pidOf()])
    expect(new Set(before).size).toBe(2)
    // One of them dies: the other is alive, but opened before the loss, so it is discarded unused.
    await failure(db.run('SELECT pg_terminate_backend(pg_backend_pid())'))
    const after = await Promise.all([pidOf(), pidOf()])
    expect(after.filter((pid) => before.includes(pid))).toEqual([])
    await connectedAgain()
  })

  it('retries BEGIN on a fresh connection when a pooled socket died unnoticed; never a sent statement', async () => {
    const proxy = await startProxy(server.port)
    const url = new URL(server.url)
    url.port = String(proxy.port)
    const viaProxy = await openPgDatabase(url.toString(), { max: 1 })
    try {
      expect(proxy.opened()).toBe(1)
      // The pooled connection is dead, and nothing has told the pool: the next bytes on it fail.
      proxy.poison()
      const one = await viaProxy.tx(async (q) => q.row<{ one: number }>('SELECT 1 AS one'))
      expect(one).toEqual({ one: 1 })
      // BEGIN failed on the dead socket and ran again on a second, fresh connection.
      expect(proxy.opened()).toBe(2)
      // A statement of its own is sent once: on a dead socket it fails, and is not sent again.
      const sent = Number((await db.row<{ n: number }>('SELECT last_value AS n FROM sent'))!.n)
      proxy.poison()
      const err = await failure(viaProxy.run("SELECT nextval('sent')"))
      expect(err.code).toBe('team-unreachable')
      expect(proxy.opened()).toBe(2)
      expect(await db.row('SELECT last_value AS n FROM sent')).toEqual({ n: sent })
    } finally {
      await viaProxy.close()
      await proxy.close()
    }
  })
})
