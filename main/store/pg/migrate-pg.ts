// Applies the one list of migrations (main/store/migrations) to a team workspace on PostgreSQL:
// one transaction per migration, the version recorded in cts_schema_version in that transaction.
import {
  checkSequence,
  migrationFailedError,
  migrationLabel,
  newerSchemaError,
  type Migration,
  type MigrationOutcome,
} from '../migrate'
import { CtsError } from '../../shared'
import { sqliteDdlToPg } from './ddl'
import { LONG_STATEMENT_MS, type PgDatabase, type PgQueryable } from './pg-database'

// Several clients may open a new team workspace at once: each migration step takes this
// transaction-scoped lock, then re-reads the version, so exactly one of them applies it.
const MIGRATION_LOCK = 0x43_54_53_01 // "CTS" 1

/** The PostgreSQL text of one migration: its own `pg`, else the translation of its `sql`. */
export function pgSqlOf(m: Migration): string {
  if (m.pg !== undefined) return m.pg
  if (m.sql !== undefined) return sqliteDdlToPg(m.sql)
  throw new CtsError(
    'internal',
    `Migration ${migrationLabel(m)} has no PostgreSQL form (neither sql nor pg).`,
  )
}

async function ensureVersionTable(q: PgQueryable): Promise<void> {
  await q.run(`CREATE TABLE IF NOT EXISTS cts_schema_version (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`)
}

/** The team workspace's schema version (0 for an empty database). */
export async function pgSchemaVersion(q: PgQueryable): Promise<number> {
  const exists = await q.row<{ t: string | null }>(
    "SELECT to_regclass('cts_schema_version')::text AS t",
  )
  if (!exists?.t) return 0
  const row = await q.row<{ v: number | null }>('SELECT MAX(version) AS v FROM cts_schema_version')
  return row?.v ?? 0
}

/**
 * Brings the team database up to the last migration. Refuses a database written by a newer
 * version; stops at the first failing migration with everything before it committed.
 */
export async function migratePg(
  db: PgDatabase,
  migrations: readonly Migration[],
): Promise<MigrationOutcome> {
  checkSequence(migrations)
  const latest = migrations.length
  const from = await pgSchemaVersion(db)
  if (from > latest) throw newerSchemaError(from, latest)
  const applied: string[] = []
  for (const m of migrations.slice(from)) {
    const sql = pgSqlOf(m)
    let before = m.version - 1
    try {
      const did = await db.tx(
        async (q) => {
          await q.run('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
          await ensureVersionTable(q)
          before = await pgSchemaVersion(q)
          if (before > latest) throw newerSchemaError(before, latest)
          if (before >= m.version) return false // another client applied it meanwhile
          await q.run(sql)
          await q.run(
            'INSERT INTO cts_schema_version (version, name, applied_at) VALUES ($1, $2, $3)',
            [m.version, m.name, new Date().toISOString()],
          )
          return true
        },
        { queryTimeoutMs: LONG_STATEMENT_MS },
      )
      if (did) applied.push(migrationLabel(m))
    } catch (err) {
      // A newer schema, an unreachable server or a refused login are not this step's failure.
      if (err instanceof CtsError && /^(unsupported|team-)/.test(err.code)) throw err
      throw migrationFailedError(m, before, err)
    }
  }
  return { from, to: await pgSchemaVersion(db), applied }
}
