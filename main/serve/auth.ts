// The API token: generated when none is given; the bearer token a request presents (the server
// compares it in constant time, with the session token and the named tokens' hashes).
import { randomBytes } from 'node:crypto'
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

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization
  const match = header ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null
  return match?.[1]
}

/**
 * The audit name of the single --token / $CTS_TOKEN / generated token; parentheses keep it apart
 * from every named token (tokenNameProblem allows none).
 */
export const SESSION_TOKEN_NAME = '(session)'

/** The audit name under which /predict requests without a valid token are counted. */
export const UNKNOWN_TOKEN_NAME = '(unknown)'
