// The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802 / RFC 7677), computed on
// this computer so `CREATE ROLE … PASSWORD '<verifier>'` never sends the clear password anywhere.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto'

/** PostgreSQL's own defaults (scram_iterations = 4096, a 16-byte salt). */
export const SCRAM_ITERATIONS = 4096
const SALT_BYTES = 16

// SASLprep (RFC 4013) as PostgreSQL's clients apply it before PBKDF2 — libpq and node-postgres
// map non-ASCII spaces to U+0020, drop "commonly mapped to nothing" characters and apply NFKC —
// so a password typed with such characters logs in from both.
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g
// Combining marks and joiners on purpose (the RFC removes them because they combine).
const MAPPED_TO_NOTHING =
  // eslint-disable-next-line no-misleading-character-class
  /[\u00AD\u034F\u1806\u180B\u180C\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g

export function saslPrep(password: string): string {
  return password.replace(NON_ASCII_SPACE, ' ').replace(MAPPED_TO_NOTHING, '').normalize('NFKC')
}

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest()

/**
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (base64), the form pg_authid keeps.
 * `salt` is for tests (a fixed vector); leave it out to draw a random one.
 */
export function scramSha256Verifier(
  password: string,
  opts: { salt?: Buffer; iterations?: number } = {},
): string {
  const salt = opts.salt ?? randomBytes(SALT_BYTES)
  const iterations = opts.iterations ?? SCRAM_ITERATIONS
  const salted = pbkdf2Sync(Buffer.from(saslPrep(password), 'utf8'), salt, iterations, 32, 'sha256')
  const storedKey = createHash('sha256').update(hmac(salted, 'Client Key')).digest()
  const serverKey = hmac(salted, 'Server Key')
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`
}

/** True for a string of exactly that form (what `member add` puts into the SQL it sends). */
export function isScramVerifier(s: string): boolean {
  return /^SCRAM-SHA-256\$\d+:[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*:[A-Za-z0-9+/]+=*$/.test(s)
}
