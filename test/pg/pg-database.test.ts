// The team workspace's connection wrapper on a real server: transactions commit or roll back as
// one, conflicts are retried, connections always go back to the pool, and refusals never quote
// the statement's values (they may be patient text).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CtsError } from '../../main/shared'
import {
  isPgUniqueViolation,
  openPgDatabase,
  PgStatementError,
  type PgDatabase,
} from '../../main/store/pg/pg-database'
import { createTestDatabase } from './pg-server'

let db: PgDatabase
let drop: () => Promise<void>
beforeAll(async () => {
  const d = await createTestDatabase()
  drop = d.drop
  db = await openPgDatabase(d.url, { max: 2 })
  await db.run('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE, n INTEGER)')
})
afterAll(async () => {
  await db?.close()
  await drop?.()
})

describe('openPgDatabase', () => {
  it('reads rows, one row and counts as numbers', async () => {
    await db.run('INSERT INTO notes (id, body, n) VALUES ($1, $2, $3), ($4, $5, $6)', [
      1,
      'fièvre',
      2,
      2,
      '发热',
      3,
    ])
    expect(await db.rows('SELECT id, body FROM notes ORDER BY id')).toEqual([
      { id: 1, body: 'fièvre' },
      { id: 2, body: '发热' },
    ])
    expect(await db.row('SELECT body FROM notes WHERE id = $1', [9])).toBeUndefined()
    // COUNT(*) is int8: a number even without the ::int cast the repositories use.
    expect(await db.row('SELECT COUNT(*) AS n, SUM(n) AS s FROM notes')).toEqual({ n: 2, s: 5 })
    expect(await db.run('UPDATE notes SET n = n + 1')).toEqual({ rowCount: 2 })
  })

  it('commits a transaction as one, and rolls all of it back when the function throws', async () => {
    const refusal = new CtsError('conflict', 'Row 3: this note exists already.')
    await expect(
      db.tx(async (q) => {
        await q.run("INSERT INTO notes (id, body) VALUES (3, 'toux')")
        throw refusal
      }),
    ).rejects.toBe(refusal)
    expect(await db.row('SELECT id FROM notes WHERE id = 3')).toBeUndefined()
    const id = await db.tx(async (q) => {
      await q.run("INSERT INTO notes (id, body) VALUES (3, 'toux')")
      return (await q.row<{ id: number }>('SELECT id FROM notes WHERE id = 3'))?.id
    })
    expect(id).toBe(3)
  })

  it('names only the SQLSTATE and constraint of a refused statement, never its values', async () => {
    const err = await db
      .run('INSERT INTO notes (id, body) VALUES ($1, $2)', [4, 'fièvre'])
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PgStatementError)
    expect(err).toMatchObject({
      code: 'internal',
      sqlState: '23505',
      constraint: 'notes_body_key',
      message:
        'The team workspace database refused a statement (SQLSTATE 23505, constraint notes_body_key)',
    })
    expect(isPgUniqueViolation(err, 'notes_body_key')).toBe(true)
    expect(isPgUniqueViolation(err, 'notes_pkey')).toBe(false)
    // PostgreSQL's own message would quote the value: "invalid input syntax for type integer: …".
    const bad = await db
      .row('SELECT $1::int AS n', ['Patient 张三, fever since Monday'])
      .catch((e: unknown) => e as Error)
    expect((bad as Error).message).toBe(
      'The team workspace database refused a statement (SQLSTATE 22P02)',
    )
    expect(JSON.stringify(bad)).not.toContain('张三')
  })

  it('retries the whole function on a serialization failure and a deadlock', async () => {
    let calls = 0
    const result = await db.tx(async (q) => {
      calls++
      await q.run('UPDATE notes SET n = 0 WHERE id = 1')
      if (calls === 1) throw Object.assign(new Error('deadlock detected'), { code: '40P01' })
      if (calls === 2) throw Object.assign(new Error('could not serialize'), { code: '40001' })
      return 'done'
    })
    expect({ result, calls }).toEqual({ result: 'done', calls: 3 })

    // A real conflict: two serializable transactions each read what the other writes.
    await db.run('UPDATE notes SET n = 1')
    let attempts = 0
    let bothRead!: () => void
    const gate = new Promise<void>((resolve) => (bothRead = resolve))
    let reads = 0
    const writer = (from: number, to: number) =>
      db.tx(
        async (q) => {
          attempts++
          const sum = await q.row<{ s: number }>('SELECT SUM(n)::int AS s FROM notes')
          if (++reads === 2) bothRead()
          await Promise.race([gate, new Promise((r) => setTimeout(r, 2000))])
          await q.run('UPDATE notes SET n = $1 WHERE id = $2', [sum!.s, to])
          return from
        },
        { isolation: 'serializable' },
      )
    expect(await Promise.all([writer(1, 1), writer(2, 2)])).toEqual([1, 2])
    expect(attempts).toBeGreaterThanOrEqual(3) // one of the two ran again
    // Serially equivalent: the second writer saw the first's write.
    const n = await db.rows<{ id: number; n: number }>(
      'SELECT id, n FROM notes WHERE id <= 2 ORDER BY id',
    )
    expect([n[0]!.n, n[1]!.n].sort((a, b) => a - b)).toEqual([3, 5])
  })

  it('hands every connection back, whatever the function did (pool of 2, 20 failures)', async () => {
    for (let i = 0; i < 20; i++) {
      await db
        .tx(async (q) => {
          await q.run('SELECT 1')
          if (i % 2) throw new CtsError('bad-input', 'no')
          await q.run('SELECT no_such_column FROM notes')
        })
        .catch(() => undefined)
    }
    expect(await db.row('SELECT 1 AS one')).toEqual({ one: 1 })
    expect(await db.tx(async (q) => q.row('SELECT 2 AS two'))).toEqual({ two: 2 })
  })
})
