// Which addresses count as this computer only, and the Host check that keeps web pages out of a
// loopback server (DNS rebinding: a site whose name resolves to 127.0.0.1 must not reach it).
import type { IncomingMessage } from 'node:http'
import { isIP } from 'node:net'

/** True for addresses only this computer can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '')
  if (h === 'localhost' || h === '::1') return true
  return isIP(h) === 4 && h.startsWith('127.')
}

/** Null when the Host header names this loopback server (by address or localhost); else why not. */
export function hostProblem(req: IncomingMessage, boundHost: string, port: number): string | null {
  const host = (req.headers.host ?? '').toLowerCase()
  const bound = boundHost.includes(':') ? `[${boundHost}]` : boundHost
  const allowed = [bound, '127.0.0.1', 'localhost', '[::1]'].map((h) => `${h}:${port}`)
  return allowed.includes(host)
    ? null
    : `This server answers only requests addressed to ${allowed[0]} or localhost:${port}.`
}

/**
 * Why `host` cannot be served without TLS, or null: any address other computers can reach would
 * carry patient texts and tokens in clear over the network.
 */
export function plainHostProblem(host: string, tls: boolean): string | null {
  if (tls || isLoopback(host)) return null
  return (
    `--host ${host} lets other computers reach the API, so it needs TLS: give --tls-cert and ` +
    `--tls-key (PEM files), or keep the default 127.0.0.1.`
  )
}
