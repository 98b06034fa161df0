// The audit repository on both backends with the same assertions: the chain of entries, the
// filtered and paged list, actors, CSV rows and the check that names an entry edited, inserted or
// deleted directly in the database; on PostgreSQL also several writers on one chain at once.
import { afterAll, describe, expect, it } from 'vitest'
import { entryHash, GENESIS } from '../../../main/store/audit-chain'
import { PgAuditRepository, writeAuditPg } from '../../../main/store/pg/audit-repository'
import { openPgDatabase } from '../../../main/store/pg/pg-database'
import {
  freshBackendEachTest,
  openBackend,
  seed,
  stopOwnServer,
  type BackendName,
  type R3Backend,
} from './r3-backends'

afterAll(stopOwnServer)

/** Sets every entry's `at` (the filters compare it) without breaking the chain: relinks it. */
async function backdate(b: R3Backend, ats: string[]): Promise<void> {
  const rows = await b.all<{
    id: number
    actor: string
    action: string
    project_id: number | null
    details: string
  }>('SELECT id, actor, action, project_id, details FROM audit_log ORDER BY id')
  let prev = GENESIS
  for (const [i, r] of rows.entries()) {
    const at = ats[i]!
    const hash = entryHash({ ...r, at }, prev)
    await b.exec('UPDATE audit_log SET at = ?, prev_hash = ?, hash = ? WHERE id = ?', [
      at,
      prev,
      hash,
      r.id,
    ])
    prev = hash
  }
  const last = rows[rows.length - 1]!
  await b.exec("UPDATE workspace_settings SET value = ? WHERE key = 'audit.head'", [
    JSON.stringify({ id: last.id, hash: prev }),
  ])
}

