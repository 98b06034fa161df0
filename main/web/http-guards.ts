// Request checks of the loopback bridge: Host (DNS rebinding), Origin (other sites), the session
// token (other local processes) and the body size limit. Each returns a reason or null.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** Largest request body accepted: base64 file uploads of big spreadsheets fit, anything else not. */
export const MAX_BODY_BYTES = 200 * 1024 * 1024

/** The cookie is per port: cookies do not separate ports, and two bridges may run side by side. */
export function tokenCookieName(port: number): string {
  return `cts_token_${port}`
}

/** Null when Host names this bridge on loopback; otherwise why not. */
export function checkHost(req: IncomingMessage, port: number): string | null {
  const host = (req.headers.host ?? '').toLowerCase()
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`
    ? null
    : 'This server answers only to 127.0.0.1 and localhost.'
}

/** Null when there is no Origin (same-origin GET, curl) or it is this bridge's own origin. */
export function checkOrigin(req: IncomingMessage): string | null {
  const origin = req.headers.origin
  if (origin === undefined) return null
  return origin === `http://${(req.headers.host ?? '').toLowerCase()}`
    ? null
    : 'Requests from other web pages are refused.'
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>()
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  return cookies
}

/** The token from the HttpOnly cookie (the page) or an Authorization: Bearer header (tools, tests). */
export function presentedToken(req: IncomingMessage, port: number): string | undefined {
  const auth = req.headers.authorization
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim()
  return parseCookies(req.headers.cookie).get(tokenCookieName(port))
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest()

/**
 * True when a token was presented and equals `token`. Both sides are hashed first, so the
 * comparison takes the same time whatever the presented token's length or content. The
 * prediction server checks its API token with the same function.
 */
export function tokensEqual(presented: string | undefined, token: string): boolean {
  const equal = timingSafeEqual(digest(presented ?? ''), digest(token))
  return !!presented && equal
}

export class BodyTooLargeError extends Error {}

/**
 * Reads the whole body, rejecting with `tooLarge()` as soon as it passes `limit` bytes (the rest is
 * read and dropped). The prediction server shares it with its own error.
 */
export function readBody(
  req: IncomingMessage,
  limit = MAX_BODY_BYTES,
  tooLarge: () => Error = () => new BodyTooLargeError(),
): Promise<Buffer> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge())
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= limit) return void chunks.push(chunk)
      req.off('data', onData)
      req.resume()
      reject(tooLarge())
    }
    req.on('data', onData)
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}
