// The prediction server on a hospital network (issue #15 point 6), in-process with a test-double
// predictor: HTTPS with a self-signed pair, no plain HTTP beyond loopback, named tokens (expired,
// revoked), the per-token rate limit, and the per-token counts it reports.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startPredictionServer, type PredictionServer } from '../../../main/serve/server'
import { TokensService } from '../../../main/services/tokens-service'
import { openWorkspace, type Workspace } from '../../../main/store/workspace'
import { httpsCall } from './https-call'
import { testPredictor } from './test-predictor'
import { makeTlsPair, type TlsPair } from './tls-pair'

const SESSION = 'session-token-0123456789abcdef'
let dir: string
let pair: TlsPair
let ws: Workspace
const servers: PredictionServer[] = []

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cts-serve-sec-'))
  pair = makeTlsPair(dir)
  ws = openWorkspace(join(dir, 'ws'))
})
afterEach(async () => {
  while (servers.length) await servers.pop()!.close()
})
afterAll(() => {
  ws.close()
  rmSync(dir, { recursive: true, force: true })
})

async function serve(extra: Partial<Parameters<typeof startPredictionServer>[0]> = {}) {
  const server = await startPredictionServer({
    predictor: testPredictor(),
    runId: 3,
    token: SESSION,
    tls: { cert: pair.cert, key: pair.key },
    ...extra,
  })
  servers.push(server)
  return server
}

const predict = (server: PredictionServer, token: string) =>
  httpsCall(`${server.url}/predict`, pair.cert, { token, body: { texts: ['胸痛 pain 剧烈'] } })

describe('prediction server security', () => {
  it('serves HTTPS with the given certificate; the client verifies it', async () => {
    const server = await serve()
    expect(server.url).toBe(`https://127.0.0.1:${server.port}`)
    const health = await httpsCall(`${server.url}/health`, pair.cert)
    expect(health).toMatchObject({ status: 200, json: { status: 'ok', run_id: 3 } })
    const r = await predict(server, SESSION)
    expect(r.status).toBe(200)
    expect(r.json).toEqual({
      predictions: [{ label: '健康', probabilities: { 健康: 0.5, 疾病: 0.5 } }],
    })
    // Plain HTTP to the TLS port gets no answer.
    await expect(fetch(`http://127.0.0.1:${server.port}/health`)).rejects.toThrow()
  })

  it('refuses a non-loopback host without TLS, with a message naming both flags', async () => {
    const message =
      '--host 0.0.0.0 lets other computers reach the API, so it needs TLS: give --tls-cert and ' +
      '--tls-key (PEM files), or keep the default 127.0.0.1.'
    await expect(
      startPredictionServer({
        predictor: testPredictor(),
        runId: 3,
        token: SESSION,
        host: '0.0.0.0',
      }),
    ).rejects.toMatchObject({ code: 'bad-input', message })
    const onAll = await serve({ host: '0.0.0.0' })
    expect(onAll.url).toBe(`https://0.0.0.0:${onAll.port}`)
    const r = await httpsCall(`https://localhost:${onAll.port}/health`, pair.cert)
    expect(r.status).toBe(200)
  })

  it('accepts named tokens and refuses expired, revoked and unknown ones with 401', async () => {
    let clock = new Date('2026-12-01T10:00:00Z')
    const tokens = new TokensService(ws.repos, 'tester', () => clock)
    const ward = await tokens.create('ward-3', '1d')
    const lab = await tokens.create('lab')
    const seen: [string, number][] = []
    const server = await serve({
      token: undefined,
      tokens,
      onTokenRequest: (n, s) => seen.push([n, s]),
    })

    expect((await predict(server, ward.token)).status).toBe(200)
    expect((await predict(server, lab.token)).status).toBe(200)
    await tokens.revoke('lab')
    const revoked = await predict(server, lab.token)
    expect(revoked.status).toBe(401)
    expect(revoked.headers['www-authenticate']).toBe('Bearer realm="cts"')
    expect(revoked.json).toEqual({
      error: {
        code: 'unauthorized',
        message: 'The token "lab" was revoked on 2026-12-01; ask for a new one (cts token create).',
      },
    })
    clock = new Date('2026-12-02T10:00:01Z')
    const expired = await predict(server, ward.token)
    expect(expired.json).toEqual({
      error: {
        code: 'unauthorized',
        message:
          'The token "ward-3" expired on 2026-12-02 10:00 UTC; ask for a new one (cts token create).',
      },
    })
    const unknown = await predict(server, 'x'.repeat(43))
    expect(unknown.status).toBe(401)
    // The session token is not accepted when only named tokens are configured.
    expect((await predict(server, SESSION)).status).toBe(401)
    expect(seen).toEqual([
      ['ward-3', 200],
      ['lab', 200],
      ['lab', 401],
      ['ward-3', 401],
      ['(unknown)', 401],
      ['(unknown)', 401],
    ])
  })

  it('limits each token to --rate-limit requests per minute: 429 with Retry-After', async () => {
    const tokens = new TokensService(ws.repos, 'tester')
    const other = await tokens.create('rate-other')
    const seen: [string, number][] = []
    const server = await serve({
      tokens,
      rateLimit: 3,
      onTokenRequest: (n, s) => seen.push([n, s]),
    })
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await predict(server, SESSION)).status)
    expect(statuses).toEqual([200, 200, 200, 429])
    const limited = await predict(server, SESSION)
    expect(limited.status).toBe(429)
    // 3 per minute refill one every 20 s.
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(19)
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(20)
    expect(limited.json).toEqual({
      error: {
        code: 'rate-limited',
        message: `This token may make 3 requests per minute; retry in ${limited.headers['retry-after']} s.`,
      },
    })
    // Another token has its own allowance.
    expect((await predict(server, other.token)).status).toBe(200)
    expect(seen.filter(([n]) => n === '(session)').map(([, s]) => s)).toEqual([
      200, 200, 200, 429, 429,
    ])
  })
})
