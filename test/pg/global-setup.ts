// Starts the one PostgreSQL server the PostgreSQL run of the suite shares; each test file makes
// its own empty databases on it (createTestDatabase), so files do not see each other's rows.
import { migrations } from '../../main/store/migrations/index'
import { migratePg } from '../../main/store/pg/migrate-pg'
import { openPgDatabase } from '../../main/store/pg/pg-database'
import {
  ADMIN_URL_ENV,
  createTestDatabase,
  startTestPostgres,
  TEMPLATE_ENV,
  type TestPostgres,
} from './pg-server'

let server: TestPostgres | undefined

export async function setup(): Promise<void> {
  server = await startTestPostgres()
  // Worker processes are forked after this runs, so they inherit the variable.
  process.env[ADMIN_URL_ENV] = server.adminUrl
  // The shared service tests copy this migrated database (CREATE DATABASE … TEMPLATE): a copy
  // takes a few milliseconds, ten migrations per test much longer. test/pg/migrate-pg.test.ts
  // applies the migrations to empty databases itself.
  const template = await createTestDatabase(server.adminUrl, 'cts_template')
  const db = await openPgDatabase(template.url, { max: 1 })
  try {
    await migratePg(db, migrations)
  } finally {
    await db.close()
  }
  process.env[TEMPLATE_ENV] = 'cts_template'
}

export async function teardown(): Promise<void> {
  await server?.stop()
}
