// The passphrase of an encrypted workspace: scrypt turns it into the 32-byte workspace secret. The
// key file (<home>/workspace-key.json) holds the scrypt parameters, the salt and a check value;
// never the passphrase, never the key. The check value lets a wrong passphrase fail before the
// database is touched.
import {
  createHmac,
  hkdfSync,
  randomBytes,
  scryptSync,
  timingSafeEqual,
  type BinaryLike,
} from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { CtsError } from '../shared'
import { writeFileAtomic } from '../shared/atomic-file'
import { forgetArtifactKeys } from '../shared/artifact-crypto'

/** <home>/workspace-key.json: present exactly when the workspace is encrypted. */
export const KEY_FILE = 'workspace-key.json'
/** The key file of an encryption that has not committed yet (see workspace-encrypt.ts). */
export const PENDING_KEY_FILE = 'workspace-key.json.new'
/** The environment variable every process reads the passphrase file's path from. */
export const PASSPHRASE_FILE_ENV = 'CTS_PASSPHRASE_FILE'

const KEY_FORMAT = 'cts-workspace-key/1'
const KEY_BYTES = 32
const SALT_BYTES = 16
const CHECK_CONSTANT = 'cts-workspace-key-check/1'

/**
 * scrypt cost. N = 2^17, r = 8, p = 1 is OWASP's recommended minimum for scrypt: 128 MiB of memory
 * and about 0.2–0.5 s on a current laptop, once per unlock. That is unnoticeable to the clinician
 * and makes each guess of a stolen laptop's passphrase cost the attacker the same 128 MiB and time.
 */
export const DEFAULT_SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const
export type ScryptCost = { N: number; r: number; p: number }

/** The shortest passphrase `cts workspace encrypt` accepts. */
export const MIN_PASSPHRASE_LENGTH = 8

export const WRONG_PASSPHRASE =
  'The passphrase does not unlock this workspace; nothing was changed.'

interface KeyFileJson {
  format: typeof KEY_FORMAT
  /** The SQLite3MultipleCiphers scheme the database uses (SQLCipher-compatible). */
  cipher: 'sqlcipher'
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string; keyLength: number }
  /** HMAC-SHA256 of CHECK_CONSTANT under the derived key, hex. */
  check: string
}

/** The unlocked secrets of an encrypted workspace. Kept in memory only. */
export interface WorkspaceKey {
  /** Raw SQLCipher key of workspace.sqlite (the scrypt output itself). */
  db: Buffer
  /** AES-256-GCM key of the run artifacts: HKDF-SHA256(secret, info 'cts-artifacts'). */
  artifacts: Buffer
}

/** True when <home> holds an encrypted workspace (its key file exists). */
export function isEncryptedWorkspace(home: string): boolean {
  return existsSync(join(resolve(home), KEY_FILE))
}

/**
 * Reads a passphrase file: it must be a regular file (not a folder, pipe or device); one trailing
 * newline (\n or \r\n) is dropped, as editors and `echo` add one.
 */
export function readPassphraseFile(
  path: string,
  flag = '--passphrase-file',
  /** D2 (issue #17): `cts workspace connect --password-file` reads a 'password' the same way. */
  noun: 'passphrase' | 'password' = 'passphrase',
): string {
  const file = resolve(path)
  let isFile = false
  try {
    isFile = statSync(file).isFile()
  } catch {
    throw new CtsError('not-found', `${flag}: the ${noun} file ${file} was not found.`)
  }
  if (!isFile)
    throw new CtsError(
      'bad-input',
      `${flag}: ${file} is not a regular file; give a file that holds the ${noun}.`,
    )
  const text = readFileSync(file, 'utf8').replace(/\r?\n$/, '')
  if (text.length === 0)
    throw new CtsError('bad-input', `${flag}: the ${noun} file ${file} is empty.`)
  return text
}

function checkValue(secret: Buffer): string {
  return createHmac('sha256', secret).update(CHECK_CONSTANT).digest('hex')
}

function scrypt(passphrase: BinaryLike, salt: Buffer, cost: ScryptCost): Buffer {
  // maxmem must exceed 128·N·r bytes; Node's default (32 MiB) is below the 128 MiB of N = 2^17.
  return scryptSync(passphrase, salt, KEY_BYTES, { ...cost, maxmem: 256 * cost.N * cost.r })
}

function keysOf(secret: Buffer): WorkspaceKey {
  const artifacts = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'cts-artifacts', 32))
  return { db: secret, artifacts }
}

function parseKeyFile(file: string): KeyFileJson {
  let parsed: KeyFileJson
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as KeyFileJson
  } catch (err) {
    throw new CtsError(
      'bad-input',
      `The workspace key file ${file} cannot be read (${(err as Error).message}); restore it from a backup of the workspace folder.`,
    )
  }
  const kdf = parsed?.kdf
  const valid =
    parsed?.format === KEY_FORMAT &&
    kdf?.name === 'scrypt' &&
    [kdf.N, kdf.r, kdf.p].every((n) => Number.isInteger(n) && n > 0) &&
    kdf.keyLength === KEY_BYTES &&
    typeof kdf.salt === 'string' &&
    typeof parsed.check === 'string'
  if (!valid)
    throw new CtsError(
      'unsupported',
      `The workspace key file ${file} is not one this version of Clinical Text Studio understands; restore it from a backup of the workspace folder.`,
    )
  return parsed
}

