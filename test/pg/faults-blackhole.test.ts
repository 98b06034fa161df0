// Issue #17 point 5, a cut network: the server stops answering without closing anything (a
// half-open socket — TCP alone would take ~15 min to give up). A label write fails with
// 'team-unreachable' within the statement timeout, no statement is sent twice, the dead connection
// is discarded (no transaction left open on the server); and a pool busy with this computer's own
// work is 'team-busy', not a lost server (the state stays 'connected').
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeFailure, EXIT_BAD_INPUT } from '../../main/cli/exit-codes'
import { CtsError } from '../../main/shared'
import { mapPgError, openPgDatabase, type PgDatabase } from '../../main/store/pg/pg-database'
import { pgRepositories } from '../../main/store/pg/repositories'
import { startFaultTeam, type FaultTeam } from './faults-fixture'
import { startProxy, type FaultProxy } from './faults-proxy'

/** Small for the test; the default is 10 s. */
const QUERY_TIMEOUT_MS = 500
/** The acquire window (2 s) after a timed-out BEGIN, plus scheduling slack on a shared machine. */
const MAX_REFUSAL_MS = QUERY_TIMEOUT_MS + 2_000 + 700

let team: FaultTeam
let admin: PgDatabase
const home = mkdtempSync(join(tmpdir(), 'cts-blackhole-'))
const opened: { db: PgDatabase; proxy?: FaultProxy }[] = []

beforeAll(async () => {
  team = await startFaultTeam(4)
  admin = await team.sql()
  await admin.run('CREATE SEQUENCE cut_sent')
}, 120_000)
afterAll(async () => {
  // The proxy first: its sockets closing ends every connection that went silent.
  for (const { db, proxy } of opened) {
    await proxy?.close()
    await db.close()
  }
  await admin?.close()
  await team?.close()
  rmSync(home, { recursive: true, force: true })
})

/** A database reached through a relay that can be cut. */
async function throughProxy(max: number): Promise<{ db: PgDatabase; proxy: FaultProxy }> {
  const proxy = await startProxy(team.server.port)
  const url = new URL(team.server.url)
  url.port = String(proxy.port)
  const db = await openPgDatabase(url.toString(), {
    max,
    queryTimeoutMs: QUERY_TIMEOUT_MS,
    probeIntervalMs: 100,
    connectTimeoutMs: 1_000,
  })
  opened.push({ db, proxy })
  return { db, proxy }
}

/** The call's error (it must fail) and how long it took. */
async function failure(work: () => Promise<unknown>): Promise<{ err: CtsError; ms: number }> {
  const t0 = Date.now()
  const err = await work().then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(CtsError)
  return { err: err as CtsError, ms: Date.now() - t0 }
}

/** Bytes of a simple-protocol Query message ('Q', length, the SQL, NUL). */
const queryBytes = (sql: string) => 1 + 4 + Buffer.byteLength(sql) + 1

