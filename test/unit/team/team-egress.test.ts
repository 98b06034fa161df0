// The egress guard lets a team workspace reach exactly its bound server (host AND port), announced
// once per process, and only while an open connection holds it; every other host, and every other
// port of that host, stays refused.
// Connections go to a loopback server through a custom lookup, so no name is ever resolved.
import net, { type AddressInfo, type LookupFunction } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  EGRESS_BLOCKED,
  installEgressGuard,
  isEgressAllowed,
} from '../../../main/shared/egress-guard'
import { allowTeamServer } from '../../../main/store/pg/team-egress'

let server: net.Server
let port = 0

beforeAll(async () => {
  installEgressGuard()
  server = net.createServer((socket) => socket.end('db ok'))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  port = (server.address() as AddressInfo).port
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

const toLoopback = ((_host: string, opts: { all?: boolean }, cb: (...a: unknown[]) => void) =>
  opts.all
    ? cb(null, [{ address: '127.0.0.1', family: 4 }])
    : cb(null, '127.0.0.1', 4)) as unknown as LookupFunction

/** 'db ok' when the connection got through, else the error's code. */
const dial = (host: string, p: number): Promise<string> =>
  new Promise((resolve) => {
    const socket = net.connect({ host, port: p, lookup: toLoopback })
    let body = ''
    socket.on('data', (c: Buffer) => (body += c.toString()))
    socket.on('end', () => resolve(body))
    socket.on('error', (e: Error & { code?: string }) => resolve(String(e.code)))
  })

describe('allowTeamServer', () => {
  it('lets exactly the bound host and port through, announced once', async () => {
    expect(await dial('team-db.test', port)).toBe(EGRESS_BLOCKED)
    const lines: string[] = []
    allowTeamServer({ host: 'team-db.test', port, database: 'ward7', user: 'dr.li' }, (l) =>
      lines.push(l),
    )
    allowTeamServer({ host: 'team-db.test', port, database: 'ward7', user: 'dr.li' }, (l) =>
      lines.push(l),
    )
    expect(lines).toEqual([
      `This workspace is a team workspace on team-db.test:${port}; Clinical Text Studio connects only to it.`,
    ])
    expect(await dial('team-db.test', port)).toBe('db ok')
    expect(isEgressAllowed('TEAM-DB.test', port)).toBe(true)
  })

  it('keeps every other host and every other port of that host refused', async () => {
    expect(await dial('other-db.test', port)).toBe(EGRESS_BLOCKED)
    expect(await dial('team-db.test', port + 1)).toBe(EGRESS_BLOCKED)
    expect(isEgressAllowed('team-db.test')).toBe(false)
    expect(isEgressAllowed('team-db.test', port + 1)).toBe(false)
    expect(isEgressAllowed('other-db.test', port)).toBe(false)
  })

  it('refuses the server again once every hold is given back (a failed or closed connection)', async () => {
    const target = { host: 'ward9-db.test', port, database: 'ward9', user: 'dr.wu' }
    const lines: string[] = []
    const first = allowTeamServer(target, (l) => lines.push(l))
    const second = allowTeamServer(target, (l) => lines.push(l))
    first()
    first() // giving the same hold back twice changes nothing
    expect(await dial('ward9-db.test', port)).toBe('db ok')
    second()
    expect(await dial('ward9-db.test', port)).toBe(EGRESS_BLOCKED)
    expect(isEgressAllowed('ward9-db.test', port)).toBe(false)
    // Reopened later in the same process: allowed again, not announced a second time.
    const again = allowTeamServer(target, (l) => lines.push(l))
    expect(await dial('ward9-db.test', port)).toBe('db ok')
    again()
    expect(lines).toEqual([
      `This workspace is a team workspace on ward9-db.test:${port}; Clinical Text Studio connects only to it.`,
    ])
  })
})
