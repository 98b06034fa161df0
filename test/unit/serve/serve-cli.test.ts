// `cts serve` end to end on a real trained run (the fast baseline on the bilingual fixture):
// the served probabilities equal `cts predict`'s, the token rules, the non-loopback warning,
// Ctrl+C, and the messages for a run that cannot be served; the model in its worker thread.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadRunPredictor } from '../../../main/serve/predictor'
import { loadRunPredictorInWorker } from '../../../main/serve/worker-predictor'
import { RunsService } from '../../../main/services/runs-service'
import { openWorkspace } from '../../../main/store/workspace'
import { httpsCall } from './https-call'
import { makeTlsPair } from './tls-pair'

const TEXTS = [
  'severe chest pain with shortness of breath',
  '体检正常，无不适',
  'routine checkup normal and healthy',
  '反复头痛伴恶心呕吐',
]
let home: string

function cts(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['bin/cts.mjs', '--home', home, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CTS_HOME: '', CTS_TOKEN: '', ...env },
    timeout: 60_000,
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

interface Running {
  url: string
  /** The printed token, if one was generated. */
  token: string | undefined
  stdout: string
  stop(): Promise<{ code: number | null; stderr: string }>
}

/** Starts `cts serve` and resolves once it prints that it is ready. */
function startServe(args: string[], env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, ['bin/cts.mjs', '--home', home, 'serve', ...args], {
    env: { ...process.env, CTS_HOME: '', ...env },
  })
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (c) => (stderr += c))
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stderr })),
  )
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 30_000)
    child.stdout.on('data', (c) => {
      stdout += c
      if (!stdout.includes('Press Ctrl+C to stop.')) return
      clearTimeout(timer)
      resolve({
        url: /at (https?:\/\/[^\s]+)/.exec(stdout)![1],
        token: /^Token .*: (\S+)$/m.exec(stdout)?.[1],
        stdout,
        stop: () => {
          child.kill('SIGINT')
          return exited
        },
      })
    })
    void exited.then(({ code }) => reject(new Error(`serve exited (${code}): ${stderr}`)))
  })
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'cts-serve-'))
  const fixture = 'test/fixtures/train/bilingual-health.csv'
  const trained = cts([
    'train',
    '--train',
    fixture,
    '--model',
    'baseline',
    '--epochs',
    '2',
    '--json',
  ])
  expect(trained.code, trained.stderr).toBe(0)
  expect(JSON.parse(trained.stdout)).toMatchObject({ run_id: 1, status: 'success' })
})

afterAll(() => rmSync(home, { recursive: true, force: true }))

describe('cts serve', () => {
  it('serves the run on loopback with a generated token; answers match cts predict', async () => {
    const input = join(home, 'in.csv')
    writeFileSync(input, 'text\n' + TEXTS.join('\n') + '\n')
    const out = join(home, 'out.csv')
    expect(cts(['predict', '--run', '1', '--in', input, '--out', out]).code).toBe(0)
    const expected = readFileSync(out, 'utf8')
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n')
      .slice(1)
      .map((line) => {
        const cells = line.split(',')
        return {
          label: cells[1],
          probabilities: { 健康: Number(cells[2]), 疾病: Number(cells[3]) },
        }
      })

    const server = await startServe(['--run', '1', '--port', '0'])
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
      const health = await fetch(`${server.url}/health`)
      expect(await health.json()).toEqual({ status: 'ok', run_id: 1, labels: ['健康', '疾病'] })
      const r = await fetch(`${server.url}/predict`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ texts: TEXTS }),
      })
      expect(r.status).toBe(200)
      const { predictions } = (await r.json()) as { predictions: typeof expected }
      expect(predictions.map((p) => p.label)).toEqual(expected.map((p) => p.label))
      predictions.forEach((p, i) => {
        expect(p.probabilities['健康']).toBeCloseTo(expected[i].probabilities['健康'], 5)
        expect(p.probabilities['疾病']).toBeCloseTo(expected[i].probabilities['疾病'], 5)
      })
      const wrong = await fetch(`${server.url}/predict`, {
        method: 'POST',
        headers: { authorization: 'Bearer not-the-token', 'content-type': 'application/json' },
        body: JSON.stringify({ texts: TEXTS }),
      })
      expect(wrong.status).toBe(401)
    } finally {
      const { code, stderr } = await server.stop()
      expect(code).toBe(0)
      expect(stderr).toMatch(/^POST \/predict 200 4 texts [\d.]+ ms$/m)
      expect(stderr).toMatch(/Stopped\.\n$/)
      for (const t of TEXTS) expect(stderr).not.toContain(t)
    }
  })

  // Beyond loopback only over TLS (issue #15 point 6): plain HTTP there is refused (serve-tokens-cli).
  it('takes the token from CTS_TOKEN and warns when listening beyond loopback', async () => {
    const token = 'hospital-token-2026-abcdef'
    const tls = makeTlsPair(home)
    const server = await startServe(
      [
        ...['--run', '1', '--port', '0', '--host', '0.0.0.0'],
        ...['--tls-cert', tls.certPath, '--tls-key', tls.keyPath],
      ],
      { CTS_TOKEN: token },
    )
    let stderr = ''
    try {
      expect(server.token).toBeUndefined()
      expect(server.stdout).not.toContain(token)
      expect(server.url).toMatch(/^https:\/\/0\.0\.0\.0:\d+$/)
      const port = new URL(server.url).port
      const r = await httpsCall(`https://127.0.0.1:${port}/predict`, tls.cert, {
        token,
        body: { texts: ['chest pain'] },
      })
      expect(r.status).toBe(200)
    } finally {
      stderr = (await server.stop()).stderr
    }
    expect(stderr).toMatch(/^Warning: listening on 0\.0\.0\.0, so other computers can reach/)
  })

  it('exits 2 with one line for an unknown run, a bad port or a short token', () => {
    const unknown = cts(['serve', '--run', '99'])
    expect([unknown.code, unknown.stderr]).toEqual([
      2,
      'Error: Run 99 does not exist in this workspace.\n',
    ])
    const port = cts(['serve', '--run', '1', '--port', '70000'])
    expect([port.code, port.stderr]).toEqual([
      2,
      'Error: --port must be a port number 0–65535 (got "70000").\n',
    ])
    const short = cts(['serve', '--run', '1', '--token', 'abc'])
    expect([short.code, short.stderr]).toEqual([
      2,
      'Error: --token: The token must be at least 16 characters long.\n',
    ])
  })
})

