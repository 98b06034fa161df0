// Numbered schema migrations: each runs in its own transaction and is recorded in PRAGMA
// user_version, so a failure leaves the workspace exactly at the version it had before.
import type { Database } from 'better-sqlite3'
import { CtsError } from '../shared'

/** One schema step. `version` is its number (1, 2, 3 …); `up` runs inside a transaction. */
export interface Migration {
  version: number
  name: string
  up(db: Database): void
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

function checkSequence(migrations: readonly Migration[]): void {
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

/**
 * Brings the database up to the last migration in `migrations`. Refuses a file written by a newer
 * version; stops at the first failing migration with everything before it committed.
 */
export function migrate(db: Database, migrations: readonly Migration[]): MigrationOutcome {
  checkSequence(migrations)
  const latest = migrations.length
  const from = schemaVersion(db)
  if (from > latest) {
    throw new CtsError(
      'unsupported',
      `This workspace was saved by a newer version of Clinical Text Studio (schema ${from}; this version knows up to ${latest}). Update the app to open it; the workspace was not changed.`,
    )
  }
  const applied: string[] = []
  for (const m of migrations.slice(from)) {
    const before = schemaVersion(db)
    try {
      db.transaction(() => {
        m.up(db)
        db.pragma(`user_version = ${m.version}`)
      }).immediate()
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err)
      throw new CtsError(
        'internal',
        `The workspace could not be upgraded to schema ${m.version} (${m.name}): ${reason}. Nothing was changed by this step; the workspace is still at schema ${before}.`,
        { version: m.version, name: m.name, schemaVersion: before },
      )
    }
    applied.push(`${String(m.version).padStart(3, '0')}-${m.name}`)
  }
  return { from, to: schemaVersion(db), applied }
}
