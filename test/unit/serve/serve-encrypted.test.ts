// `cts` end to end on an ENCRYPTED workspace (issue #15 point 2), as separate processes: encrypt,
// train (the job process seals the snapshot and the weights), predict, and `cts serve` with
// $CTS_PASSPHRASE_FILE; without the passphrase every command, serve included, refuses clearly.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isEncryptedArtifact } from '../../../main/shared/artifact-crypto'

const TEXTS = ['severe chest pain with shortness of breath', '体检正常，无不适']
let dir: string
let home: string
let passFile: string

function cts(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['bin/cts.mjs', '--home', home, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CTS_HOME: '', CTS_PASSPHRASE_FILE: '', ...env },
    timeout: 90_000,
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cts-serve-enc-'))
  home = join(dir, 'home')
  passFile = join(dir, 'passphrase.txt')
  writeFileSync(passFile, 'serve the encrypted model 加密\n')
  const enc = cts(['workspace', 'encrypt', '--passphrase-file', passFile])
  expect(enc.code, enc.stderr).toBe(0)
  const trained = cts([
    ...['--passphrase-file', passFile, 'train', '--train'],
    ...['test/fixtures/train/bilingual-health.csv', '--model', 'baseline', '--epochs', '2'],
    '--json',
  ])
  expect(trained.code, trained.stderr).toBe(0)
  expect(JSON.parse(trained.stdout)).toMatchObject({ run_id: 1, status: 'success' })
}, 180_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('cts on an encrypted workspace', () => {
  it('seals the run: snapshot and weights are encrypted, no fixture text in any file', () => {
    const runDir = join(home, 'runs', '1')
    for (const f of ['dataset.json', 'model.onnx', 'baseline-vocab.bin'])
      expect(isEncryptedArtifact(readFileSync(join(runDir, f)))).toBe(true)
    const fixture = readFileSync('test/fixtures/train/bilingual-health.csv', 'utf8')
    const texts = fixture
      .split('\n')
      .slice(1, 21)
      .map((l) => l.split(',')[0])
      .filter((t) => t.length > 8)
    const files = [
      ...readdirSync(home).map((f) => join(home, f)),
      ...readdirSync(runDir).map((f) => join(runDir, f)),
    ]
    const blobs = files.flatMap((f) => {
      try {
        return [readFileSync(f)]
      } catch {
        return []
      }
    })
    expect(texts.length).toBeGreaterThan(5)
    for (const t of texts) expect(blobs.some((b) => b.includes(Buffer.from(t)))).toBe(false)
  })

  it('refuses without the passphrase, serve included', () => {
    const list = cts(['project', 'list'])
    expect(list.code).toBe(2)
    expect(list.stderr).toMatch(/is encrypted: give its passphrase with --passphrase-file/)
    const serve = cts(['serve', '--run', '1', '--port', '0'])
    expect(serve.code).toBe(2)
    expect(serve.stderr).toMatch(/is encrypted: give its passphrase/)
  }, 60_000)

  it('predicts and serves the sealed model with $CTS_PASSPHRASE_FILE', async () => {
    const input = join(dir, 'in.csv')
    writeFileSync(input, 'text\n' + TEXTS.join('\n') + '\n')
    const out = join(dir, 'out.csv')
    const predicted = cts(['predict', '--run', '1', '--in', input, '--out', out], {
      CTS_PASSPHRASE_FILE: passFile,
    })
    expect(predicted.code, predicted.stderr).toBe(0)
    const labels = readFileSync(out, 'utf8')
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(',')[1])
    expect(labels).toHaveLength(2)

    const child = spawn(
      process.execPath,
      ['bin/cts.mjs', '--home', home, 'serve', '--run', '1', '--port', '0'],
      {
        env: { ...process.env, CTS_HOME: '', CTS_TOKEN: '', CTS_PASSPHRASE_FILE: passFile },
      },
    )
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (c) => (stderr += c))
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 60_000)
        child.stdout.on('data', (c) => {
          stdout += c
          if (stdout.includes('Press Ctrl+C to stop.')) {
            clearTimeout(timer)
            resolve()
          }
        })
      })
      const url = /at (https?:\/\/[^\s]+)/.exec(stdout)![1]
      const token = /^Token .*: (\S+)$/m.exec(stdout)![1]
      const r = await fetch(`${url}/predict`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ texts: TEXTS }),
      })
      expect(r.status).toBe(200)
      const { predictions } = (await r.json()) as { predictions: { label: string }[] }
      expect(predictions.map((p) => p.label)).toEqual(labels)
    } finally {
      child.kill('SIGINT')
      expect(await exited).toBe(0)
    }
  }, 120_000)
})