describe.each<BackendName>(['sqlite', 'postgres'])('audit repository (%s)', (backend) => {
  let b: R3Backend
  freshBackendEachTest(
    () => openBackend(backend),
    (x) => (b = x),
    seed,
  )

  /** Five entries by three people over three days, in two projects and none. */
  async function fiveEntries(): Promise<void> {
    await b.audit.write('王医生', 'export', 1, { rows: 3, file: '出院小结.csv' })
    await b.audit.write('dr', 'report', 2, { title: 'Bericht 100%_fertig' })
    await b.audit.write('Zoe', 'token.create', null, { token: 'serve-1' })
    await b.audit.write('dr', 'export', 1, { rows: 7, file: 'BERICHT.xlsx' })
    await b.audit.write('dr', 'predict', null, { texts: 2 })
    await backdate(b, [
      '2026-03-01T08:00:00.000Z',
      '2026-03-01T23:59:59.999Z',
      '2026-03-02T00:00:00.000Z',
      '2026-03-02T12:00:00.000Z',
      '2026-03-03T09:30:00.000Z',
    ])
  }

  it('verifies an empty log and a log written through the repository', async () => {
    const intact = { intact: true, brokenAt: null, reason: null, problem: null }
    expect(await b.audit.verify()).toEqual({ entries: 0, ...intact })
    await b.audit.write('dr', 'export', 1, { rows: 1 })
    await b.audit.write('dr', 'export', null, { rows: 2 })
    expect(await b.audit.verify()).toEqual({ entries: 2, ...intact })
    const rows = await b.all<{ id: number; prev_hash: string; hash: string }>(
      'SELECT id, prev_hash, hash FROM audit_log ORDER BY id',
    )
    expect(rows.map((r) => r.id)).toEqual([1, 2])
    expect(rows[0]!.prev_hash).toBe(GENESIS)
    expect(rows[1]!.prev_hash).toBe(rows[0]!.hash)
    const head = await b.all<{ value: string }>(
      "SELECT value FROM workspace_settings WHERE key = 'audit.head'",
    )
    expect(JSON.parse(head[0]!.value)).toEqual({ id: 2, hash: rows[1]!.hash })
  })

  it('lists newest first with the project name, pages with a total, and filters', async () => {
    await fiveEntries()
    const all = await b.audit.list({}, { offset: 0, limit: 2 })
    expect(all.total).toBe(5)
    expect(all.entries.map((e) => e.id)).toEqual([5, 4])
    const page = await b.audit.list({}, { offset: 3, limit: 10 })
    expect(page.entries.map((e) => [e.id, e.actor, e.action, e.projectId, e.projectName])).toEqual([
      [2, 'dr', 'report', 2, 'Fieber / 发热'],
      [1, '王医生', 'export', 1, 'Husten / 咳嗽'],
    ])
    expect(page.entries[1]!.details).toEqual({ rows: 3, file: '出院小结.csv' })
    expect(page.entries[1]!.at).toBe('2026-03-01T08:00:00.000Z')
    expect(page.entries[1]!.hash).toMatch(/^[0-9a-f]{64}$/)

    const ids = async (filter: Parameters<R3Backend['audit']['list']>[0]) => {
      const r = await b.audit.list(filter, { offset: 0, limit: 50 })
      expect(r.total).toBe(r.entries.length)
      return r.entries.map((e) => e.id)
    }
    expect(await ids({ actions: ['export', 'predict'] })).toEqual([5, 4, 1])
    expect(await ids({ actor: 'dr' })).toEqual([5, 4, 2])
    expect(await ids({ actor: 'DR' })).toEqual([])
    expect(await ids({ projectId: 1 })).toEqual([4, 1])
    // A day alone is inclusive; an instant is compared as it is.
    expect(await ids({ from: '2026-03-02' })).toEqual([5, 4, 3])
    expect(await ids({ to: '2026-03-01' })).toEqual([2, 1])
    expect(await ids({ to: '2026-03-02T00:00:00.000Z' })).toEqual([3, 2, 1])
    expect(await ids({ from: '2026-03-01T12:00:00.000Z', to: '2026-03-02' })).toEqual([4, 3, 2])
    // The details search: ASCII letters in any case, % and _ literal, other letters as typed.
    expect(await ids({ search: 'bericht' })).toEqual([4, 2])
    expect(await ids({ search: '100%_f' })).toEqual([2])
    expect(await ids({ search: '0%x' })).toEqual([])
    expect(await ids({ search: '出院' })).toEqual([1])
    expect(await ids({ search: 'r_ws' })).toEqual([])
    expect(await ids({ search: 'rows' })).toEqual([4, 1])
    expect(await ids({ actor: 'dr', projectId: 1, search: 'xlsx', from: '2026-03-02' })).toEqual([
      4,
    ])
  })

  it('folds only ASCII case in the search, as SQLite LIKE does', async () => {
    await b.audit.write('dr', 'export', null, { file: 'Émile-Ärztin.csv' })
    const found = async (search: string) =>
      (await b.audit.list({ search }, { offset: 0, limit: 5 })).total
    expect(await found('émile')).toBe(0)
    expect(await found('Émile')).toBe(1)
    expect(await found('ÉMILE')).toBe(1)
    expect(await found('ärztin')).toBe(0)
  })

  it('names every actor once, in code point order', async () => {
    expect(await b.audit.actors()).toEqual([])
    await fiveEntries()
    await b.audit.write('ana', 'export', null, {})
    expect(await b.audit.actors()).toEqual(['Zoe', 'ana', 'dr', '王医生'])
  })

  it('reads the CSV rows oldest first with the previous hash, filtered', async () => {
    await fiveEntries()
    const rows = []
    for await (const r of b.audit.exportRows({ actor: 'dr' })) rows.push(r)
    expect(rows.map((r) => [r.id, r.action, r.projectName])).toEqual([
      [2, 'report', 'Fieber / 发热'],
      [4, 'export', 'Husten / 咳嗽'],
      [5, 'predict', null],
    ])
    const chain = await b.all<{ id: number; prev_hash: string }>(
      'SELECT id, prev_hash FROM audit_log ORDER BY id',
    )
    expect(rows.map((r) => r.prevHash)).toEqual([
      chain[1]!.prev_hash,
      chain[3]!.prev_hash,
      chain[4]!.prev_hash,
    ])
    const none = []
    for await (const r of b.audit.exportRows({ actor: 'nobody' })) none.push(r)
    expect(none).toEqual([])
  })

  it('names an entry edited in the database, one after a deletion and an insertion', async () => {
    await fiveEntries()
    expect(await b.audit.verify()).toMatchObject({ entries: 5, intact: true })
    await b.exec(`UPDATE audit_log SET details = '{"rows":99}' WHERE id = 3`)
    expect(await b.audit.verify()).toEqual({
      entries: 3,
      intact: false,
      brokenAt: 3,
      reason: 'entry 3 was changed after it was written.',
      problem: 'changed',
    })
    // An edited entry still lists; unreadable details stay readable as text.
    await b.exec(`UPDATE audit_log SET details = 'not json' WHERE id = 3`)
    const listed = await b.audit.list({ actor: 'Zoe' }, { offset: 0, limit: 5 })
    expect(listed.entries[0]!.details).toEqual({ unreadable: 'not json' })

    const other = await openBackend(backend)
    try {
      await other.audit.write('a', 'export', null, { n: 1 })
      await other.audit.write('a', 'export', null, { n: 2 })
      await other.audit.write('a', 'export', null, { n: 3 })
      await other.exec('DELETE FROM audit_log WHERE id = 2')
      expect(await other.audit.verify()).toEqual({
        entries: 2,
        intact: false,
        brokenAt: 3,
        reason:
          'entry 3 does not follow the entry before it (an entry before it was deleted or inserted).',
        problem: 'out-of-order',
      })
    } finally {
      await other.close()
    }
  })

  it('names the newest entry deleted, and an entry added after the head', async () => {
    await b.audit.write('a', 'export', null, { n: 1 })
    await b.audit.write('a', 'export', null, { n: 2 })
    await b.exec('DELETE FROM audit_log WHERE id = 2')
    expect(await b.audit.verify()).toEqual({
      entries: 1,
      intact: false,
      brokenAt: 2,
      reason: 'the newest entry (2) is missing or an entry was added after it.',
      problem: 'head',
    })
    // Written through the app again, the chain links to entry 1 and the head moves: intact.
    await b.audit.write('a', 'export', null, { n: 3 })
    expect(await b.audit.verify()).toMatchObject({ entries: 2, intact: true })
    const [last] = await b.all<{ hash: string }>('SELECT hash FROM audit_log WHERE id = 2')
    const fields = { id: 3, at: 'x', actor: 'b', action: 'export', project_id: null, details: '{}' }
    await b.exec(
      'INSERT INTO audit_log (id, at, actor, action, project_id, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [3, 'x', 'b', 'export', null, '{}', last!.hash, entryHash(fields, last!.hash)],
    )
    expect(await b.audit.verify()).toMatchObject({
      entries: 3,
      intact: false,
      brokenAt: 3,
      problem: 'head',
    })
  })
})

