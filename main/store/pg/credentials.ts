// The team server's password for the CLI: in a file only its owner can read (0600), in the user's
// config folder — never in the workspace folder — or in the standard PGPASSFILE / ~/.pgpass.
// node-postgres's own pgpass support is deprecated (pg@9 drops it), so the libpq format is read here.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, relative, resolve, isAbsolute } from 'node:path'
import { CtsError } from '../../shared'
import { writeOwnerOnlyFile } from '../../shared/owner-only-file'
import type { SecretStore } from '../../shared/secret-store'
import type { TeamTarget } from '../team-binding'
import { readPassphraseFile } from '../workspace-key'

/** Tests (and people who keep it elsewhere) point the CLI's credentials file here. */
export const CREDENTIALS_ENV = 'CTS_TEAM_CREDENTIALS'

type Env = Record<string, string | undefined>

/** The CLI's credentials file: $CTS_TEAM_CREDENTIALS, else the per-user config folder. */
export function credentialsFile(env: Env = process.env, platform = process.platform): string {
  if (env[CREDENTIALS_ENV]) return resolve(env[CREDENTIALS_ENV]!)
  const config =
    platform === 'win32'
      ? env.APPDATA || join(homedir(), 'AppData', 'Roaming')
      : env.XDG_CONFIG_HOME || join(homedir(), '.config')
  return join(config, 'clinical-text-studio', 'team-credentials.json')
}

/** The key a password is saved under: one per server, database and user. */
export function secretKey(t: TeamTarget): string {
  return `${t.user}@${t.host}:${t.port}/${t.database}`
}

/** Refuses a secrets file other users of this computer can read (as libpq does for .pgpass). */
export function checkOwnerOnly(file: string, platform = process.platform): void {
  // Windows has no POSIX modes: the file sits in the user's own profile folder.
  if (platform === 'win32') return
  const mode = statSync(file).mode & 0o777
  if (mode & 0o077)
    throw new CtsError(
      'forbidden',
      `${file} holds database passwords but other users of this computer can read it (mode ${mode.toString(8).padStart(4, '0')}); it was not used. Make it yours alone: chmod 600 ${file}`,
    )
}

/** Refuses a credentials file inside the workspace folder: the folder may be shared or copied. */
export function checkOutsideFolder(file: string, home: string): void {
  const rel = relative(resolve(home), resolve(file))
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel)))
    throw new CtsError(
      'bad-input',
      `The credentials file ${file} is inside the workspace folder ${home}; passwords must never be kept there. Point $${CREDENTIALS_ENV} elsewhere.`,
    )
}

interface CredentialsFileShape {
  version: 1
  passwords: Record<string, string>
}

/** The CLI's SecretStore: a JSON file of passwords, mode 0600, outside every workspace folder. */
export class FileSecretStore implements SecretStore {
  constructor(readonly where: string = credentialsFile()) {}

  private read(): CredentialsFileShape {
    if (!existsSync(this.where)) return { version: 1, passwords: {} }
    checkOwnerOnly(this.where)
    try {
      const parsed = JSON.parse(readFileSync(this.where, 'utf8')) as Partial<CredentialsFileShape>
      if (parsed && typeof parsed.passwords === 'object' && parsed.passwords !== null)
        return { version: 1, passwords: { ...parsed.passwords } }
    } catch {
      /* reported below, without the file's content */
    }
    throw new CtsError(
      'bad-input',
      `${this.where} is not a credentials file this program wrote; move it away and connect again.`,
    )
  }

  async get(key: string): Promise<string | undefined> {
    const value = this.read().passwords[key]
    return typeof value === 'string' ? value : undefined
  }

  async set(key: string, secret: string): Promise<void> {
    const data = this.read()
    data.passwords[key] = secret
    writeOwnerOnlyFile(this.where, JSON.stringify(data, null, 2) + '\n')
  }

  async delete(key: string): Promise<boolean> {
    const data = this.read()
    if (!(key in data.passwords)) return false
    delete data.passwords[key]
    writeOwnerOnlyFile(this.where, JSON.stringify(data, null, 2) + '\n')
    return true
  }
}

/** libpq's password file: $PGPASSFILE, else ~/.pgpass (%APPDATA%\postgresql\pgpass.conf). */
export function pgpassFile(env: Env = process.env, platform = process.platform): string {
  if (env.PGPASSFILE) return resolve(env.PGPASSFILE)
  if (platform === 'win32')
    return join(env.APPDATA || join(homedir(), 'AppData', 'Roaming'), 'postgresql', 'pgpass.conf')
  return join(homedir(), '.pgpass')
}

/** One line's five fields, with libpq's escapes (\: and \\) undone; undefined when malformed. */
function pgpassFields(line: string): string[] | undefined {
  const fields: string[] = []
  let current = ''
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (c === '\\' && i + 1 < line.length) current += line[++i]
    else if (c === ':' && fields.length < 4) {
      fields.push(current)
      current = ''
    } else current += c
  }
  fields.push(current)
  return fields.length === 5 ? fields : undefined
}

/** The password the first matching line of a pgpass file gives (`*` matches anything). */
export function pgpassPassword(
  target: TeamTarget,
  env: Env = process.env,
  platform = process.platform,
): string | undefined {
  const file = pgpassFile(env, platform)
  if (!existsSync(file)) return undefined
  checkOwnerOnly(file, platform)
  const wanted = [target.host, String(target.port), target.database, target.user]
  for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
    if (!raw.trim() || raw.startsWith('#')) continue
    const fields = pgpassFields(raw)
    if (!fields) continue
    if (wanted.every((w, i) => fields[i] === '*' || fields[i] === w)) return fields[4]
  }
  return undefined
}

/** Where a password was found, for the status line (never the password itself). */
export type PasswordSource = 'credentials-file' | 'pgpass' | 'keychain'

/** The password for `target`: the secret store first, then the pgpass file; undefined if none. */
export async function findTeamPassword(
  target: TeamTarget,
  store: SecretStore = new FileSecretStore(),
  env: Env = process.env,
): Promise<{ password: string; from: PasswordSource } | undefined> {
  const saved = await store.get(secretKey(target))
  if (saved !== undefined)
    return {
      password: saved,
      from: store instanceof FileSecretStore ? 'credentials-file' : 'keychain',
    }
  const fromPgpass = pgpassPassword(target, env)
  return fromPgpass !== undefined ? { password: fromPgpass, from: 'pgpass' } : undefined
}

/** Replaces every occurrence of `secret` in `text` (errors from the driver, as defence in depth). */
export function redact(text: string, secret: string | undefined): string {
  if (!secret) return text
  return text.split(secret).join('•••')
}

/** Reads --password-file: a regular, non-empty file; one trailing newline is dropped. */
export function readPasswordFile(path: string, flag = '--password-file'): string {
  return readPassphraseFile(path, flag, 'password')
}
