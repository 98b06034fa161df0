// Request checks of the loopback bridge: Host (DNS rebinding), Origin (other sites) and where the
// session token comes from. The token comparison and body limit are in main/shared/http-body.ts.
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
