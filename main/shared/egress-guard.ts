// The egress guard: once installed in a Node process (or worker thread), every outgoing connection
// that is not this computer's loopback fails with one clear error, whatever API tried it.
import dgram from 'node:dgram'
import dns from 'node:dns'
import { syncBuiltinESMExports } from 'node:module'
import net from 'node:net'
import { CtsError } from './errors'

/** The error code a blocked connection carries (CtsError.code). */
export const EGRESS_BLOCKED = 'egress-blocked'

const INSTALLED = Symbol.for('clinical-text-studio.egress-guard')

/** What every refusal says; the installers are the only commands that download. */
export function egressBlockedError(host: string, port?: number | string): CtsError {
  const where = port === undefined || port === '' ? host : `${host}:${port}`
  return new CtsError(
    EGRESS_BLOCKED,
    `blocked: Clinical Text Studio never connects to ${where}; patient text stays on this ` +
      'computer (only loopback connections are allowed). The commands that download are ' +
      '`cts model install --from-index` and `cts gpu install`, which say so before they connect.',
    { host, port },
  )
}

const ANNOUNCED = Symbol.for('clinical-text-studio.egress-announced')

/** Hosts an installer announced and may reach right now, with how many allowances hold each. */
function announcedHosts(): Map<string, number> {
  const g = globalThis as Record<symbol, Map<string, number> | undefined>
  return (g[ANNOUNCED] ??= new Map())
}

const hostKey = (host: string): string =>
  host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')

/**
 * The one way past the guard: an installer that downloads (the GPU pack) names the host, says so
 * (`announce` gets the line before anything connects) and releases the allowance when done.
 * While it holds, only that exact host is let through; the returned function is idempotent.
 */
export function allowAnnouncedEgress(
  host: string,
  announcement: string,
  announce: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  /** D2 (issue #17): only this port of the host (a bound team server), not the whole host. */
  port?: number,
): () => void {
  const key = port === undefined ? hostKey(host) : `${hostKey(host)}#${port}`
  if (!hostKey(host) || !announcement.includes(host)) {
    throw new CtsError('internal', `An egress allowance must name its host in its announcement.`)
  }
  announce(announcement)
  const hosts = announcedHosts()
  hosts.set(key, (hosts.get(key) ?? 0) + 1)
  let released = false
  return () => {
    if (released) return
    released = true
    const n = (hosts.get(key) ?? 1) - 1
    if (n > 0) hosts.set(key, n)
    else hosts.delete(key)
  }
}

/** True where the guard lets a connection through: loopback, or a host announced right now. */
export function isEgressAllowed(host: string | undefined | null, port?: number | string): boolean {
  if (isLoopbackHost(host)) return true
  if (typeof host !== 'string') return false
  const hosts = announcedHosts()
  return (
    hosts.has(hostKey(host)) ||
    (port !== undefined && hosts.has(`${hostKey(host)}#${Number(port)}`))
  )
}

/** True where a name may be looked up: an allowed host, or the host of an allowed host:port. */
function isLookupAllowed(host: string | undefined | null): boolean {
  if (isEgressAllowed(host)) return true
  if (typeof host !== 'string') return false
  const prefix = `${hostKey(host)}#`
  return [...announcedHosts().keys()].some((k) => k.startsWith(prefix))
}

/**
 * True for this computer's loopback only: localhost (and *.localhost), 127.0.0.0/8, ::1 (also
 * written out, or IPv4-mapped). 0.0.0.0 and :: are refused: they are not addresses to connect to.
 */
export function isLoopbackHost(host: string | undefined | null): boolean {
  if (host === undefined || host === null || host === '') return true // Node's default: localhost
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
  if (h === 'localhost' || h.endsWith('.localhost')) return true
  if (net.isIPv4(h)) return h.split('.')[0] === '127'
  if (net.isIPv6(h)) {
    const mapped = /^(?:0{0,4}:){0,4}:?(?:0{0,4}:)?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h)
    if (mapped) return mapped[1]!.split('.')[0] === '127'
    return /^(?:0{0,4}:){1,7}0{0,3}1$/.test(h) || h === '::1'
  }
  return false
}

export function isEgressGuardInstalled(): boolean {
  return (globalThis as Record<symbol, unknown>)[INSTALLED] === true
}

type AnyFn = (...args: unknown[]) => unknown

/** Calls the last function argument (a Node callback) with err on the next tick. */
function failCallback(args: unknown[], err: Error): boolean {
  const cb = [...args].reverse().find((a) => typeof a === 'function') as AnyFn | undefined
  if (!cb) return false
  process.nextTick(() => cb(err))
  return true
}

function guardSockets(): void {
  const original = net.Socket.prototype.connect as unknown as AnyFn
  const normalize = (net as unknown as { _normalizeArgs(a: unknown[]): unknown[] })._normalizeArgs
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    // net.connect and tls.connect hand over already normalised arguments: [options, callback].
    const normalized = Array.isArray(args[0]) ? (args[0] as unknown[]) : normalize(args)
    const options = (normalized[0] ?? {}) as { path?: string; host?: string; port?: number }
    if (!options.path && !isEgressAllowed(options.host, options.port)) {
      const err = egressBlockedError(options.host ?? '', options.port)
      // Like a refused connection: an 'error' event, so http, tls and fetch report it as theirs.
      process.nextTick(() => this.destroy(err))
      return this
    }
    return original.apply(this, args)
  } as typeof net.Socket.prototype.connect
}

