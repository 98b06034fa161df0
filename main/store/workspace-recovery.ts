// Finishes or undoes a `cts workspace encrypt` that stopped halfway (power cut, kill -9), so the
// workspace is always either the plaintext one as it was or the verified encrypted one.
import { closeSync, existsSync, openSync, readdirSync, readSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { KEY_FILE, PENDING_KEY_FILE } from './workspace-key'

/** The workspace database's name (workspace.ts exports it as WORKSPACE_FILE). */
export const DB_FILE = 'workspace.sqlite'
/** Prefix of the encrypted copy being built and verified next to the workspace. */
export const ENCRYPTING_PREFIX = `${DB_FILE}.encrypting`

/** True when the file starts with SQLite's plaintext header (an encrypted one starts with noise). */
export function isPlaintextSqlite(file: string): boolean {
  const fd = openSync(file, 'r')
  try {
    const head = Buffer.alloc(16)
    const n = readSync(fd, head, 0, 16, 0)
    return n === 16 && head.toString('latin1') === 'SQLite format 3\0'
  } finally {
    closeSync(fd)
  }
}

/**
 * The commit point of encryption is the rename of the encrypted copy over workspace.sqlite; the key
 * file follows it. A pending key file next to an encrypted database: the rename happened, so the
 * key file is put in place. Next to a plaintext database (or none): it did not, so the pending key
 * file and any half-built copy are removed and the plaintext workspace stays as it was.
 */
export function completePendingEncryption(home: string): void {
  if (!existsSync(home)) return
  const pending = join(home, PENDING_KEY_FILE)
  const db = join(home, DB_FILE)
  if (existsSync(pending)) {
    const committed = !existsSync(join(home, KEY_FILE)) && existsSync(db) && !isPlaintextSqlite(db)
    if (committed) renameSync(pending, join(home, KEY_FILE))
    else rmSync(pending, { force: true })
  }
  for (const name of readdirSync(home))
    if (name.startsWith(ENCRYPTING_PREFIX)) rmSync(join(home, name), { force: true })
}
