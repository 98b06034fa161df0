// Numbered schema migrations: each runs in its own transaction and is recorded in PRAGMA
// user_version, so a failure leaves the workspace exactly at the version it had before. The same
// list is applied to a team workspace on PostgreSQL by main/store/pg/migrate-pg.ts.
import type { Database } from 'better-sqlite3'
import { CtsError } from '../shared'

/**
 * One schema step. `version` is its number (1, 2, 3 …). SQLite runs `sql`, then `up`, inside one
 * transaction. PostgreSQL runs `pg` when given, else `sqliteDdlToPg(sql)` (main/store/pg/ddl.ts);
 * it never runs `up`, which only transforms rows an older SQLite workspace already holds.
 */
export interface Migration {
  version: number
  name: string
  /** Portable DDL (SQLite's dialect, translated for PostgreSQL). */
  sql?: string
  /** SQLite-only steps after `sql`: data in existing rows, sqlite_sequence. */
  up?(db: Database): void
  /** PostgreSQL's own DDL, only where the translation of `sql` cannot express the step. */
  pg?: string
}

export interface MigrationOutcome {
  from: number
  to: number
  applied: string[]
}

/** The schema version recorded in the file (0 for a new, empty database). */
export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

/** Throws when the list has a gap or is out of order (a programming error). */
export function checkSequence(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    // A gap or a reordering is a programming error; catching it here keeps user_version honest.
    if (m.version !== i + 1) {
      throw new CtsError(
        'internal',
        `Migration list is out of order: "${m.name}" is number ${m.version}, expected ${i + 1}.`,
      )
    }
  })
}

/** The refusal to open a workspace written by a newer version (both backends say the same). */
export function newerSchemaError(found: number, latest: number): CtsError {
  return new CtsError(
    'unsupported',
    `This workspace was saved by a newer version of Clinical Text Studio (schema ${found}; this version knows up to ${latest}). Update the app to open it; the workspace was not changed.`,
  )
}

/** The report of a migration that failed (both backends say the same). */
export function migrationFailedError(m: Migration, before: number, err: unknown): CtsError {
  const reason = err instanceof Error ? err.message : String(err)
  return new CtsError(
    'internal',
    `The workspace could not be upgraded to schema ${m.version} (${m.name}): ${reason}. Nothing was changed by this step; the workspace is still at schema ${before}.`,
    { version: m.version, name: m.name, schemaVersion: before },
  )
}

/** "001-workspace": how an applied migration is reported. */
export function migrationLabel(m: Migration): string {
  return `${String(m.version).padStart(3, '0')}-${m.name}`
}

/**
 * Brings the database up to the last migration in `migrations`. Refuses a file written by a newer
 * version; stops at the first failing migration with everything before it committed.
 */
export function migrate(db: Database, migrations: readonly Migration[]): MigrationOutcome {
  checkSequence(migrations)
  const latest = migrations.length
  const from = schemaVersion(db)
  if (from > latest) throw newerSchemaError(from, latest)
  const applied: string[] = []
  for (const m of migrations.slice(from)) {
    const before = schemaVersion(db)
    try {
      db.transaction(() => {
        if (m.sql) db.exec(m.sql)
        m.up?.(db)
        db.pragma(`user_version = ${m.version}`)
      }).immediate()
    } catch (err) {
      throw migrationFailedError(m, before, err)
    }
    applied.push(migrationLabel(m))
  }
  return { from, to: schemaVersion(db), applied }
}
