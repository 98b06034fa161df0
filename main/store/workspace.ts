// Opens the workspace database (<home>/workspace.sqlite): durable pragmas, then migrations.
// Every commit is fsynced (synchronous=FULL) because labels are clinical work.
import { mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { CtsError } from '../shared'
import { migrate, type Migration, type MigrationOutcome } from './migrate'
import { migrations as knownMigrations } from './migrations/index'
import { sqliteRepositories, type Repositories } from './repositories'
import { BUSY_TIMEOUT_MS } from './limits'

export const WORKSPACE_FILE = 'workspace.sqlite'
export const RUNS_DIR = 'runs'

export interface Workspace {
  /** The directory holding the database and the run artifacts. */
  home: string
  /** <home>/workspace.sqlite */
  file: string
  /** <home>/runs, where run artifacts live (created on demand by their owner). */
  runsDir: string
  db: Database.Database
  /** The repositories over `db`: what services use (they never see `db`). */
  repos: Repositories
  migration: MigrationOutcome
  close(): void
}

export interface OpenWorkspaceOptions {
  /** Tests inject their own list; the app uses the registered migrations. */
  migrations?: readonly Migration[]
}

/** The workspace directory: --home, else $CTS_HOME, else ~/.cts-workspace (as CLI and web bridge). */
export function resolveHome(explicit?: string): string {
  return resolve(explicit || process.env.CTS_HOME || join(homedir(), '.cts-workspace'))
}

/** Applies the connection settings every workspace connection must have. */
export function configureConnection(db: Database.Database): void {
  const mode = db.pragma('journal_mode = WAL', { simple: true })
  if (mode !== 'wal') {
    throw new CtsError(
      'unsupported',
      `The workspace database cannot use write-ahead logging here (got "${String(mode)}").`,
    )
  }
  db.pragma('foreign_keys = ON')
  db.pragma('synchronous = FULL')
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
}

/** Opens (creating if needed) the workspace in `home` and brings its schema up to date. */
export function openWorkspace(home: string, options: OpenWorkspaceOptions = {}): Workspace {
  const dir = resolve(home)
  try {
    mkdirSync(dir, { recursive: true })
  } catch (err) {
    throw new CtsError(
      'bad-input',
      `The workspace folder ${dir} cannot be created: ${(err as Error).message}`,
    )
  }
  const file = join(dir, WORKSPACE_FILE)
  let db: Database.Database
  try {
    db = new Database(file)
  } catch (err) {
    throw new CtsError(
      'bad-input',
      `The workspace database ${file} cannot be opened: ${(err as Error).message}`,
    )
  }
  try {
    configureConnection(db)
    const migration = migrate(db, options.migrations ?? knownMigrations)
    return {
      home: dir,
      file,
      runsDir: join(dir, RUNS_DIR),
      db,
      repos: sqliteRepositories(db, dir),
      migration,
      close: () => {
        if (db.open) db.close()
      },
    }
  } catch (err) {
    db.close()
    throw err
  }
}
