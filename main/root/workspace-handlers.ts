// The 'workspace/…' calls on an open workspace: status, unlock (which then only checks the
// passphrase) and encrypt. While an encrypted workspace is locked, lockable-boot.ts answers them
// instead; it also does the app's "Encrypt this workspace", which must close this connection.
import type { HandlersOf, TeamWorkspaceDto, WorkspaceStatusDto } from '../../preload/contract'
import { CtsError } from '../shared'
import type { AnyWorkspace } from '../store/pg/open-team'
import { unlockWorkspaceKey } from '../store/workspace-key'
import { checkNewPassphrase } from './workspace-admin'

type WorkspaceCalls =
  'workspace/status' | 'workspace/unlock' | 'workspace/encrypt' | 'workspace/connect'

/** Encryption is the local SQLite file's: a team server protects its data itself (D2, #17). */
export function teamNotEncryptable(): CtsError {
  return new CtsError(
    'unsupported',
    'This is a team workspace on a server: encryption applies to a local workspace only (the server protects its data with TLS and its own access rules).',
  )
}

/** The server of a team workspace, as the status shows it (no password, no URL options). */
export function teamDto(t: TeamWorkspaceDto): TeamWorkspaceDto {
  return { host: t.host, port: t.port, database: t.database, user: t.user }
}

/** The calls on an open workspace: unlocking again only checks the passphrase. */
export function workspaceHandlers(workspace: AnyWorkspace): HandlersOf<WorkspaceCalls> {
  const status: WorkspaceStatusDto =
    workspace.kind === 'team'
      ? { encrypted: false, locked: false, team: teamDto(workspace.team) }
      : { encrypted: workspace.encrypted, locked: false }
  return {
    // A team workspace's status says whether its server answers right now (#17 point 5).
    'workspace/status': async () => {
      const connection = workspace.kind === 'team' ? workspace.pg.connection : undefined
      return connection && status.team
        ? { ...status, team: { ...status.team, connection: connection.status() } }
        : status
    },
    'workspace/unlock': async ({ passphrase }) => {
      if (workspace.kind === 'team') throw teamNotEncryptable()
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
      if (workspace.kind === 'team') throw teamNotEncryptable()
      if (workspace.encrypted)
        throw new CtsError('conflict', 'This workspace is already encrypted.')
      checkNewPassphrase(passphrase, confirm)
      throw new CtsError(
        'unsupported',
        'This workspace cannot be encrypted while it is open here: close the other programs using it and run `cts workspace encrypt --passphrase-file FILE`.',
      )
    },
    // Like encrypt: a backend from boot() cannot swap its own open workspace; the app's can.
    'workspace/connect': async () => {
      if (workspace.kind === 'team')
        throw new CtsError(
          'conflict',
          `This workspace is already a team workspace on ${workspace.team.host}:${workspace.team.port}/${workspace.team.database}.`,
        )
      throw new CtsError(
        'unsupported',
        'This workspace cannot be connected to a server while it is open here: close the other programs using it and run `cts workspace connect postgres://user@host:5432/database`.',
      )
    },
  }
}
