// The team workspace for the entry points above the root (CLI, app backend): connect a folder to a
// PostgreSQL server, disconnect it, say where it is bound. The work is in main/store (pg/connect-team.ts).
import { resolve } from 'node:path'
import { CtsError } from '../shared'
import type { SecretStore } from '../shared/secret-store'
import { openTeamWorkspace, type TeamWorkspace } from '../store/pg/open-team'
import { scramSha256Verifier } from '../store/pg/scram-verifier'
import {
  addTeamMember,
  checkMemberName,
  listTeamMembers,
  removeTeamMember,
  TEAM_ROLES,
  type TeamMember,
  type TeamRole,
} from '../store/pg/team-members'
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

// Team members (issue #17 point 3): `cts workspace member add|list|remove`, run by a lead.
export { checkMemberName, TEAM_ROLES, type TeamMember, type TeamRole }

/** The team workspace `home` is bound to; members exist only there. */
async function openBoundTeam(home: string, secrets?: SecretStore): Promise<TeamWorkspace> {
  const binding = readTeamBinding(resolve(home))
  if (!binding) {
    throw new CtsError(
      'unsupported',
      `${home} is not connected to a team workspace: members belong to a team workspace on a server (run \`cts workspace connect postgres://…\` first).`,
    )
  }
  return openTeamWorkspace(home, binding, secrets ? { secrets } : {})
}

async function withTeam<T>(
  home: string,
  secrets: SecretStore | undefined,
  work: (ws: TeamWorkspace) => Promise<T>,
): Promise<T> {
  const ws = await openBoundTeam(home, secrets)
  try {
    return await work(ws)
  } finally {
    await ws.close()
  }
}

export interface MemberAdded {
  name: string
  role: TeamRole
  /** True when the login was created here (a password was given). */
  loginCreated: boolean
}

/**
 * Adds a member (or changes their team role). With a password the login is created with its
 * SCRAM verifier, computed here: the clear password never reaches the server or a log.
 */
export async function addMember(
  home: string,
  input: { name: string; role: TeamRole; password?: string },
  secrets?: SecretStore,
): Promise<MemberAdded> {
  checkMemberName(input.name)
  const verifier = input.password !== undefined ? scramSha256Verifier(input.password) : undefined
  await withTeam(home, secrets, (ws) =>
    addTeamMember(ws.pg, {
      name: input.name,
      role: input.role,
      ...(verifier !== undefined ? { verifier } : {}),
      by: ws.team.user,
    }),
  )
  return { name: input.name, role: input.role, loginCreated: verifier !== undefined }
}

/** Takes a member's rights away; their login stays on the server. */
export async function removeMember(
  home: string,
  name: string,
  secrets?: SecretStore,
): Promise<void> {
  checkMemberName(name)
  await withTeam(home, secrets, (ws) => removeTeamMember(ws.pg, name, ws.team.user))
}

/** The team's members (an annotator sees only themselves). */
export async function listMembers(home: string, secrets?: SecretStore): Promise<TeamMember[]> {
  return withTeam(home, secrets, (ws) => listTeamMembers(ws.pg))
}
