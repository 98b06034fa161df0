// The egress guard in this test process: every non-loopback connection (net, tls, http, https,
// fetch, dgram, dns) fails with the same clear error; loopback and unix sockets still work.
// (vitest's 'forks' pool runs each file in its own process, so the guard stays in this file.)
import dgram from 'node:dgram'
import dns, { lookup as namedLookup } from 'node:dns'
import { mkdtempSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import tls from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  EGRESS_BLOCKED,
  installEgressGuard,
  isEgressGuardInstalled,
  isLoopbackHost,
} from '../../../main/shared/egress-guard'

const blocked = (where: string): string =>
  `blocked: Clinical Text Studio never connects to ${where}; patient text stays on this computer ` +
  '(only loopback connections are allowed). The commands that download are ' +
  '`cts model install --from-index` and `cts gpu install`, which say so before they connect.'

type Failure = { code?: string; message: string }

const socketError = (socket: net.Socket): Promise<Failure> =>
  new Promise((resolve, reject) => {
    socket.on('error', resolve)
    socket.on('connect', () => reject(new Error('connected')))
  })

const requestError = (req: http.ClientRequest): Promise<Failure> =>
  new Promise((resolve, reject) => {
    req.on('error', resolve)
    req.on('response', () => reject(new Error('answered')))
  })

let server: http.Server
let port = 0

beforeAll(async () => {
  installEgressGuard()
  installEgressGuard() // idempotent
  server = http.createServer((_req, res) => res.end('local ok'))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  port = (server.address() as net.AddressInfo).port
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

describe('isLoopbackHost', () => {
  it('accepts this computer only', () => {
    const yes = ['localhost', 'LOCALHOST', 'api.localhost', '127.0.0.1', '127.8.9.10', '::1']
    const more = ['[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '', undefined]
    for (const h of [...yes, ...more]) expect([h, isLoopbackHost(h)]).toEqual([h, true])
    const no = [
      '10.0.0.1',
      '192.168.1.5',
      '0.0.0.0',
      '::',
      '8.8.8.8',
      'example.com',
      '::ffff:10.0.0.1',
    ]
    const tricky = ['localhost.example.com', '127.0.0.1.nip.io', 'fe80::1', '2001:db8::1']
    for (const h of [...no, ...tricky]) expect([h, isLoopbackHost(h)]).toEqual([h, false])
  })
})

describe('installEgressGuard', () => {
  it('is installed', () => {
    expect(isEgressGuardInstalled()).toBe(true)
  })

  it('refuses net.connect to 10.0.0.1:80 with the clear error', async () => {
    const err = await socketError(net.connect(80, '10.0.0.1'))
    expect(err.code).toBe(EGRESS_BLOCKED)
    expect(err.message).toBe(blocked('10.0.0.1:80'))
    expect(blocked('10.0.0.1:80')).toContain('never connects to 10.0.0.1:80')
  })

  it('refuses a name before asking DNS, and tls.connect', async () => {
    expect((await socketError(net.connect({ host: 'example.com', port: 8080 }))).message).toBe(
      blocked('example.com:8080'),
    )
    const err = await socketError(tls.connect({ host: 'example.com', port: 443 }))
    expect([err.code, err.message]).toEqual([EGRESS_BLOCKED, blocked('example.com:443')])
  })

  it('refuses http and https requests', async () => {
    expect((await requestError(http.get('http://example.com/'))).message).toBe(
      blocked('example.com:80'),
    )
    expect((await requestError(https.get('https://10.0.0.1:8443/x'))).message).toBe(
      blocked('10.0.0.1:8443'),
    )
  })

  it('refuses fetch', async () => {
    await expect(fetch('https://example.com/fonts.css')).rejects.toMatchObject({
      code: EGRESS_BLOCKED,
      message: blocked('example.com:443'),
    })
    await expect(fetch(new Request('http://10.0.0.1:9000/'))).rejects.toThrow(
      blocked('10.0.0.1:9000'),
    )
  })

  it('refuses UDP datagrams and UDP connect to other hosts', async () => {
    const udp = dgram.createSocket('udp4')
    const sent = await new Promise<Error | null>((r) => udp.send('x', 53, '8.8.8.8', r))
    expect(sent?.message).toBe(blocked('8.8.8.8:53'))
    const connected = await new Promise<Error | undefined>((r) =>
      udp.connect(123, '10.0.0.1', r as () => void),
    )
    expect(connected?.message).toBe(blocked('10.0.0.1:123'))
    udp.close()
  })

  it('refuses DNS for other names, and every resolve (they always ask a DNS server)', async () => {
    await expect(dns.promises.lookupService('8.8.8.8', 53)).rejects.toThrow(blocked('8.8.8.8:53'))
    const looked = await new Promise<Error | null>((r) => dns.lookup('example.com', (e) => r(e)))
    expect(looked?.message).toBe(blocked('example.com'))
    await expect(dns.promises.lookup('example.com')).rejects.toThrow(blocked('example.com'))
    await expect(dns.promises.resolve4('localhost')).rejects.toThrow(
      blocked('a DNS server (to resolve localhost)'),
    )
    await expect(new dns.promises.Resolver().resolveTxt('example.com')).rejects.toThrow(
      blocked('a DNS server (to resolve example.com)'),
    )
    const resolved = await new Promise<Error | null>((r) =>
      dns.resolveMx('example.com', (e) => r(e)),
    )
    expect(resolved?.message).toBe(blocked('a DNS server (to resolve example.com)'))
    // ES-module named imports of node:dns see the guarded function too.
    const named = await new Promise<Error | null>((r) => namedLookup('example.org', (e) => r(e)))
    expect(named?.message).toBe(blocked('example.org'))
  })

  it('lets loopback through: 127.0.0.1, localhost, fetch, DNS for localhost', async () => {
    const viaHttp = await new Promise<string>((resolve, reject) => {
      http
        .get(`http://localhost:${port}/`, (res) => {
          let body = ''
          res.on('data', (c) => (body += c))
          res.on('end', () => resolve(body))
        })
        .on('error', reject)
    })
    expect(viaHttp).toBe('local ok')
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('local ok')
    const address = await dns.promises.lookup('localhost', { family: 4 })
    expect(address.address).toBe('127.0.0.1')
    // An IP literal needs no DNS: listening on every interface looks 0.0.0.0 up this way.
    expect(await dns.promises.lookup('0.0.0.0')).toEqual({ address: '0.0.0.0', family: 4 })
    const any = http.createServer()
    await new Promise<void>((r) => any.listen(0, '0.0.0.0', r))
    expect((any.address() as net.AddressInfo).address).toBe('0.0.0.0')
    await new Promise((r) => any.close(r))
  })

  it('lets unix sockets through', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cts-egress-')), 's.sock')
    const unix = net.createServer((s) => s.end('unix ok'))
    await new Promise<void>((r) => unix.listen(path, r))
    const got = await new Promise<string>((resolve, reject) => {
      const c = net.connect(path)
      let body = ''
      c.on('data', (d) => (body += d))
      c.on('end', () => resolve(body))
      c.on('error', reject)
    })
    unix.close()
    expect(got).toBe('unix ok')
  })
})
