// The GPU pack downloaded from a package index — here a loopback HTTP server serving the synthetic
// wheels, with the egress guard installed as in the app: announced, resumable (Range on a .part),
// idempotent, and a damaged download refused and deleted. Nothing leaves this computer.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { installGpuPack, type GpuPackProgress } from '../../../main/services/gpu-pack'
import { CtsError } from '../../../main/shared'
import { installEgressGuard } from '../../../main/shared/egress-guard'
import { buildSyntheticPack, PLATFORM, type SyntheticPack } from './synthetic-pack'

const tmp = mkdtempSync(join(tmpdir(), 'cts-gpu-pack-index-'))
let pack: SyntheticPack
let server: http.Server
let base = ''
let n = 0
const newRoot = () => join(tmp, `root-${++n}`)

/** What the server does; reset before each test. */
const mode = {
  /** Serve this wheel with one byte flipped. */
  flip: '' as string,
  /** Send only half of this wheel, then drop the connection (once). */
  cutOnce: '' as string,
  /** Answer 200 with the whole file even when asked for a range. */
  ignoreRange: false,
  /** Serve this wheel with extra bytes after it. */
  pad: '' as string,
}
const requests: { file: string; range: string | undefined; sent: number }[] = []

beforeAll(async () => {
  installEgressGuard()
  pack = await buildSyntheticPack(join(tmp, 'fixture'))
  server = http.createServer((req, res) => {
    const file = decodeURIComponent(req.url!.replace(/^\/wheels\//, ''))
    let body = pack.bytes.get(file)
    if (!body) {
      res.writeHead(404).end()
      return
    }
    if (file === mode.flip) {
      body = Buffer.from(body)
      body[10]! ^= 0xff
    }
    if (file === mode.pad) body = Buffer.concat([body, Buffer.from('extra bytes')])
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '')
    const from = m && !mode.ignoreRange ? Number(m[1]) : 0
    const part = body.subarray(from)
    const record = { file, range: req.headers.range, sent: 0 }
    requests.push(record)
    res.writeHead(from > 0 ? 206 : 200, {
      'content-length': part.length,
      ...(from > 0 ? { 'content-range': `bytes ${from}-${body.length - 1}/${body.length}` } : {}),
    })
    if (file === mode.cutOnce) {
      mode.cutOnce = ''
      const half = part.subarray(0, Math.floor(part.length / 2))
      record.sent = half.length
      res.write(half, () => setTimeout(() => res.socket?.destroy(), 20))
      return
    }
    record.sent = part.length
    res.end(part)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wheels`
})
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(tmp, { recursive: true, force: true })
})
beforeEach(() => {
  Object.assign(mode, { flip: '', cutOnce: '', ignoreRange: false, pad: '' })
  requests.length = 0
})

const total = () => [...pack.bytes.values()].reduce((s, b) => s + b.length, 0)
const cudnn = () =>
  pack.lock.platforms[PLATFORM]!.wheels.find((w) => w.name === 'nvidia-cudnn-cu13')!

function fromIndex(root: string, lines: string[] = [], phases: string[] = []) {
  return installGpuPack({
    source: { kind: 'index', indexUrl: base },
    root,
    lock: pack.lock,
    platform: PLATFORM,
    onnxruntimeNodeDir: pack.ortNode,
    announce: (line) => lines.push(line),
    onProgress: (p: GpuPackProgress) => {
      if (phases.at(-1) !== p.phase) phases.push(p.phase)
    },
  })
}

const announcement = (root: string) =>
  `This command connects to 127.0.0.1 to download the NVIDIA GPU pack (1 MB) into ` +
  `${join(root, 'downloads')}; it and \`cts model install --from-index\` are the only downloads ` +
  'Clinical Text Studio makes.'

describe('installGpuPack from the index', () => {
  it('announces the host, downloads every wheel, installs, and drops the downloads', async () => {
    const root = newRoot()
    const lines: string[] = []
    const phases: string[] = []
    const r = await fromIndex(root, lines, phases)
    expect(lines).toEqual([announcement(root)])
    expect(r.alreadyInstalled).toBe(false)
    expect(r.bytesDownloaded).toBe(total())
    expect(requests.map((q) => q.file).sort()).toEqual([...pack.bytes.keys()].sort())
    expect(phases).toEqual(['download', 'verify', 'extract', 'runpath', 'binding', 'done'])
    expect(readdirSync(root)).toEqual(['cuda13-ort1.30.0'])

    const again = await fromIndex(root, lines)
    expect([again.alreadyInstalled, again.bytesDownloaded]).toEqual([true, 0])
    expect(requests).toHaveLength(pack.bytes.size) // the second run asked the server nothing
    expect(lines).toHaveLength(1) // nor announced a connection
  })

  it('resumes a download cut off halfway with a Range request', async () => {
    const root = newRoot()
    const file = cudnn().file
    mode.cutOnce = file
    const cut = (await fromIndex(root).then(
      () => new Error('installed'),
      (e: Error) => e,
    )) as CtsError
    const half = requests.find((q) => q.file === file)!.sent
    expect([cut.code, cut.message]).toEqual([
      'gpu-pack-download',
      `${file}: the connection was lost; the ${half} bytes received are kept: run the install ` +
        'again to resume.',
    ])
    expect(readdirSync(root)).toEqual(['downloads']) // no pack, no staging; the part is kept
    expect(readdirSync(join(root, 'downloads'))).toContain(`${file}.part`)

    requests.length = 0
    const r = await fromIndex(root)
    expect(r.alreadyInstalled).toBe(false)
    const rest = requests.find((q) => q.file === file)!
    expect(rest.range).toBe(`bytes=${half}-`)
    expect(rest.sent).toBe(pack.bytes.get(file)!.length - half)
    expect(r.bytesDownloaded).toBeLessThan(total())
    expect(r.bytesDownloaded).toBe(requests.reduce((s, q) => s + q.sent, 0))
  })

  it('resumes from a truncated .part left on disk and announces only what is left', async () => {
    const root = newRoot()
    const file = cudnn().file
    const bytes = pack.bytes.get(file)!
    const keep = Math.floor(bytes.length / 3)
    mkdirSync(join(root, 'downloads'), { recursive: true })
    writeFileSync(join(root, 'downloads', `${file}.part`), bytes.subarray(0, keep))
    const r = await fromIndex(root)
    expect(r.bytesDownloaded).toBe(total() - keep)
    expect(requests.find((q) => q.file === file)!.range).toBe(`bytes=${keep}-`)
  })

  it('starts a file over when the server ignores Range', async () => {
    const root = newRoot()
    const file = cudnn().file
    mode.ignoreRange = true
    mkdirSync(join(root, 'downloads'), { recursive: true })
    writeFileSync(join(root, 'downloads', `${file}.part`), pack.bytes.get(file)!.subarray(0, 100))
    const r = await fromIndex(root)
    expect(r.bytesDownloaded).toBe(total())
    expect(r.alreadyInstalled).toBe(false)
  })

  it('refuses a damaged download, deletes it and leaves no pack; the rest stays for the re-run', async () => {
    const root = newRoot()
    const w = cudnn()
    mode.flip = w.file
    const bad = Buffer.from(pack.bytes.get(w.file)!)
    bad[10]! ^= 0xff
    const got = createHash('sha256').update(bad).digest('hex')
    await expect(fromIndex(root)).rejects.toMatchObject({
      code: 'gpu-pack-mismatch',
      message:
        `${w.file}: sha256 ${got}, expected ${w.sha256}; the GPU pack was not installed; nothing ` +
        'was changed. The damaged download was deleted: running the install again fetches it anew.',
    })
    expect(readdirSync(root)).toEqual(['downloads'])
    const kept = readdirSync(join(root, 'downloads'))
    expect(kept).toHaveLength(pack.bytes.size - 1)
    expect(kept).not.toContain(w.file)

    mode.flip = ''
    requests.length = 0
    const r = await fromIndex(root)
    expect(requests.map((q) => q.file)).toEqual([w.file]) // only the deleted wheel again
    expect(r.bytesDownloaded).toBe(pack.bytes.get(w.file)!.length)
    expect(existsSync(join(root, 'downloads'))).toBe(false)
  })

  it('refuses a server that sends more than the pinned size and drops that part', async () => {
    const root = newRoot()
    const w = cudnn()
    mode.pad = w.file
    await expect(fromIndex(root)).rejects.toMatchObject({
      code: 'gpu-pack-mismatch',
      message:
        `${w.file}: the server sent more than the pinned ${w.size} bytes; the GPU pack was not ` +
        'installed; nothing was changed.',
    })
    expect(readdirSync(root)).toEqual(['downloads'])
    expect(readdirSync(join(root, 'downloads'))).not.toContain(`${w.file}.part`)
  })

  it('reports an index that lacks a wheel with its HTTP status', async () => {
    const root = newRoot()
    const lines: string[] = []
    await expect(
      installGpuPack({
        source: { kind: 'index', indexUrl: `${base}/nowhere` },
        root,
        lock: pack.lock,
        platform: PLATFORM,
        onnxruntimeNodeDir: pack.ortNode,
        announce: (l) => lines.push(l),
      }),
    ).rejects.toMatchObject({
      code: 'gpu-pack-download',
      message:
        `${pack.lock.platforms[PLATFORM]!.tool!.file}: ${new URL(base).host} answered HTTP 404; ` +
        'the GPU pack was not installed. Copy the wheels to a folder and install from it instead ' +
        '(docs/GPU.md).',
    })
    expect(readdirSync(root)).toEqual(['downloads'])
  })
})