describe('run predictors', () => {
  it('gives the same probabilities in a worker thread as in this one, and then stops', async () => {
    const here = await loadRunPredictor(home, 1)
    const crashes: Error[] = []
    const worker = await loadRunPredictorInWorker(home, 1, (e) => crashes.push(e))
    expect(worker.labels).toEqual(['健康', '疾病'])
    const [a, b] = [await here.predict(TEXTS), await worker.predict(TEXTS)]
    expect(b).toEqual(a)
    expect(a.map((row) => row.reduce((x, y) => x + y))).toEqual(
      TEXTS.map(() => expect.closeTo(1, 6)),
    )
    await here.release()
    await worker.release()
    await expect(worker.predict(TEXTS)).rejects.toThrow('The model thread has stopped.')
    expect(crashes).toEqual([])
  })

  it('gives the same probabilities from a pool of model threads as from one, calls side by side', async () => {
    const one = await loadRunPredictorInWorker(home, 1, undefined, { workers: 1 })
    const crashes: Error[] = []
    const pool = await loadRunPredictorInWorker(home, 1, (e) => crashes.push(e), { workers: 2 })
    expect([one.concurrency, pool.concurrency, pool.labels]).toEqual([
      undefined,
      2,
      ['健康', '疾病'],
    ])
    const alone = await one.predict(TEXTS)
    const together = await Promise.all([pool.predict(TEXTS), pool.predict(TEXTS.slice(1))])
    expect(together).toEqual([alone, alone.slice(1)])
    await one.release()
    await pool.release()
    await expect(pool.predict(TEXTS)).rejects.toThrow('The model thread has stopped.')
    expect(crashes).toEqual([])
  })

  it('rejects an unknown or unfinished run with the same message in both', async () => {
    const message = 'Run 42 does not exist in this workspace.'
    await expect(loadRunPredictor(home, 42)).rejects.toMatchObject({ code: 'not-found', message })
    await expect(loadRunPredictorInWorker(home, 42)).rejects.toMatchObject({
      code: 'not-found',
      message,
    })
    // A pool whose threads cannot load says the same once (and leaves no thread behind).
    await expect(
      loadRunPredictorInWorker(home, 42, undefined, { workers: 2 }),
    ).rejects.toMatchObject({ code: 'not-found', message })
    const ws = openWorkspace(home)
    const running = await new RunsService(ws.repos, ws.runsDir).create({
      modelKind: 'baseline',
      baseModel: 'baseline',
      labels: ['a', 'b'],
      config: {},
      dataHash: 'x',
      seed: 1,
    })
    ws.close()
    await expect(loadRunPredictorInWorker(home, running)).rejects.toMatchObject({
      code: 'conflict',
      message: `Run ${running} has no trained model (its status is running).`,
    })
  })
})
