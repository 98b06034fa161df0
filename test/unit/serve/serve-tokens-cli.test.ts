// `cts token` and `cts serve` on a hospital network, end to end (issue #15 points 4 and 6): named
// tokens over HTTPS, revoked ones refused, the rate limit, and after Ctrl+C the audit log holds
// each token's request counts and `cts audit verify` still passes.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RunsService } from '../../../main/services/runs-service'
import { openWorkspace } from '../../../main/store/workspace'
import { writeBaselineBundle } from '../ml/infer/bundles'
import { httpsCall } from './https-call'
import { makeTlsPair, type TlsPair } from './tls-pair'

let home: string
let pair: TlsPair

function cts(args: string[]) {
  const r = spawnSync(process.execPath, ['bin/cts.mjs', '--home', home, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CTS_HOME: '', CTS_TOKEN: '' },
    timeout: 60_000,
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'cts-serve-tokens-'))
  pair = makeTlsPair(home)
  // Run 1: a finished baseline run (as test/unit/cli/cts-in-process.ts writes it).
  const ws = openWorkspace(home)
  const runs = new RunsService(ws.repos, ws.runsDir)
  const id = await runs.create({
    modelKind: 'baseline',
    baseModel: 'baseline',
    labels: ['健康', '疾病'],
    config: {},
    dataHash: 'sha256:serve-tokens',
    seed: 1,
  })
  writeBaselineBundle({ dir: runs.runDir(id) })
  await runs.finish(id, { status: 'success', provider: 'cpu' })
  ws.close()
})
afterAll(() => rmSync(home, { recursive: true, force: true }))

describe('cts token and cts serve over TLS', () => {
  it('refuses a network address without TLS before loading anything', () => {
    const r = cts(['serve', '--run', '1', '--host', '0.0.0.0'])
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      'Error: --host 0.0.0.0 lets other computers reach the API, so it needs TLS: give --tls-cert ' +
        'and --tls-key (PEM files), or keep the default 127.0.0.1.\n',
    ])
  })

  it('creates, lists and revokes tokens; serve counts every token into the audit log', async () => {
    const created = cts(['token', 'create', 'ward-3', '--expires', '30d'])
    expect(created.code, created.stderr).toBe(0)
    const lines = created.stdout.trim().split('\n')
    expect(lines[0]).toMatch(
      /^Created token "ward-3" \(expires \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\)\. It is shown only this once; clients$/,
    )
    const ward = lines[2]
    expect(ward).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const lab = cts(['token', 'create', 'lab', '--json'])
    const labToken = (JSON.parse(lab.stdout) as { token: string }).token
    expect(cts(['token', 'revoke', 'lab']).stdout).toBe(
      'Revoked token "lab"; cts serve refuses it from its next request.\n',
    )

    const child = spawn(
      process.execPath,
      [
        'bin/cts.mjs',
        '--home',
        home,
        'serve',
        '--run',
        '1',
        '--port',
        '0',
        '--tls-cert',
        pair.certPath,
        '--tls-key',
        pair.keyPath,
        '--rate-limit',
        '3',
      ],
      { env: { ...process.env, CTS_HOME: '', CTS_TOKEN: '' } },
    )
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (c) => (stderr += c))
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 30_000)
      child.stdout.on('data', (c) => {
        stdout += c
        if (stdout.includes('Press Ctrl+C to stop.')) {
          clearTimeout(timer)
          resolve()
        }
      })
      void exited.then((code) => reject(new Error(`serve exited (${code}): ${stderr}`)))
    })
    const url = /at (https:\/\/[^\s]+)/.exec(stdout)![1]
    // Named tokens exist, so no session token is made up and none is printed.
    expect(stdout).not.toMatch(/^Token /m)
    expect(stdout).toContain("Accepting the workspace's 1 named token(s) (see cts token list).")
    const predict = (token: string) =>
      httpsCall(`${url}/predict`, pair.cert, { token, body: { texts: ['胸痛 chest pain'] } })
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await predict(ward)).status)
    expect(statuses).toEqual([200, 200, 200, 429])
    const revoked = await predict(labToken)
    expect(revoked.status).toBe(401)
    expect((revoked.json as { error: { message: string } }).error.message).toMatch(
      /^The token "lab" was revoked on \d{4}-\d{2}-\d{2}; ask for a new one \(cts token create\)\.$/,
    )
    expect((await predict('not-a-token-at-all-0123456789')).status).toBe(401)
    child.kill('SIGINT')
    expect(await exited).toBe(0)
    expect(stderr).toMatch(/Stopped\.\n$/)

    const ws = openWorkspace(home)
    const requests = (
      ws.db
        .prepare("SELECT details FROM audit_log WHERE action = 'token.requests' ORDER BY id")
        .all() as { details: string }[]
    ).map((r) => JSON.parse(r.details) as Record<string, unknown>)
    const actions = (
      ws.db.prepare('SELECT action FROM audit_log ORDER BY id').all() as { action: string }[]
    ).map((r) => r.action)
    ws.close()
    expect(requests.map(({ token, requests: n, rejected }) => ({ token, n, rejected }))).toEqual([
      { token: 'ward-3', n: 4, rejected: 1 },
      { token: 'lab', n: 1, rejected: 1 },
      { token: '(unknown)', n: 1, rejected: 1 },
    ])
    for (const r of requests) expect(r.from! <= r.to!).toBe(true)
    expect(actions).toEqual([
      'token.create',
      'token.create',
      'token.revoke',
      'token.requests',
      'token.requests',
      'token.requests',
    ])

    const verify = cts(['audit', 'verify'])
    expect([verify.code, verify.stdout]).toEqual([
      0,
      'Audit log intact: 6 entries, every link verified.\n',
    ])
    const list = cts(['token', 'list'])
    expect(list.stdout).not.toContain(ward)
    const rows = list.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t'))
    expect(rows[0]).toEqual([
      'name',
      'created',
      'expires',
      'revoked',
      'last used',
      'requests',
      'rejected',
    ])
    expect([rows[1][0], rows[1][3], rows[1][5], rows[1][6]]).toEqual(['ward-3', 'no', '4', '1'])
    expect([rows[2][0], rows[2][2], rows[2][5], rows[2][6]]).toEqual(['lab', 'never', '1', '1'])
    expect(rows[2][3]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
  }, 180_000)
})
