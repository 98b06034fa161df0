// The 'workspace/…' calls on an open workspace: status, unlock (which then only checks the
// passphrase) and encrypt. While an encrypted workspace is locked, lockable-boot.ts answers them
// instead; it also does the app's "Encrypt this workspace", which must close this connection.
import type { HandlersOf } from '../../preload/contract'
import { CtsError } from '../shared'
import type { Workspace } from '../store/workspace'
import { unlockWorkspaceKey } from '../store/workspace-key'
import { checkNewPassphrase } from './workspace-admin'

type WorkspaceCalls = 'workspace/status' | 'workspace/unlock' | 'workspace/encrypt'

/** The calls on an open workspace: unlocking again only checks the passphrase. */
export function workspaceHandlers(workspace: Workspace): HandlersOf<WorkspaceCalls> {
  const status = { encrypted: workspace.encrypted, locked: false }
  return {
    'workspace/status': async () => status,
    'workspace/unlock': async ({ passphrase }) => {
      if (!workspace.encrypted)
        throw new CtsError(
          'bad-input',
          'This workspace is not encrypted; there is nothing to unlock.',
        )
      unlockWorkspaceKey(workspace.home, passphrase)
      return status
    },
    // A backend from boot() cannot encrypt its own open database (the copy would race this
    // connection); the app's backend (lockableBoot) and `cts workspace encrypt` can.
    'workspace/encrypt': async ({ passphrase, confirm }) => {
      if (workspace.encrypted)
        throw new CtsError('conflict', 'This workspace is already encrypted.')
      checkNewPassphrase(passphrase, confirm)
      throw new CtsError(
        'unsupported',
        'This workspace cannot be encrypted while it is open here: close the other programs using it and run `cts workspace encrypt --passphrase-file FILE`.',
      )
    },
  }
}