/**
 * The keys of the encrypted workspace in `home` for `passphrase`. Throws CtsError('forbidden',
 * WRONG_PASSPHRASE) when the check value does not match: nothing has been opened or written then.
 */
export function unlockWorkspaceKey(home: string, passphrase: string): WorkspaceKey {
  const file = join(resolve(home), KEY_FILE)
  if (!existsSync(file))
    throw new CtsError('bad-input', `The workspace in ${resolve(home)} is not encrypted.`)
  const json = parseKeyFile(file)
  const { N, r, p, salt } = json.kdf
  const secret = scrypt(passphrase, Buffer.from(salt, 'base64'), { N, r, p })
  const expected = Buffer.from(json.check, 'hex')
  const actual = Buffer.from(checkValue(secret), 'hex')
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual))
    throw new CtsError('forbidden', WRONG_PASSPHRASE)
  return keysOf(secret)
}

/**
 * A new random salt and the keys for `passphrase`, with the key file's text (written by the caller
 * at its commit point: see workspace-encrypt.ts).
 */
export function newWorkspaceKey(
  passphrase: string,
  cost: ScryptCost = DEFAULT_SCRYPT,
): { key: WorkspaceKey; keyFileText: string } {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH)
    throw new CtsError(
      'bad-input',
      `The passphrase is too short: use at least ${MIN_PASSPHRASE_LENGTH} characters (a few unrelated words are best).`,
    )
  const salt = randomBytes(SALT_BYTES)
  const secret = scrypt(passphrase, salt, cost)
  const json: KeyFileJson = {
    format: KEY_FORMAT,
    cipher: 'sqlcipher',
    kdf: { name: 'scrypt', ...cost, salt: salt.toString('base64'), keyLength: KEY_BYTES },
    check: checkValue(secret),
  }
  return { key: keysOf(secret), keyFileText: JSON.stringify(json, null, 2) + '\n' }
}

/** Writes the key file text atomically to `path`. */
export function writeKeyFile(path: string, text: string): void {
  writeFileAtomic(path, text)
}

// Keys unlocked in this process, by workspace folder: the CLI's --passphrase-file and the app's
// unlock dialog unlock once; every later open of the same workspace in the process uses the key.
const unlocked = new Map<string, WorkspaceKey>()

// Workspaces whose passphrase-file unlock this process has already written to the audit log.
const auditedUnlocks = new Set<string>()

/**
 * True the first time in this process that `home` is unlocked with a passphrase file (the caller
 * then writes the one 'unlock' audit entry); false after that.
 */
export function firstPassphraseFileUnlock(home: string): boolean {
  const dir = resolve(home)
  if (auditedUnlocks.has(dir)) return false
  auditedUnlocks.add(dir)
  return true
}

/** Remembers an unlocked key for `home` in this process (never on disk). */
export function rememberWorkspaceKey(home: string, key: WorkspaceKey): void {
  unlocked.set(resolve(home), key)
}

/** Forgets every remembered key (tests; the app on lock). */
export function forgetWorkspaceKeys(): void {
  unlocked.clear()
  auditedUnlocks.clear()
  forgetArtifactKeys()
}

/**
 * The key to open the workspace in `home` with: none for a plain workspace; for an encrypted one the
 * passphrase file named by $CTS_PASSPHRASE_FILE (an explicit passphrase wins), else the key
 * unlocked earlier in this process. A locked workspace without either fails saying how to unlock.
 */
export function workspaceKeyFor(home: string): WorkspaceKey | undefined {
  return workspaceKeyAndSource(home)?.key
}

/** How an open found its key: a passphrase file (an unlock to audit) or one unlocked before. */
export type KeySource = 'passphrase-file' | 'remembered'

/** workspaceKeyFor, also saying where the key came from. */
export function workspaceKeyAndSource(
  home: string,
): { key: WorkspaceKey; via: KeySource } | undefined {
  if (!isEncryptedWorkspace(home)) return undefined
  const fromEnv = process.env[PASSPHRASE_FILE_ENV]
  if (fromEnv)
    return {
      key: unlockWorkspaceKey(home, readPassphraseFile(fromEnv, PASSPHRASE_FILE_ENV)),
      via: 'passphrase-file',
    }
  const remembered = unlocked.get(resolve(home))
  if (remembered) return { key: remembered, via: 'remembered' }
  throw new CtsError(
    'forbidden',
    `The workspace in ${resolve(home)} is encrypted: give its passphrase with --passphrase-file FILE or $${PASSPHRASE_FILE_ENV}, or unlock it in the app.`,
  )
}
