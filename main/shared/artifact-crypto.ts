// Run artifacts of an encrypted workspace (issue #15 point 2): AES-256-GCM files under the
// workspace's artifact key (HKDF of the workspace secret, info 'cts-artifacts'; workspace-key.ts).
// Layout: magic 'CTSA' | version 1 | 12-byte nonce | ciphertext | 16-byte tag; the header is the
// additional authenticated data, so a changed byte anywhere makes the file unreadable, not wrong.
// In main/shared, not main/store: job processes and reports (which may not import the store)
// write and read artifacts too.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve, sep } from 'node:path'
import { CtsError } from './errors'
import { writeFileAtomic, writeNewFileAtomic } from './atomic-file'

const MAGIC = Buffer.from('CTSA', 'latin1')
const VERSION = 1
const HEADER = MAGIC.length + 1
const NONCE_BYTES = 12
const TAG_BYTES = 16

/** True when `data` is an encrypted artifact (starts with the magic and a known version). */
export function isEncryptedArtifact(data: Uint8Array): boolean {
  return (
    data.length >= HEADER + NONCE_BYTES + TAG_BYTES &&
    Buffer.from(data.subarray(0, MAGIC.length)).equals(MAGIC) &&
    data[MAGIC.length] === VERSION
  )
}

function checkKey(key: Uint8Array): void {
  if (key.length !== 32)
    throw new CtsError('internal', 'The artifact key must be 32 bytes (AES-256).')
}

/** Encrypts `plaintext` under `key` with a fresh random nonce. */
export function encryptArtifact(key: Uint8Array, plaintext: Uint8Array | string): Buffer {
  checkKey(key)
  const header = Buffer.concat([MAGIC, Buffer.from([VERSION])])
  const nonce = randomBytes(NONCE_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, nonce)
  cipher.setAAD(header)
  const body = Buffer.concat([
    cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext),
    cipher.final(),
  ])
  return Buffer.concat([header, nonce, body, cipher.getAuthTag()])
}

/** Decrypts an encrypted artifact; `what` names it in the message when it fails. */
export function decryptArtifact(key: Uint8Array, data: Uint8Array, what: string): Buffer {
  checkKey(key)
  if (!isEncryptedArtifact(data))
    throw new CtsError('bad-input', `${what} is not an encrypted artifact of this workspace.`)
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  const nonce = buf.subarray(HEADER, HEADER + NONCE_BYTES)
  const tag = buf.subarray(buf.length - TAG_BYTES)
  const decipher = createDecipheriv('aes-256-gcm', key, nonce)
  decipher.setAAD(buf.subarray(0, HEADER))
  decipher.setAuthTag(tag)
  try {
    return Buffer.concat([
      decipher.update(buf.subarray(HEADER + NONCE_BYTES, buf.length - TAG_BYTES)),
      decipher.final(),
    ])
  } catch {
    throw new CtsError(
      'bad-input',
      `${what} cannot be decrypted with this workspace's key: it was changed or damaged, or belongs to another workspace.`,
    )
  }
}

/**
 * An artifact's bytes: decrypted when it is encrypted (a key is then required), as stored when
 * it is not (a plain workspace, or a run written before the workspace was encrypted).
 */
export function readArtifactFile(path: string, key: Uint8Array | undefined): Buffer {
  const data = readFileSync(path)
  if (!isEncryptedArtifact(data)) return data
  if (!key)
    throw new CtsError(
      'forbidden',
      `${path} is encrypted and the workspace is locked: unlock it with its passphrase first.`,
    )
  return decryptArtifact(key, data, path)
}

// The artifact keys of the encrypted workspaces this process works on, by workspace folder: the
// backend registers one when it opens the workspace, a job process when its host starts it. A file
// under a registered folder is written encrypted; files elsewhere (exports the user asked for, a
// plain workspace's runs) are written as they are. Kept in memory only.
const keysByHome = new Map<string, Uint8Array>()

/** Files under `home` are artifacts of an encrypted workspace with this key (from now on). */
export function registerArtifactKey(home: string, key: Uint8Array): void {
  checkKey(key)
  keysByHome.set(resolve(home), key)
}

/** Forgets every registered key (tests; the app when it locks). */
export function forgetArtifactKeys(): void {
  keysByHome.clear()
}

/** The key for a file: that of the registered workspace folder it lies in, else undefined. */
export function artifactKeyFor(path: string): Uint8Array | undefined {
  const file = resolve(path)
  let best: string | undefined
  for (const home of keysByHome.keys())
    if (file.startsWith(home + sep) && (!best || home.length > best.length)) best = home
  return best === undefined ? undefined : keysByHome.get(best)
}

/** An artifact's bytes with the key of the workspace it lies in (see readArtifactFile). */
export function readArtifact(path: string): Buffer {
  return readArtifactFile(path, artifactKeyFor(path))
}

/** writeFileAtomic, encrypting first when `key` is given (an encrypted workspace). */
export function writeArtifactAtomic(
  path: string,
  data: Uint8Array | string,
  key: Uint8Array | undefined,
): void {
  writeFileAtomic(path, key ? encryptArtifact(key, data) : data)
}

/** writeNewFileAtomic (never replaces a file), encrypting first when `key` is given. */
export function writeNewArtifactAtomic(
  path: string,
  data: Uint8Array | string,
  key: Uint8Array | undefined,
): void {
  writeNewFileAtomic(path, key ? encryptArtifact(key, data) : data)
}
