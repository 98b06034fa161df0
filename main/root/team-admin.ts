// The team workspace for the entry points above the root (CLI, app backend): connect a folder to a
// PostgreSQL server, disconnect it, say where it is bound. The work is in main/store (pg/connect-team.ts).
import type { SecretStore } from '../shared/secret-store'
import { FileSecretStore, findTeamPassword, pgpassFile } from '../store/pg/credentials'
import {
  describeTarget,
  parseTeamUrl,
  readTeamBinding,
  type TeamTarget,
} from '../store/team-binding'

export {
  connectTeamWorkspace,
  disconnectTeamWorkspace,
  type ConnectTeamOutcome,
} from '../store/pg/connect-team'
export { readPasswordFile, credentialsFile, CREDENTIALS_ENV } from '../store/pg/credentials'
export { describeTarget, isTeamWorkspace, type TeamTarget } from '../store/team-binding'

export interface TeamStatus {
  target: TeamTarget
  boundAt: string
  /** Where the password is (a file or the pgpass file), or why it cannot be used; never the password. */
  password: string
}

/** The folder's team binding for `cts workspace status`, or undefined for a local workspace. */
export async function teamStatus(
  home: string,
  secrets: SecretStore = new FileSecretStore(),
): Promise<TeamStatus | undefined> {
  const binding = readTeamBinding(home)
  if (!binding) return undefined
  const { target } = parseTeamUrl(binding.url)
  let password: string
  try {
    const found = await findTeamPassword(target, secrets)
    password =
      found === undefined
        ? 'no password stored (the server must not need one, or connect again)'
        : found.from === 'pgpass'
          ? `password from ${pgpassFile()}`
          : `password stored in ${secrets.where}`
  } catch (err) {
    password = (err as Error).message
  }
  return { target, boundAt: binding.boundAt, password }
}

/** "team workspace on host:port/db as user". */
export function teamLine(target: TeamTarget): string {
  return `team workspace on ${describeTarget(target)}`
}
