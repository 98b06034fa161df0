// Encryption of the workspace, for the entry points above the root (CLI, backend): encrypt one,
// unlock one, read a passphrase file. The work itself is in main/store (workspace-encrypt.ts,
// workspace-key.ts); this file adds the audit entry and keeps the layers pointing down.
import { CtsError } from '../shared'
import { writeAudit } from '../store/audit'
import { encryptWorkspace, type EncryptOptions } from '../store/workspace-encrypt'
import {
  MIN_PASSPHRASE_LENGTH,
  rememberWorkspaceKey,
  unlockWorkspaceKey,
  type WorkspaceKey,
} from '../store/workspace-key'
import { openWorkspace } from '../store/workspace'

export {
  isEncryptedWorkspace,
  readPassphraseFile,
  PASSPHRASE_FILE_ENV,
  WRONG_PASSPHRASE,
  MIN_PASSPHRASE_LENGTH,
} from '../store/workspace-key'
export type { WorkspaceKey }

export interface EncryptSummary {
  home: string
  created: boolean
  tables: number
  rows: number
}

/**
 * Encrypts the workspace in `home` (creating it when there is none), then records
 * 'workspace.encrypt' in its audit log. Later opens need the passphrase again (unlockWorkspace).
 */
export function encryptWorkspaceAt(
  home: string,
  passphrase: string,
  actor: string,
  options: EncryptOptions = {},
): EncryptSummary {
  return encryptAndAudit(home, passphrase, actor, options).summary
}

/**
 * encryptWorkspaceAt, also returning the new key (the app goes on with the workspace unlocked;
 * the key stays in memory).
 */
export function encryptAndAudit(
  home: string,
  passphrase: string,
  actor: string,
  options: EncryptOptions = {},
): { summary: EncryptSummary; key: WorkspaceKey } {
  const outcome = encryptWorkspace(home, passphrase, options)
  const counts = Object.values(outcome.rows)
  const summary = {
    home: outcome.home,
    created: outcome.created,
    tables: counts.length,
    rows: counts.reduce((a, b) => a + b, 0),
  }
  const ws = openWorkspace(outcome.home, { key: outcome.key, migrations: options.migrations })
  try {
    writeAudit(ws.db, actor, 'workspace.encrypt', null, {
      tables: summary.tables,
      rows: summary.rows,
      created: summary.created,
    })
  } finally {
    ws.close()
  }
  return { summary, key: outcome.key }
}

/**
 * The checks of a new passphrase typed twice in the app: both the same, long enough. Each failure
 * is 'bad-input' naming the field, so the form can mark it.
 */
export function checkNewPassphrase(passphrase: string, confirm: string): void {
  const fail = (path: string, message: string) =>
    new CtsError('bad-input', message, { issues: [{ path: [path], message, fromSchema: false }] })
  if (passphrase.length < MIN_PASSPHRASE_LENGTH)
    throw fail(
      'passphrase',
      `The passphrase is too short: use at least ${MIN_PASSPHRASE_LENGTH} characters (a few unrelated words are best).`,
    )
  if (confirm !== passphrase)
    throw fail(
      'confirm',
      'The two passphrases are not the same: type the same passphrase in both fields.',
    )
}

/**
 * Checks `passphrase` against the workspace's key file (nothing is opened when it is wrong) and
 * remembers the key in this process, so every later open of `home` here uses it.
 */
export function unlockWorkspace(home: string, passphrase: string): WorkspaceKey {
  const key = unlockWorkspaceKey(home, passphrase)
  rememberWorkspaceKey(home, key)
  return key
}
