// Opens the workspace database (<home>/workspace.sqlite): key (when encrypted), durable pragmas,
// then migrations. Every commit is fsynced (synchronous=FULL) because labels are clinical work.
// The driver is better-sqlite3-multiple-ciphers (better-sqlite3 with SQLCipher-compatible
// encryption); a plain workspace opens exactly as before.
import { mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Database } from 'better-sqlite3'
import Driver from 'better-sqlite3-multiple-ciphers'
import { CtsError } from '../shared'
import { migrate, type Migration, type MigrationOutcome } from './migrate'
import { migrations as knownMigrations } from './migrations/index'
import { sqliteRepositories, type Repositories } from './repositories'
import { BUSY_TIMEOUT_MS } from './limits'
import { completePendingEncryption, DB_FILE } from './workspace-recovery'
import { sealRunArtifacts } from './seal-artifacts'
import { registerArtifactKey } from '../shared/artifact-crypto'
import {
  firstPassphraseFileUnlock,
  workspaceKeyAndSource,
  type KeySource,
  type WorkspaceKey,
} from './workspace-key'
import { auditPassphraseFileUnlock } from './unlock-audit'

export const WORKSPACE_FILE = DB_FILE
export const RUNS_DIR = 'runs'

export interface Workspace {
  /** A local workspace (this file's SQLite database); a team one is a TeamWorkspace (pg/open-team.ts). */
  kind: 'local'
  /** The directory holding the database and the run artifacts. */
  home: string
  /** <home>/workspace.sqlite */
  file: string
  /** <home>/runs, where run artifacts live (created on demand by their owner). */
  runsDir: string
  db: Database
  /** True when the database (and the run artifacts) are encrypted. */
  encrypted: boolean
  /** The artifact key of an encrypted workspace (artifact-crypto.ts); undefined when plain. */
  artifactKey?: Buffer
  /** The repositories over `db`: what services use (they never see `db`). */
  repos: Repositories
  migration: MigrationOutcome
  close(): void
}

export interface OpenWorkspaceOptions {
  /** Tests inject their own list; the app uses the registered migrations. */
  migrations?: readonly Migration[]
  /**
   * The key of an encrypted workspace. Left out: the key remembered in this process or the one
   * $CTS_PASSPHRASE_FILE unlocks (workspace-key.ts); a plain workspace needs none.
   */
  key?: WorkspaceKey
}

/** The workspace directory: --home, else $CTS_HOME, else ~/.cts-workspace (as CLI and web bridge). */
export function resolveHome(explicit?: string): string {
  return resolve(explicit || process.env.CTS_HOME || join(homedir(), '.cts-workspace'))
}

/** Opens the database file, keyed when `key` is given (before any page is read). */
export function openDatabase(file: string, key?: WorkspaceKey): Database {
  // Typed as better-sqlite3's Database, as the rest of main/store is: the fork has the same API.
  const db: Database = new Driver(file)
  if (key) {
    try {
      db.pragma("cipher = 'sqlcipher'")
      // A raw 32-byte key (x'…'): no PBKDF2 on top of our scrypt.
      db.pragma(`key = "x'${key.db.toString('hex')}'"`)
      // Sorts and temporary indexes stay in memory: SQLite's temporary files are not encrypted.
      db.pragma('temp_store = MEMORY')
    } catch (err) {
      db.close()
      throw err
    }
  }
  return db
}

/** Applies the connection settings every workspace connection must have. */
export function configureConnection(db: Database): void {
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
  // An `cts workspace encrypt` that stopped halfway is finished or undone before anything opens.
  completePendingEncryption(dir)
  const found = options.key
    ? { key: options.key, via: 'explicit' as const }
    : workspaceKeyAndSource(dir)
  const key = found?.key
  const via: KeySource | 'explicit' | undefined = found?.via
  let db: Database
  try {
    db = openDatabase(file, key)
  } catch (err) {
    throw new CtsError(
      'bad-input',
      `The workspace database ${file} cannot be opened: ${(err as Error).message}`,
    )
  }
  try {
    try {
      configureConnection(db)
    } catch (err) {
      // The key check passed, so an unreadable file here is damage, not a wrong passphrase.
      if (key && (err as { code?: string }).code === 'SQLITE_NOTADB')
        throw new CtsError(
          'bad-input',
          `The encrypted workspace database ${file} cannot be read with its key: it is damaged or was replaced. Restore it from a backup.`,
        )
      throw err
    }
    const migration = migrate(db, options.migrations ?? knownMigrations)
    if (key) {
      // Artifacts written under this folder in this process are encrypted from now on.
      registerArtifactKey(dir, key.artifacts)
      // Runs trained before the workspace was encrypted: their text artifacts are sealed now.
      sealRunArtifacts(join(dir, RUNS_DIR), key.artifacts)
      // One 'unlock' entry per process that unlocks with a passphrase file (CLI, serve): the app's
      // unlock dialog writes its own (lockable-boot.ts).
      if (via === 'passphrase-file' && firstPassphraseFileUnlock(dir)) auditPassphraseFileUnlock(db)
    }
    return {
      kind: 'local',
      home: dir,
      file,
      runsDir: join(dir, RUNS_DIR),
      db,
      encrypted: key !== undefined,
      artifactKey: key?.artifacts,
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
