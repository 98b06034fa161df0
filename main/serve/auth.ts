// The API token: generated when none is given, checked in constant time on every /predict call.
import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { tokensEqual } from '../shared/http-body'
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

/** True when the request carries `Authorization: Bearer <token>` (compared in constant time). */
export function hasBearerToken(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization
  const match = header ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null
  return tokensEqual(match?.[1], token)
}