describe('the audit chain with several writers on PostgreSQL', () => {
  it('5 clients × 50 entries at once keep one intact chain of 250; an edit is named', async () => {
    const b = await openBackend('postgres')
    const clients = await Promise.all(
      [1, 2, 3, 4, 5].map(() => openPgDatabase(b.pgUrl!, { max: 2 })),
    )
    try {
      await Promise.all(
        clients.map(async (db, c) => {
          const audit = new PgAuditRepository(db)
          for (let i = 0; i < 50; i++) await audit.write(`client-${c}`, 'export', null, { c, i })
        }),
      )
      expect(await b.audit.verify()).toEqual({
        entries: 250,
        intact: true,
        brokenAt: null,
        reason: null,
        problem: null,
      })
      const rows = await b.all<{ id: number; details: string }>(
        'SELECT id, details FROM audit_log ORDER BY id',
      )
      expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1))
      // Every client's entries are all there, each in its own order.
      for (let c = 0; c < 5; c++) {
        const mine = rows
          .map((r) => JSON.parse(r.details) as { c: number; i: number })
          .filter((d) => d.c === c)
        expect(mine.map((d) => d.i)).toEqual(Array.from({ length: 50 }, (_, i) => i))
      }
      await b.exec(`UPDATE audit_log SET details = '{"c":0,"i":999}' WHERE id = 137`)
      expect(await b.audit.verify()).toEqual({
        entries: 137,
        intact: false,
        brokenAt: 137,
        reason: 'entry 137 was changed after it was written.',
        problem: 'changed',
      })
    } finally {
      await Promise.all(clients.map((db) => db.close()))
      await b.close()
    }
  })

  it('refuses to append inside a transaction whose snapshot could be stale', async () => {
    const b = await openBackend('postgres')
    const db = await openPgDatabase(b.pgUrl!, { max: 1 })
    try {
      await expect(
        db.tx((q) => writeAuditPg(q, 'dr', 'export', null, {}), { isolation: 'repeatable read' }),
      ).rejects.toMatchObject({
        code: 'internal',
        message:
          'The audit log can only be appended in a read committed transaction (this one is repeatable read).',
      })
      expect(await b.all('SELECT id FROM audit_log')).toEqual([])
    } finally {
      await db.close()
      await b.close()
    }
  })
})
