// The parameterised suite's wiring: with CTS_TEST_BACKEND=postgres, tempServices really opens a
// team workspace on its own PostgreSQL database (not SQLite), re-opening a home finds its data,
// dispose drops the database, and the tests' direct SQL reads reach the same database.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openPgDatabase } from '../../main/store/pg/pg-database'
import { tempServices, tempServicesIn } from '../unit/services/fixtures'
import { ADMIN_URL_ENV } from './pg-server'
import { sqliteQueryToPg } from './sync-sql'

async function databaseExists(name: string): Promise<boolean> {
  const admin = await openPgDatabase(process.env[ADMIN_URL_ENV]!)
  try {
    return (await admin.rows('SELECT 1 FROM pg_database WHERE datname = $1', [name])).length === 1
  } finally {
    await admin.close()
  }
}

describe('tempServices on PostgreSQL', () => {
  it('runs the services on a team workspace of its own database', async () => {
    expect(process.env.CTS_TEST_BACKEND).toBe('postgres')
    const app = tempServices()
    const ws = app.workspace as unknown as { kind: string; team: { database: string } }
    expect(ws.kind).toBe('team')
    const p = await app.handlers['projects/create']({
      name: 'Fièvre 发热',
      kind: 'binary',
    })
    expect(
      app.workspace.db.prepare('SELECT name FROM projects WHERE id = ?').pluck().get(p.id),
    ).toBe('Fièvre 发热')
    expect(existsSync(join(app.home, 'workspace.sqlite'))).toBe(false)
    expect(await databaseExists(ws.team.database)).toBe(true)

    // Re-opening the same home (as tests that close and reopen do) finds the same database.
    app.close()
    const again = tempServicesIn(app.home)
    expect((await again.handlers['projects/list']({})).map((x) => x.name)).toEqual(['Fièvre 发热'])
    again.close()
    app.dispose()
    await expect.poll(() => databaseExists(ws.team.database), { timeout: 10_000 }).toBe(false)
  })

  it('translates the tests’ SQLite-dialect reads', () => {
    expect(sqliteQueryToPg('SELECT text_id AS textId, x FROM t WHERE a = ? AND b = ?')).toBe(
      'SELECT text_id AS "textId", x FROM t WHERE a = $1 AND b = $2',
    )
    expect(sqliteQueryToPg("SELECT group_concat(l.name, ',') AS labels FROM l")).toBe(
      "SELECT string_agg(l.name, ',') AS labels FROM l",
    )
  })
})
