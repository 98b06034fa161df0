// The 'unlock' audit entry of a process that opened an encrypted workspace with a passphrase file
// (--passphrase-file / $CTS_PASSPHRASE_FILE): who (the current profile, else the OS user) and how.
import { userInfo } from 'node:os'
import type { Database } from 'better-sqlite3'
import { writeAudit } from './audit'
import { CURRENT_ANNOTATOR_KEY } from './annotators-repository'

function hasTable(db: Database, name: string): boolean {
  return (
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !==
    undefined
  )
}

function osUser(): string {
  try {
    return userInfo().username || 'local user'
  } catch {
    return 'local user'
  }
}

/** The current profile (what the app's entries name), else the operating-system user. */
function actorOf(db: Database): string {
  if (!hasTable(db, 'workspace_settings')) return osUser()
  const current = db
    .prepare('SELECT value FROM workspace_settings WHERE key = ?')
    .pluck()
    .get(CURRENT_ANNOTATOR_KEY) as string | undefined
  return current ?? osUser()
}

/** Writes 'unlock' {via: 'passphrase-file'}; a workspace without an audit log (tests) gets none. */
export function auditPassphraseFileUnlock(db: Database): void {
  if (!hasTable(db, 'audit_log')) return
  writeAudit(db, actorOf(db), 'unlock', null, { via: 'passphrase-file' })
}
