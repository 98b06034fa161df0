// Binds a workspace folder to a PostgreSQL server (`cts workspace connect`, the app's "Connect to a
// team workspace"): checks the server and its schema, then stores the binding and the password apart.
import { existsSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Database } from 'better-sqlite3'
import Driver from 'better-sqlite3-multiple-ciphers'
import { CtsError } from '../../shared'
import type { SecretStore } from '../../shared/secret-store'
import {
  describeTarget,
  parseTeamUrl,
  readTeamBinding,
  removeTeamBinding,
  writeTeamBinding,
  type TeamTarget,
} from '../team-binding'
import { WORKSPACE_FILE } from '../workspace'
import { isEncryptedWorkspace } from '../workspace-key'
import { checkOutsideFolder, FileSecretStore, secretKey } from './credentials'
import { connectTeamDatabase, prepareTeamSchema, serverFingerprint } from './open-team'
import { pgRepositories } from './repositories'

export interface ConnectTeamOptions {
  /** The password, when not in the URL (--password-file, the app's field). */
  password?: string
  /** Where the password is saved: the CLI's 0600 file unless given (the app: the keychain). */
  secrets?: SecretStore
  /** Who the team's audit log names for the connection. */
  actor: string
  announce?: (line: string) => void
}

export interface ConnectTeamOutcome {
  home: string
  target: TeamTarget
  /** Where the password was saved, or undefined when none was given (PGPASSFILE / ~/.pgpass). */
  passwordSavedIn?: string
  /** Projects the team workspace holds now (0 for a new one). */
  projects: number
}

/** How many projects the folder's local SQLite workspace holds (0 when it has none). */
function localProjectCount(home: string): number {
  const file = join(home, WORKSPACE_FILE)
  if (!existsSync(file)) return 0
  let db: Database | undefined
  try {
    db = new Driver(file, { readonly: true, fileMustExist: true })
    const table = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'projects'")
      .get()
    if (!table) return 0
    return (db.prepare('SELECT COUNT(*) AS n FROM projects').get() as { n: number }).n
  } finally {
    db?.close()
  }
}

/**
 * Refuses a folder whose local labels the binding would hide: after it, the folder opens the team
 * workspace, so a local workspace with projects (or an encrypted one) would silently disappear.
 */
function checkFolderFree(home: string): void {
  if (isEncryptedWorkspace(home))
    throw new CtsError(
      'conflict',
      `${home} already holds an encrypted local workspace; connecting would hide it. Choose an empty folder for the team workspace.`,
    )
  const n = localProjectCount(home)
  if (n > 0)
    throw new CtsError(
      'conflict',
      `${home} already holds a local workspace with ${n} project${n === 1 ? '' : 's'}; connecting would hide them. Choose an empty folder for the team workspace.`,
    )
}

/** Connects `home` to the server at `rawUrl` (postgres://user[:password]@host:port/db). */
export async function connectTeamWorkspace(
  home: string,
  rawUrl: string,
  options: ConnectTeamOptions,
): Promise<ConnectTeamOutcome> {
  const dir = resolve(home)
  const parsed = parseTeamUrl(rawUrl)
  const { target } = parsed
  const existing = readTeamBinding(dir)
  if (existing && parseTeamUrl(existing.url).url !== parsed.url)
    throw new CtsError(
      'conflict',
      `${dir} is already connected to ${describeTarget(parseTeamUrl(existing.url).target)}: run \`cts workspace disconnect\` first.`,
    )
  if (!existing) checkFolderFree(dir)
  if (options.password !== undefined && parsed.password !== undefined)
    throw new CtsError(
      'bad-input',
      'The password was given twice (in the address and apart): give it once, preferably with --password-file.',
    )
  const password = options.password ?? parsed.password
  const secrets = options.secrets ?? new FileSecretStore()
  if (secrets instanceof FileSecretStore && password !== undefined)
    checkOutsideFolder(secrets.where, dir)
  // A store that cannot be used (a credentials file others can read) fails before anything changes.
  if (password !== undefined) await secrets.get(secretKey(target))
  try {
    mkdirSync(dir, { recursive: true })
  } catch (err) {
    throw new CtsError(
      'bad-input',
      `The workspace folder ${dir} cannot be created: ${(err as Error).message}`,
    )
  }

  const { db } = await connectTeamDatabase(
    { url: parsed.url },
    { secrets, announce: options.announce, ...(password !== undefined ? { password } : {}) },
  )
  let projects: number
  let fingerprint: string | undefined
  try {
    await prepareTeamSchema(db, target)
    fingerprint = await serverFingerprint(db)
    const repos = pgRepositories(db, dir)
    projects = (await repos.projects.list()).length
    // On the server the entry names the login (issue #17 point 3: a member may only append entries
    // under their own login name), as boot's actor does on a team workspace.
    const login = await db.row<{ who: string }>('SELECT session_user::text AS who')
    await repos.audit.write(login?.who ?? options.actor, 'workspace.connect', null, {
      host: target.host,
      port: target.port,
      database: target.database,
      user: target.user,
    })
  } finally {
    await db.close()
  }
  // The password only once the server accepted it; the binding last (it is what opening looks at).
  if (password !== undefined) await secrets.set(secretKey(target), password)
  writeTeamBinding(dir, {
    url: parsed.url,
    boundAt: new Date().toISOString(),
    ...(fingerprint ? { serverFingerprint: fingerprint } : {}),
  })
  return {
    home: dir,
    target,
    ...(password !== undefined ? { passwordSavedIn: secrets.where } : {}),
    projects,
  }
}

/**
 * Unbinds `home` (the server's data stays); with `forgetPassword`, also removes the saved
 * password. Returns the server it was bound to, or undefined when it was not bound.
 */
export async function disconnectTeamWorkspace(
  home: string,
  options: { forgetPassword?: boolean; secrets?: SecretStore } = {},
): Promise<TeamTarget | undefined> {
  const dir = resolve(home)
  const binding = readTeamBinding(dir)
  if (!binding) return undefined
  const { target } = parseTeamUrl(binding.url)
  if (options.forgetPassword)
    await (options.secrets ?? new FileSecretStore()).delete(secretKey(target))
  removeTeamBinding(dir)
  return target
}