function guardDatagrams(): void {
  const proto = dgram.Socket.prototype as unknown as Record<string, AnyFn>
  const send = proto.send!
  const connect = proto.connect!
  const refuse = (socket: dgram.Socket, args: unknown[], err: Error) => {
    if (!failCallback(args, err)) process.nextTick(() => socket.emit('error', err))
  }
  proto.send = function guardedSend(this: dgram.Socket, ...args: unknown[]) {
    // send(msg, offset, length, port, address, cb) or send(msg, port, address, cb); a connected
    // socket names no address (its connect() was checked).
    const long =
      typeof args[1] === 'number' && typeof args[2] === 'number' && typeof args[3] === 'number'
    const address = long ? args[4] : typeof args[1] === 'number' ? args[2] : undefined
    const port = long ? args[3] : args[1]
    if (typeof address === 'string' && !isLoopbackHost(address)) {
      return refuse(this, args, egressBlockedError(address, port as number))
    }
    return send.apply(this, args)
  }
  proto.connect = function guardedConnect(this: dgram.Socket, ...args: unknown[]) {
    const address = typeof args[1] === 'string' ? args[1] : undefined
    if (address !== undefined && !isLoopbackHost(address)) {
      return refuse(this, args, egressBlockedError(address, args[0] as number))
    }
    return connect.apply(this, args)
  }
}

/** A refused DNS call: a rejected promise, the callback with the error, or (neither) a throw. */
function refuse(args: unknown[], err: Error, promises: boolean): unknown {
  if (promises) return Promise.reject(err)
  if (!failCallback(args, err)) throw err
  return undefined
}

/**
 * A name getaddrinfo answers from this computer alone: localhost, or any IP literal (no DNS is
 * asked; server.listen('0.0.0.0') looks its address up this way). Connecting is checked apart.
 */
const isLocalName = (name: unknown): boolean =>
  typeof name === 'string' && (isLoopbackHost(name) || net.isIP(name.replace(/^\[|\]$/g, '')) !== 0)

function guardResolver(target: Record<string, unknown>, promises: boolean): void {
  for (const key of Object.keys(target)) {
    if (!/^resolve|^reverse$/.test(key) || typeof target[key] !== 'function') continue
    // resolve*() always asks a DNS server, even for localhost: every one is refused.
    target[key] = function guardedResolve(...args: unknown[]) {
      const err = egressBlockedError(`a DNS server (to resolve ${String(args[0])})`)
      return refuse(args, err, promises)
    }
  }
}

function guardDns(): void {
  const targets: [Record<string, unknown>, boolean][] = [
    [dns as unknown as Record<string, unknown>, false],
    [dns.promises as unknown as Record<string, unknown>, true],
  ]
  for (const [target, promises] of targets) {
    const lookup = target.lookup as AnyFn
    target.lookup = function guardedLookup(...args: unknown[]) {
      // An IP literal passes (H3 found it: cts serve --host 0.0.0.0 over TLS), see isLocalName.
      if (isLocalName(args[0]) || isLookupAllowed(args[0] as string))
        return lookup.apply(this, args)
      const err = egressBlockedError(String(args[0]))
      return refuse(args, err, promises)
    }
    const lookupService = target.lookupService as AnyFn
    target.lookupService = function guardedLookupService(...args: unknown[]) {
      // getnameinfo asks DNS for the name of any address but loopback's.
      if (typeof args[0] === 'string' && isLoopbackHost(args[0])) {
        return lookupService.apply(this, args)
      }
      const err = egressBlockedError(String(args[0]), args[1] as number)
      return refuse(args, err, promises)
    }
    guardResolver(target, promises)
    const resolver = target.Resolver as { prototype: Record<string, unknown> }
    guardResolver(resolver.prototype, promises)
  }
}

function guardFetch(): void {
  const original = globalThis.fetch
  if (typeof original !== 'function') return
  globalThis.fetch = function guardedFetch(input: Parameters<typeof fetch>[0], init?: RequestInit) {
    const href = input instanceof Request ? input.url : String(input)
    let url: URL | undefined
    try {
      url = new URL(href)
    } catch {
      url = undefined // fetch itself rejects what it cannot parse
    }
    if (url && (url.protocol === 'http:' || url.protocol === 'https:')) {
      const port = url.port || (url.protocol === 'https:' ? '443' : '80')
      if (!isEgressAllowed(url.hostname, port)) {
        return Promise.reject(egressBlockedError(url.hostname, port))
      }
    }
    return original(input, init)
  } as typeof fetch
}

/**
 * Installs the guard in this process or worker thread (each worker has its own modules, so each
 * worker entry installs it too). Idempotent; there is no uninstall.
 */
export function installEgressGuard(): void {
  if (isEgressGuardInstalled()) return
  guardSockets()
  guardDatagrams()
  guardDns()
  guardFetch()
  // ES modules that import { connect } from 'node:net' see the guarded functions too.
  syncBuiltinESMExports()
  Object.defineProperty(globalThis, INSTALLED, { value: true, enumerable: false })
}