/** Our sessions the server still holds inside a transaction (locks a label write could wait on). */
async function openTransactions(): Promise<number> {
  const t0 = Date.now()
  for (;;) {
    const { n } = (await admin.row<{ n: number }>(
      `SELECT COUNT(*)::int AS n FROM pg_stat_activity
        WHERE application_name = 'clinical-text-studio' AND state LIKE 'idle in transaction%'`,
    ))!
    if (n === 0 || Date.now() - t0 > 3_000) return n
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('a cut network (issue #17 point 5)', () => {
  it('names a statement timeout "unreachable" and a full pool "busy"', () => {
    const addr = { host: '127.0.0.1', port: 5432, user: 'ann' }
    const timedOut = mapPgError(new Error('Query read timeout'), addr) as CtsError
    expect([timedOut.code, timedOut.message]).toEqual([
      'team-unreachable',
      'The team workspace server 127.0.0.1:5432 cannot be reached: the server did not answer in time.',
    ])
    const busy = mapPgError(new Error('timeout exceeded when trying to connect'), addr) as CtsError
    expect([busy.code, busy.message]).toEqual([
      'team-busy',
      'The team workspace connection to 127.0.0.1:5432 is busy with other work on this computer (a training snapshot, an import). Nothing was saved: try again in a moment.',
    ])
    // A user error for the CLI, like 'team-unreachable': exit 2 and the message.
    expect(describeFailure(busy)).toEqual({
      exitCode: EXIT_BAD_INPUT,
      message: `Error: ${busy.message}`,
    })
  })

  it('fails a transaction cut after a statement within the timeout; sent once, no ROLLBACK, discarded', async () => {
    const { db, proxy } = await throughProxy(1)
    let runs = 0
    const sql = "SELECT nextval('cut_sent')"
    const { err, ms } = await failure(() =>
      db.tx(async (q) => {
        runs += 1
        await q.run(sql)
        proxy.blackHole()
        await q.run(sql)
      }),
    )
    expect([err.code, runs]).toEqual(['team-unreachable', 1])
    expect(err.message).toMatch(/cannot be reached: the server did not answer in time\.$/)
    expect(ms).toBeGreaterThanOrEqual(QUERY_TIMEOUT_MS - 50)
    expect(ms).toBeLessThan(QUERY_TIMEOUT_MS + 700)
    // On the cut connection the client sent the second statement once, then nothing: no
    // ROLLBACK queued behind it, no Terminate (the socket was destroyed).
    expect(proxy.dropped()[0]).toBe(queryBytes(sql))
    expect(db.connection!.status().state).toBe('reconnecting')
    // The server let go of the transaction: the relay closed the server side with the client's.
    expect(await openTransactions()).toBe(0)
    expect(await admin.row('SELECT last_value AS n FROM cut_sent')).toEqual({ n: 1 })
  })

  it('refuses a label write on a cut network within the timeout and writes nothing', async () => {
    const { db, proxy } = await throughProxy(2)
    const repos = pgRepositories(db, home)
    const [textId] = team.textIds
    const [first, second] = team.labelIds
    const annotator = 'annotator-cut'
    const acked = await repos.annotations.set({
      projectId: team.project.id,
      textId,
      labelIds: [first],
      annotator,
    })
    expect(acked).toMatchObject({ textId, labelIds: [first] })
    expect(proxy.opened()).toBe(1)

    proxy.blackHole()
    const { err, ms } = await failure(() =>
      repos.annotations.set({ projectId: team.project.id, textId, labelIds: [second], annotator }),
    )
    expect(err.code).toBe('team-unreachable')
    expect(ms).toBeLessThan(MAX_REFUSAL_MS)
    // Only BEGIN went out on the pooled connection (it timed out; retrying it on a fresh connection
    // is safe and that one never answered): no statement of the label was sent.
    expect(proxy.dropped()[0]).toBe(queryBytes('BEGIN ISOLATION LEVEL READ COMMITTED'))
    expect(db.connection!.status()).toMatchObject({ state: 'reconnecting' })

    const history = await admin.rows<{ id: number; after: string }>(
      'SELECT id, after_label_ids AS after FROM annotation_history WHERE annotator = $1 ORDER BY id',
      [annotator],
    )
    expect(history).toEqual([{ id: acked!.revision, after: JSON.stringify([first]) }])
    expect(await openTransactions()).toBe(0)
  })

  it('says "busy", not "unreachable", when every pooled connection is in use here', async () => {
    const db = await openPgDatabase(team.server.url, { max: 1, connectTimeoutMs: 300 })
    opened.push({ db })
    const changes: string[] = []
    db.connection!.onChange((c) => changes.push(c.state))
    let release!: () => void
    const held = db.tx(() => new Promise<void>((r) => (release = r)))
    await new Promise((r) => setTimeout(r, 100))
    const { err, ms } = await failure(() => db.row('SELECT 1 AS one'))
    expect(err.code).toBe('team-busy')
    expect(ms).toBeLessThan(1_500)
    release()
    await held
    // The server was fine all along: no 'reconnecting', and the same connection serves the next call.
    expect(await db.row('SELECT 1 AS one')).toEqual({ one: 1 })
    expect([db.connection!.status().state, changes]).toEqual(['connected', []])
  })

  it('takes more concurrent label snapshots than the pool has connections', async () => {
    const db = await openPgDatabase(team.server.url, { max: 2, connectTimeoutMs: 3_000 })
    opened.push({ db })
    const repos = pgRepositories(db, home)
    const snapshots = await Promise.all(
      Array.from({ length: 5 }, () => repos.texts.labelledSnapshot(team.project.id)),
    )
    expect(new Set(snapshots.map((s) => s.historyId)).size).toBe(1)
    expect(snapshots[0].historyId).toBeGreaterThan(0)
    expect(snapshots.every((s) => s.rows.length === snapshots[0].rows.length)).toBe(true)
  })
})
