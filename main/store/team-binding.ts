// A workspace folder bound to a PostgreSQL server (a team workspace): <home>/team.json names the
// server without its password (the password lives apart: pg/credentials.ts), and when it was bound.
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { CtsError } from '../shared'
import { writeFileAtomic } from '../shared/atomic-file'

/** The binding's file in the workspace folder. */
export const TEAM_FILE = 'team.json'

export interface TeamBinding {
  /** postgres://user@host:port/db[?sslmode=…]: never a password. */
  url: string
  /** ISO time of `cts workspace connect`. */
  boundAt: string
  /** What identifies the server's workspace, when the server told us (checked on each open). */
  serverFingerprint?: string
}

/** Where a team workspace lives, as shown to people ("host:port/db as user"). */
export interface TeamTarget {
  host: string
  port: number
  database: string
  user: string
}

export interface ParsedTeamUrl {
  target: TeamTarget
  /** The URL without a password: what team.json keeps. */
  url: string
  /** The password the URL carried, if any (never stored in the folder, never printed). */
  password?: string
}

const URL_SHAPE = 'postgres://user@host:5432/database (the password apart, or after "user:")'

/** Connection options a team URL may carry; anything else is refused (typos, or a password). */
const ALLOWED_PARAMS = new Set([
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'application_name',
  'connect_timeout',
])

/** Parses postgres://user[:password]@host[:port]/database[?sslmode=…]; errors never echo it whole. */
export function parseTeamUrl(raw: string): ParsedTeamUrl {
  let url: URL
  try {
    url = new URL(raw.trim())
  } catch {
    throw new CtsError('bad-input', `The server address is not a URL: write it as ${URL_SHAPE}.`)
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new CtsError(
      'bad-input',
      `The server address must start with postgres:// (got "${url.protocol}//"): write it as ${URL_SHAPE}.`,
    )
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const user = decodeURIComponent(url.username)
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''))
  const missing = [!host && 'a host', !user && 'a user name', !database && 'a database name']
    .filter(Boolean)
    .join(', ')
  if (missing)
    throw new CtsError(
      'bad-input',
      `The server address needs ${missing}: write it as ${URL_SHAPE}.`,
    )
  if (database.includes('/'))
    throw new CtsError(
      'bad-input',
      `The database name cannot contain "/": write it as ${URL_SHAPE}.`,
    )
  const port = url.port ? Number(url.port) : 5432
  const params = new URLSearchParams()
  for (const [key, value] of url.searchParams) {
    if (key === 'password')
      throw new CtsError(
        'bad-input',
        'Give the password after "user:" in the address or with --password-file, not as ?password=.',
      )
    if (!ALLOWED_PARAMS.has(key))
      throw new CtsError(
        'bad-input',
        `The server address has an option this program does not use: "${key}". Allowed: ${[...ALLOWED_PARAMS].join(', ')}.`,
      )
    params.append(key, value)
  }
  const hostPart = host.includes(':') ? `[${host}]` : host
  const query = params.toString()
  const clean =
    `postgres://${encodeURIComponent(user)}@${hostPart}:${port}/${encodeURIComponent(database)}` +
    (query ? `?${query}` : '')
  const password = url.password ? decodeURIComponent(url.password) : undefined
  return { target: { host, port, database, user }, url: clean, ...(password ? { password } : {}) }
}

/** "host:port/db as user", for status lines and messages. */
export function describeTarget(t: TeamTarget): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host
  return `${host}:${t.port}/${t.database} as ${t.user}`
}

/** The folder's binding, or undefined for a local (SQLite) workspace. */
export function readTeamBinding(home: string): TeamBinding | undefined {
  const file = join(home, TEAM_FILE)
  if (!existsSync(file)) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    // Not the parser's message: V8 quotes part of the text, which a hand-edited file may make a password.
    throw new CtsError(
      'bad-input',
      `${file} is not valid JSON: run \`cts workspace disconnect\` and connect again.`,
    )
  }
  const b = parsed as Partial<TeamBinding>
  if (typeof b?.url !== 'string' || typeof b.boundAt !== 'string')
    throw new CtsError(
      'bad-input',
      `${file} does not name a server (it needs "url" and "boundAt"): run \`cts workspace disconnect\` and connect again.`,
    )
  // A hand-edited file with a password in it is refused: the folder must never hold one.
  const { password } = parseTeamUrl(b.url)
  if (password)
    throw new CtsError(
      'bad-input',
      `${file} holds a password: remove the file, run \`cts workspace connect\` again, and change that password on the server.`,
    )
  return {
    url: b.url,
    boundAt: b.boundAt,
    ...(typeof b.serverFingerprint === 'string' ? { serverFingerprint: b.serverFingerprint } : {}),
  }
}

/** True when the folder is bound to a server. */
export function isTeamWorkspace(home: string): boolean {
  return existsSync(join(home, TEAM_FILE))
}

/** Writes the binding (never with a password: the URL must come from parseTeamUrl). */
export function writeTeamBinding(home: string, binding: TeamBinding): void {
  if (parseTeamUrl(binding.url).password)
    throw new CtsError('internal', 'A team binding must not hold a password.')
  writeFileAtomic(join(home, TEAM_FILE), JSON.stringify(binding, null, 2) + '\n')
}

/** Removes the binding; true when there was one. The server's data is untouched. */
export function removeTeamBinding(home: string): boolean {
  const file = join(home, TEAM_FILE)
  if (!existsSync(file)) return false
  rmSync(file)
  return true
}
