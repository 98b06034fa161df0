// The API token: generated when none is given, checked in constant time on every /predict call.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { MIN_TOKEN_LENGTH } from './limits'

/** 32 random bytes, URL-safe base64 (43 characters). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url')
}

/** Why a chosen token is unfit, or null. */
export function tokenProblem(token: string): string | null {
  if (token.length < MIN_TOKEN_LENGTH)
    return `The token must be at least ${MIN_TOKEN_LENGTH} characters long.`
  if (!/^[\x21-\x7e]+$/.test(token))
    return 'The token may hold only visible ASCII characters (no spaces).'
  return null
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest()

/**
 * True when the request carries `Authorization: Bearer <token>`. Both sides are hashed first, so
 * the comparison takes the same time whatever the presented token's length or content.
 */
export function hasBearerToken(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization
  const match = header ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null
  const presented = match ? match[1] : ''
  const equal = timingSafeEqual(digest(presented), digest(token))
  return match !== null && equal
}
