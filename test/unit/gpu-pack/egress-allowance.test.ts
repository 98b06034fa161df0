// The egress guard's one announced allowance (used by `cts gpu install` while it downloads): only
// the named host passes, only while the allowance holds, and only after its line was announced.
// Connections go to a loopback server through a custom lookup, so no name is ever resolved.
import http from 'node:http'
import type { AddressInfo, LookupFunction } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  allowAnnouncedEgress,
  EGRESS_BLOCKED,
  installEgressGuard,
  isEgressAllowed,
} from '../../../main/shared/egress-guard'

let server: http.Server
let port = 0

beforeAll(async () => {
  installEgressGuard()
  server = http.createServer((_req, res) => res.end('mirror ok'))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  port = (server.address() as AddressInfo).port
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

const toLoopback = ((_host: string, opts: { all?: boolean }, cb: (...a: unknown[]) => void) =>
  opts.all
    ? cb(null, [{ address: '127.0.0.1', family: 4 }])
    : cb(null, '127.0.0.1', 4)) as unknown as LookupFunction

/** 'mirror ok' when the request got through, else the error's code and message. */
const get = (host: string): Promise<string> =>
  new Promise((resolve) => {
    // agent: false: a fresh connection each time, as the installer makes (no pooled socket).
    const req = http.get({ host, port, path: '/', lookup: toLoopback, agent: false }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve(body))
    })
    req.on('error', (e: Error & { code?: string }) => resolve(`${e.code}: ${e.message}`))
  })

const blocked = (where: string): string =>
  `${EGRESS_BLOCKED}: blocked: Clinical Text Studio never connects to ${where}; patient text stays ` +
  'on this computer (only loopback connections are allowed). The commands that download are ' +
  '`cts model install --from-index` and `cts gpu install`, which say so before they connect.'

const ANNOUNCEMENT =
  'This command connects to mirror.test to download the NVIDIA GPU pack (1512 MB) into /tmp/x.'

describe('allowAnnouncedEgress', () => {
  it('lets the announced host through while it holds, and refuses it again after release', async () => {
    expect(await get('mirror.test')).toBe(blocked(`mirror.test:${port}`))
    const lines: string[] = []
    const release = allowAnnouncedEgress('mirror.test', ANNOUNCEMENT, (l) => lines.push(l))
    expect(lines).toEqual([ANNOUNCEMENT])
    expect(await get('mirror.test')).toBe('mirror ok')
    expect(isEgressAllowed('MIRROR.test.')).toBe(true)
    // Every other host stays refused meanwhile, by sockets and by fetch.
    expect(await get('other.test')).toBe(blocked(`other.test:${port}`))
    expect(await get('sub.mirror.test')).toBe(blocked(`sub.mirror.test:${port}`))
    await expect(fetch('https://example.com/')).rejects.toMatchObject({ code: EGRESS_BLOCKED })
    release()
    release() // idempotent
    expect(await get('mirror.test')).toBe(blocked(`mirror.test:${port}`))
    expect(isEgressAllowed('mirror.test')).toBe(false)
  })

  it('holds while any of two allowances for the same host holds', async () => {
    const a = allowAnnouncedEgress('mirror.test', ANNOUNCEMENT, () => {})
    const b = allowAnnouncedEgress('mirror.test', ANNOUNCEMENT, () => {})
    a()
    expect(await get('mirror.test')).toBe('mirror ok')
    b()
    expect(await get('mirror.test')).toBe(blocked(`mirror.test:${port}`))
  })

  it('refuses an allowance whose announcement does not name the host', () => {
    const lines: string[] = []
    expect(() =>
      allowAnnouncedEgress('mirror.test', 'Downloading the GPU pack.', (l) => lines.push(l)),
    ).toThrow('An egress allowance must name its host in its announcement.')
    expect(lines).toEqual([])
    expect(isEgressAllowed('mirror.test')).toBe(false)
  })
})
