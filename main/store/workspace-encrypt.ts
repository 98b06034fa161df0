// "Encrypt this workspace": builds an encrypted copy next to the plaintext database, verifies it
// (opens with the key, integrity_check, same schema version, same row count in every table), then
// swaps it into place. Any failure before the swap leaves the plaintext workspace as it was.
import { existsSync, renameSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Database } from 'better-sqlite3'
import { CtsError } from '../shared'
import { syncDir } from '../shared/atomic-file'
import type { Migration } from './migrate'
import { DB_FILE, ENCRYPTING_PREFIX } from './workspace-recovery'
import {
  DEFAULT_SCRYPT,
  isEncryptedWorkspace,
  KEY_FILE,
  newWorkspaceKey,
  PENDING_KEY_FILE,
  writeKeyFile,
  type ScryptCost,
  type WorkspaceKey,
} from './workspace-key'
import { openDatabase, openWorkspace, RUNS_DIR } from './workspace'
import { sealRunArtifacts } from './seal-artifacts'

/** The steps, in order; tests make each one fail to show that nothing changes. */
export type EncryptStep = 'copied' | 'rekeyed' | 'verified' | 'closed' | 'key-staged'

export interface EncryptOptions {
  /** Tests only: a cheaper scrypt. */
  cost?: ScryptCost
  /** Tests only: a different migration list. */
  migrations?: readonly Migration[]
  /** Tests only: called after each step (a throw there is a failure at that step). */
  onStep?: (step: EncryptStep) => void
}

export interface EncryptOutcome {
  home: string
  /** True when there was no workspace and an empty encrypted one was created. */
  created: boolean
  /** Rows per table, equal in the plaintext original and the encrypted copy. */
  rows: Record<string, number>
  key: WorkspaceKey
}

function rowCounts(db: Database): Record<string, number> {
  const tables = db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .pluck()
    .all() as string[]
  const counts: Record<string, number> = {}
  for (const t of tables)
    counts[t] = db
      .prepare(`SELECT count(*) FROM "${t.replace(/"/g, '""')}"`)
      .pluck()
      .get() as number
  return counts
}

function sameCounts(a: Record<string, number>, b: Record<string, number>): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

function removeCopy(copy: string): void {
  for (const f of [copy, `${copy}-wal`, `${copy}-shm`, `${copy}-journal`])
    rmSync(f, { force: true })
}

const unchanged = 'The workspace was not changed.'

/**
 * Encrypts the workspace in `home` under `passphrase` (creating an empty one when there is none).
 * Refuses an encrypted workspace and one another program has open.
 */
export function encryptWorkspace(
  home: string,
  passphrase: string,
  options: EncryptOptions = {},
): EncryptOutcome {
  const dir = resolve(home)
  const file = join(dir, DB_FILE)
  if (isEncryptedWorkspace(dir))
    throw new CtsError('conflict', `The workspace in ${dir} is already encrypted. ${unchanged}`)
  // The passphrase is checked (length) and the key derived before anything is opened.
  const { key, keyFileText } = newWorkspaceKey(passphrase, options.cost ?? DEFAULT_SCRYPT)
  const created = !existsSync(file)
  const step = options.onStep ?? (() => undefined)
  const copy = join(dir, `${ENCRYPTING_PREFIX}-${process.pid}`)
  const pending = join(dir, PENDING_KEY_FILE)

  const ws = openWorkspace(dir, { migrations: options.migrations })
  let committed = false
  try {
    removeCopy(copy)
    const version = ws.db.pragma('user_version', { simple: true }) as number
    // A consistent snapshot of the database, WAL included, as one rollback-journal file.
    ws.db.prepare('VACUUM INTO ?').run(copy)
    step('copied')

    const plain = openDatabase(copy)
    try {
      plain.pragma("cipher = 'sqlcipher'")
      plain.pragma(`rekey = "x'${key.db.toString('hex')}'"`)
    } finally {
      plain.close()
    }
    step('rekeyed')

    const enc = openDatabase(copy, key)
    let copyRows: Record<string, number>
    try {
      const integrity = enc.pragma('integrity_check', { simple: true })
      if (integrity !== 'ok')
        throw new CtsError(
          'internal',
          `The encrypted copy failed its integrity check (${String(integrity)}). ${unchanged}`,
        )
      if (enc.pragma('user_version', { simple: true }) !== version)
        throw new CtsError(
          'internal',
          `The encrypted copy has another schema version. ${unchanged}`,
        )
      // The workspace runs in WAL mode; the copy's header says so before it replaces the original.
      enc.pragma('journal_mode = WAL')
      copyRows = rowCounts(enc)
    } finally {
      enc.close()
    }
    // Counted after the copy: a write by another program since the snapshot shows up here.
    const rows = rowCounts(ws.db)
    if (!sameCounts(rows, copyRows))
      throw new CtsError(
        'conflict',
        `The workspace changed while it was being encrypted (is the app open?). Close every program using ${dir} and try again. ${unchanged}`,
      )
    step('verified')

    ws.close()
    // Closing the last connection checkpoints the WAL into the file and removes it. If it is
    // still there, another program has the workspace open and could write to the old file.
    if (existsSync(`${file}-wal`))
      throw new CtsError(
        'conflict',
        `Another program has the workspace in ${dir} open (the app?). Close it and try again. ${unchanged}`,
      )
    step('closed')

    writeKeyFile(pending, keyFileText)
    step('key-staged')

    // The commit point: the verified encrypted copy replaces the plaintext file in one rename.
    renameSync(copy, file)
    committed = true
    syncDir(dir)
    rmSync(`${file}-shm`, { force: true })
    renameSync(pending, join(dir, KEY_FILE))
    syncDir(dir)
    // Runs trained before: their text artifacts are encrypted too (again at every open if cut short).
    sealRunArtifacts(join(dir, RUNS_DIR), key.artifacts)
    return { home: dir, created, rows, key }
  } catch (err) {
    if (!committed) {
      ws.close()
      removeCopy(copy)
      rmSync(pending, { force: true })
    }
    if (err instanceof CtsError) throw err
    throw new CtsError(
      'internal',
      `Encrypting the workspace failed (${(err as Error).message}). ${committed ? '' : unchanged}`.trim(),
    )
  }
}
