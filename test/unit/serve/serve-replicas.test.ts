// Two `cts serve` replicas on one workspace and one run, as behind a reverse proxy (issue #17
// point 7, docs/SERVING.md): same port on 127.0.0.1 and 127.0.0.2, requests carrying the Host
// header the proxy sends; one named token works on both, the same texts get identical answers,
// and a revocation reaches both at once (tokens are read from the workspace, not held per process).
import { spawn, spawnSync } from 'node:child_process'
import { request } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const TEXTS = [
  'severe chest pain with shortness of breath',
  '体检正常，无不适',
  'routine checkup normal and healthy',
  '反复头痛伴恶心呕吐',
]
let home: string

function cts(args: string[]) {
  const r = spawnSync(process.execPath, ['bin/cts.mjs', '--home', home, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CTS_HOME: '', CTS_TOKEN: '' },
    timeout: 60_000,
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

interface Replica {
  port: number
  stop(): Promise<number | null>
}

/** Starts `cts serve` on `host` and resolves once it is ready. */
function startReplica(host: string, port: number): Promise<Replica> {
  const child = spawn(
    process.execPath,
    ['bin/cts.mjs', '--home', home, 'serve', '--run', '1', '--host', host, '--port', String(port)],
    { env: { ...process.env, CTS_HOME: '', CTS_TOKEN: '' } },
  )
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (c) => (stderr += c))
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 30_000)
    child.stdout.on('data', (c) => {
      stdout += c
      if (!stdout.includes('Press Ctrl+C to stop.')) return
      clearTimeout(timer)
      resolve({
        port: Number(/at http:\/\/[^\s]+:(\d+)/.exec(stdout)![1]),
        stop: () => {
          child.kill('SIGINT')
          return exited
        },
      })
    })
    void exited.then((code) => reject(new Error(`serve exited (${code}): ${stderr}`)))
  })
}

/** What nginx sends (docs/SERVING.md): `proxy_set_header Host localhost:<port>`. */
function call(
  address: string,
  port: number,
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const payload = body === undefined ? undefined : JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: address,
        port,
        path,
        method: payload ? 'POST' : 'GET',
        // A fresh connection each time: a pooled one may be closed by the replica's keep-alive
        // timeout while the test waits (cts token revoke), and then hang up.
        agent: false,
        headers: {
          host: `localhost:${port}`,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c) => (text += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }))
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'cts-replicas-'))
  const trained = cts([
    ...['train', '--train', 'test/fixtures/train/bilingual-health.csv', '--model', 'baseline'],
    ...['--epochs', '2', '--json'],
  ])
  expect(trained.code, trained.stderr).toBe(0)
  expect(JSON.parse(trained.stdout)).toMatchObject({ run_id: 1, status: 'success' })
}, 120_000)

afterAll(() => rmSync(home, { recursive: true, force: true }))

describe('cts serve replicas behind a reverse proxy', () => {
  it('answer identically with one named token; a revocation reaches every replica', async () => {
    const created = cts(['token', 'create', 'ward-3-ehr', '--json'])
    expect(created.code, created.stderr).toBe(0)
    const token = (JSON.parse(created.stdout) as { token: string }).token
    const a = await startReplica('127.0.0.1', 0)
    // The same port on another loopback address: one Host header fits every replica.
    const b = await startReplica('127.0.0.2', a.port).catch(async (err) => {
      await a.stop()
      throw err
    })
    try {
      const replicas = ['127.0.0.1', '127.0.0.2']
      for (const address of replicas)
        expect(await call(address, a.port, '/health')).toEqual({
          status: 200,
          json: { status: 'ok', run_id: 1, labels: ['健康', '疾病'] },
        })
      const answers = []
      for (const address of replicas) {
        const r = await call(address, a.port, '/predict', token, { texts: TEXTS })
        expect(r.status).toBe(200)
        answers.push(r.json)
      }
      expect((answers[0] as { predictions: unknown[] }).predictions).toHaveLength(TEXTS.length)
      expect(answers[1]).toEqual(answers[0])

      expect(cts(['token', 'revoke', 'ward-3-ehr']).code).toBe(0)
      for (const address of replicas) {
        const r = await call(address, a.port, '/predict', token, { texts: TEXTS })
        expect(r.status).toBe(401)
      }
    } finally {
      expect(await b.stop()).toBe(0)
      expect(await a.stop()).toBe(0)
    }
  }, 90_000)
})
