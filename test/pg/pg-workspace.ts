// A team workspace on a fresh PostgreSQL database for the shared service tests (CTS_TEST_BACKEND=
// postgres), opened synchronously like the SQLite one: the database is created and migrated in
// the background and every statement waits for that; tempServices awaits `ready` before a call.
import { join, resolve } from 'node:path'
import type { Migration, MigrationOutcome } from '../../main/store/migrate'
import { migrations as knownMigrations } from '../../main/store/migrations/index'
import { migratePg } from '../../main/store/pg/migrate-pg'
import type { TeamWorkspace } from '../../main/store/pg/open-team'
import { openPgDatabase, type PgDatabase } from '../../main/store/pg/pg-database'
import { pgRepositories } from '../../main/store/pg/repositories'
import { RUNS_DIR } from '../../main/store/workspace'
import {
  ADMIN_URL_ENV,
  createTestDatabase,
  dropTestDatabase,
  TEMPLATE_ENV,
  testDatabaseName,
} from './pg-server'
import { openSyncSql, type SyncSql } from './sync-sql'

/** True when the shared tests run against PostgreSQL (test/pg/vitest.config.ts sets it). */
export const onPostgres = (): boolean => process.env.CTS_TEST_BACKEND === 'postgres'

export interface PgTestWorkspace {
  /** A team workspace, plus `db`: the tests' synchronous SQL on the same database. */
  workspace: TeamWorkspace & { db: SyncSql }
  /** Settles when the database exists and is migrated (rejects when that failed). */
  ready: Promise<void>
  /** Drops the database (dispose): the next pgTestWorkspace for this home starts empty. */
  drop(): Promise<void>
}

// home → its database, so re-opening a home (tempServicesIn after close) finds its data again.
const databases = new Map<string, string>()

/** Opens a team workspace for `home` on a new, empty database of the suite's server. */
export function pgTestWorkspace(
  home: string,
  migrations: readonly Migration[] = knownMigrations,
): PgTestWorkspace {
  const adminUrl = process.env[ADMIN_URL_ENV]
  if (!adminUrl) throw new Error(`${ADMIN_URL_ENV} is not set: run with test/pg/vitest.config.ts`)
  const dir = resolve(home)
  const existing = databases.get(dir)
  const name = existing ?? testDatabaseName()
  databases.set(dir, name)
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  let migration: MigrationOutcome | undefined
  const opened: Promise<PgDatabase> = (async () => {
    // The suite's migrated template when the standard list is used (migratePg then applies
    // nothing); a test's own list starts from an empty database.
    const template = migrations === knownMigrations ? process.env[TEMPLATE_ENV] : undefined
    if (!existing) await createTestDatabase(adminUrl, name, template)
    const db = await openPgDatabase(url.toString(), { max: 4 })
    migration = await migratePg(db, migrations)
    return db
  })()
  // Nobody may be awaiting yet: keep an early failure from being an unhandled rejection.
  opened.catch(() => undefined)
  const ready = opened.then(() => undefined)

  const db: PgDatabase = {
    rows: async (sql, params) => (await opened).rows(sql, params),
    row: async (sql, params) => (await opened).row(sql, params),
    run: async (sql, params) => (await opened).run(sql, params),
    tx: async (fn, opts) => (await opened).tx(fn, opts),
    close: async () => (await opened).close(),
  }
  const sync = openSyncSql(url.toString())
  const workspace: TeamWorkspace & { db: SyncSql } = {
    kind: 'team',
    home: dir,
    runsDir: join(dir, RUNS_DIR),
    encrypted: false,
    repos: pgRepositories(db, dir),
    team: {
      host: url.hostname,
      port: Number(url.port),
      database: name,
      user: 'postgres',
      url: url.toString().replace(/:[^:@/]*@/, '@'),
    },
    get migration(): MigrationOutcome {
      if (!migration) throw new Error('the test database is not migrated yet: await ready')
      return migration
    },
    pg: db,
    db: sync,
    close: async () => {
      sync.close()
      await db.close()
    },
  }
  const drop = async () => {
    databases.delete(dir)
    await workspace.close().catch(() => undefined)
    await dropTestDatabase(adminUrl, name)
  }
  return { workspace, ready, drop }
}
