// What every two-backend repository test needs: a migrated in-memory SQLite database, a fresh
// migrated database on the test PostgreSQL (the suite's server, else one per test file), and raw
// queries written once with `?` placeholders that run on either.
import Database from 'better-sqlite3'
import { afterEach, beforeEach } from 'vitest'
import { migrate } from '../../main/store/migrate'
import { migrations } from '../../main/store/migrations'
import { migratePg } from '../../main/store/pg/migrate-pg'
import { openPgDatabase, type PgDatabase } from '../../main/store/pg/pg-database'
import {
  ADMIN_URL_ENV,
  createTestDatabase,
  startTestPostgres,
  type TestPostgres,
} from './pg-server'

export const BACKENDS = ['sqlite', 'postgres'] as const
export type BackendName = (typeof BACKENDS)[number]

/** Raw reads and writes for a test's own checks, written with `?` placeholders. */
export interface RawSql {
  all<T>(sql: string, params?: unknown[]): Promise<T[]>
  exec(sql: string, params?: unknown[]): Promise<void>
}

/** `?` placeholders → `$1`, `$2`, … (PostgreSQL's). */
export function dollar(sql: string): string {
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`)
}

// One server per test file when no suite-wide one was started (npx vitest run <this file>).
let server: Promise<TestPostgres> | undefined
async function adminUrl(): Promise<string> {
  const fromSuite = process.env[ADMIN_URL_ENV]
  if (fromSuite) return fromSuite
  server ??= startTestPostgres()
  return (await server).adminUrl
}

/** Stops the server this file started, if any (call in afterAll). */
export async function stopOwnServer(): Promise<void> {
  if (server) await (await server).stop()
  server = undefined
}

/** An in-memory SQLite workspace database at the latest schema. */
export function openMigratedSqlite(): Database.Database {
  const db = new Database(':memory:')
  db.pragma('foreign_keys = ON')
  migrate(db, migrations)
  return db
}

export function sqliteSql(db: Database.Database): RawSql {
  return {
    all: async <T>(sql: string, params: unknown[] = []) => db.prepare(sql).all(...params) as T[],
    async exec(sql: string, params: unknown[] = []) {
      db.prepare(sql).run(...params)
    },
  }
}

/** `toPg` rewrites a query for PostgreSQL: the placeholders only, unless a test needs more. */
export function pgSql(db: PgDatabase, toPg: (sql: string) => string = dollar): RawSql {
  return {
    all: <T>(sql: string, params: unknown[] = []) => db.rows<T>(toPg(sql), params),
    async exec(sql: string, params: unknown[] = []) {
      await db.run(toPg(sql), params)
    },
  }
}

export interface MigratedPg {
  db: PgDatabase
  url: string
  /** Closes the pool and drops the database. */
  close(): Promise<void>
}

/** A fresh database on the test server at the latest schema; dropped again if migrating fails. */
export async function openMigratedPg(): Promise<MigratedPg> {
  const database = await createTestDatabase(await adminUrl())
  let db: PgDatabase | undefined
  try {
    db = await openPgDatabase(database.url)
    await migratePg(db, migrations)
  } catch (err) {
    await db?.close()
    await database.drop()
    throw err
  }
  const pgDb = db
  return {
    db: pgDb,
    url: database.url,
    async close() {
      await pgDb.close()
      await database.drop()
    },
  }
}

/**
 * In the enclosing describe: before each test `open` a fresh backend, hand it to `use` (the test
 * file's variable) and `prepare` it (a seed); after the test close it, even when `prepare` threw.
 */
export function freshBackendEachTest<B extends { close(): Promise<void> }>(
  open: () => Promise<B>,
  use: (b: B) => void,
  prepare?: (b: B) => Promise<void>,
): void {
  let current: B | undefined
  beforeEach(async () => {
    current = await open()
    use(current)
    await prepare?.(current)
  })
  afterEach(async () => {
    await current?.close()
    current = undefined
  })
}
