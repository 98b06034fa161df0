// The GPU pack installed from a folder of copied wheels (offline hospitals): exact layout, manifest
// hashes, RUNPATH, idempotence, refusals that leave nothing behind, and removal.
import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  mkdirSync,
  copyFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  checkGpuPackFiles,
  installGpuPack,
  packFileNames,
  readRunpath,
  removeGpuPack,
  type GpuPackProgress,
} from '../../../main/services/gpu-pack'
import { readGpuPackManifest } from '../../../main/shared/gpu-pack-paths'
import { LINUX_PACK_FILES } from './linux-pack-files'
import { buildSyntheticPack, PLATFORM, variantLock, type SyntheticPack } from './synthetic-pack'

const tmp = mkdtempSync(join(tmpdir(), 'cts-gpu-pack-folder-'))
let pack: SyntheticPack
let n = 0
const newRoot = () => join(tmp, `root-${++n}`)
const sha256 = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex')
const NOT_INSTALLED = 'the GPU pack was not installed; nothing was changed.'

const EXPECTED_FILES = LINUX_PACK_FILES

beforeAll(async () => {
  pack = await buildSyntheticPack(join(tmp, 'fixture'))
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const fromFolder = (root: string, extra: Partial<Parameters<typeof installGpuPack>[0]> = {}) =>
  installGpuPack({
    source: { kind: 'folder', dir: pack.wheels },
    root,
    lock: pack.lock,
    platform: PLATFORM,
    onnxruntimeNodeDir: pack.ortNode,
    ...extra,
  })

describe('installGpuPack from a folder', () => {
  it('installs exactly the listed libraries, the binding and pack.json, with RUNPATH $ORIGIN', async () => {
    const root = newRoot()
    const phases: string[] = []
    const r = await fromFolder(root, {
      onProgress: (p: GpuPackProgress) => {
        if (phases.at(-1) !== p.phase) phases.push(p.phase)
      },
      onnxruntimeNodeDir: undefined, // the app's own onnxruntime-node, resolved with createRequire
    })
    const dir = join(root, 'cuda13-ort1.30.0')
    expect(r).toEqual({
      dir,
      alreadyInstalled: false,
      files: [...EXPECTED_FILES, 'pack.json'],
      bytesDownloaded: 0,
    })
    expect(packFileNames(pack.lock.platforms[PLATFORM]!)).toEqual(EXPECTED_FILES)
    expect(readdirSync(dir).sort()).toEqual([...EXPECTED_FILES, 'pack.json'].sort())
    expect(readdirSync(root)).toEqual(['cuda13-ort1.30.0']) // no staging, downloads or lock left
    expect(phases).toEqual(['verify', 'extract', 'runpath', 'binding', 'done'])

    const m = readGpuPackManifest(dir)!
    expect(m).toMatchObject({
      version: 'cuda13-ort1.30.0',
      platform: 'linux-x64',
      onnxruntimeNode: '1.30.0',
      lockSha256: pack.lock.sha256,
      source: 'folder',
    })
    expect(m.files.map((f) => f.name)).toEqual(EXPECTED_FILES)
    for (const f of m.files) {
      expect([f.name, f.sha256, f.size]).toEqual([
        f.name,
        sha256(join(dir, f.name)),
        statSync(join(dir, f.name)).size,
      ])
    }
    expect(m.files.find((f) => f.name === 'libcudnn_ops.so.9')!.from).toBe(
      'nvidia-cudnn-cu13 9.28.1.4',
    )
    const ort = join(__dirname, '../../../node_modules/onnxruntime-node/bin/napi-v6/linux/x64')
    expect(m.files[0]).toEqual({
      name: 'onnxruntime_binding.node',
      sha256: sha256(join(ort, 'onnxruntime_binding.node')),
      size: statSync(join(ort, 'onnxruntime_binding.node')).size,
      from: 'onnxruntime-node 1.30.0',
    })
    expect(readRunpath(join(dir, 'libonnxruntime_providers_cuda.so'))).toBe('$ORIGIN')
    expect(readRunpath(join(dir, 'libcublas.so.13'))).toBeNull() // untouched: only the provider
    expect(checkGpuPackFiles(dir, { deep: true })).toEqual({
      present: EXPECTED_FILES,
      missing: [],
      damaged: [],
    })
  })

  it('is idempotent: a whole pack is reported as installed and nothing is written', async () => {
    const root = newRoot()
    await fromFolder(root)
    const manifest = join(root, 'cuda13-ort1.30.0', 'pack.json')
    const before = statSync(manifest).mtimeMs
    const again = await fromFolder(root)
    expect(again).toEqual({
      dir: join(root, 'cuda13-ort1.30.0'),
      alreadyInstalled: true,
      files: [...EXPECTED_FILES, 'pack.json'],
      bytesDownloaded: 0,
    })
    expect(statSync(manifest).mtimeMs).toBe(before)
  })

  it('reinstalls a damaged pack, replacing it whole', async () => {
    const root = newRoot()
    await fromFolder(root)
    const dir = join(root, 'cuda13-ort1.30.0')
    writeFileSync(join(dir, 'libcudart.so.13'), 'truncated')
    rmSync(join(dir, 'libcurand.so.10'))
    expect(checkGpuPackFiles(dir)).toMatchObject({
      missing: ['libcurand.so.10'],
      damaged: ['libcudart.so.13'],
    })
    const r = await fromFolder(root)
    expect(r.alreadyInstalled).toBe(false)
    expect(checkGpuPackFiles(dir, { deep: true })).toEqual({
      present: EXPECTED_FILES,
      missing: [],
      damaged: [],
    })
    expect(readdirSync(root)).toEqual(['cuda13-ort1.30.0'])
  })

  it('refuses a wheel with one byte flipped, leaving no pack folder and no staging', async () => {
    const root = newRoot()
    const damaged = join(tmp, 'damaged-wheels')
    mkdirSync(damaged, { recursive: true })
    for (const f of readdirSync(pack.wheels)) copyFileSync(join(pack.wheels, f), join(damaged, f))
    const cudnn = pack.lock.platforms[PLATFORM]!.wheels.find((w) => w.name === 'nvidia-cudnn-cu13')!
    const bytes = Buffer.from(pack.bytes.get(cudnn.file)!)
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff
    writeFileSync(join(damaged, cudnn.file), bytes)
    const got = createHash('sha256').update(bytes).digest('hex')
    await expect(
      fromFolder(root, { source: { kind: 'folder', dir: damaged } }),
    ).rejects.toMatchObject({
      code: 'gpu-pack-mismatch',
      message: `${cudnn.file}: sha256 ${got}, expected ${cudnn.sha256}; ${NOT_INSTALLED}`,
    })
    expect(readdirSync(root)).toEqual([])
    expect(readFileSync(join(damaged, cudnn.file)).equals(bytes)).toBe(true) // the user's file stays
  })

  it('refuses a wheel that lacks a listed member, leaving nothing behind', async () => {
    const root = newRoot()
    const lock = variantLock(pack, 'missing-member', (l) => {
      const w = l.platforms[PLATFORM]!.wheels.find((x) => x.file.startsWith('nvidia_cublas'))!
      w.extract.push({ from: 'nvidia/cu13/lib/libcublas.so.99', to: 'libcublas.so.99', size: 1 })
    })
    const cublas = lock.platforms[PLATFORM]!.wheels.find((w) => w.name === 'nvidia-cublas')!
    await expect(fromFolder(root, { lock })).rejects.toMatchObject({
      code: 'gpu-pack-mismatch',
      message: `${cublas.file} has no nvidia/cu13/lib/libcublas.so.99; ${NOT_INSTALLED}`,
    })
    expect(readdirSync(root)).toEqual([])
  })

  it('refuses a member of another size than pinned', async () => {
    const root = newRoot()
    const lock = variantLock(pack, 'member-size', (l) => {
      const w = l.platforms[PLATFORM]!.wheels.find((x) => x.file.startsWith('nvidia_curand'))!
      w.extract[0]!.size = 12345
    })
    const curand = lock.platforms[PLATFORM]!.wheels.find((w) => w.name === 'nvidia-curand')!
    const real = pack.lock.platforms[PLATFORM]!.wheels.find((w) => w.name === 'nvidia-curand')!
    await expect(fromFolder(root, { lock })).rejects.toMatchObject({
      code: 'gpu-pack-mismatch',
      message:
        `${curand.file}: nvidia/cu13/lib/libcurand.so.10 is ${real.extract[0]!.size} bytes, ` +
        `expected 12345; ${NOT_INSTALLED}`,
    })
    expect(readdirSync(root)).toEqual([])
  })

  it('names every wheel the folder lacks', async () => {
    const root = newRoot()
    const partial = join(tmp, 'partial-wheels')
    mkdirSync(partial, { recursive: true })
    const all = pack.lock.platforms[PLATFORM]!
    for (const w of all.wheels.slice(0, 5))
      copyFileSync(join(pack.wheels, w.file), join(partial, w.file))
    const lacking = [all.tool!.file, ...all.wheels.slice(5).map((w) => w.file)]
    await expect(
      fromFolder(root, { source: { kind: 'folder', dir: partial } }),
    ).rejects.toMatchObject({
      code: 'not-found',
      message:
        `${partial} lacks 3 of the 8 wheels: ${lacking.join(', ')}. Copy them into it ` +
        `(docs/GPU.md lists them); ${NOT_INSTALLED}`,
    })
    expect(readdirSync(root)).toEqual([])
  })

  it('refuses Windows and macOS clearly (the Windows layout is designed, not implemented)', async () => {
    await expect(fromFolder(newRoot(), { platform: 'win32-x64' })).rejects.toMatchObject({
      code: 'unsupported',
      message:
        'The NVIDIA GPU pack can be installed on Linux (x64) only; this computer is win32-x64. ' +
        'Its layout is designed (docs/GPU.md) but installing it is not implemented yet. ' +
        'Training and prediction run on the CPU (or WebGPU) here.',
    })
    await expect(fromFolder(newRoot(), { platform: 'darwin-arm64' })).rejects.toMatchObject({
      code: 'unsupported',
      message:
        'The NVIDIA GPU pack can be installed on Linux (x64) only; this computer is darwin-arm64. ' +
        'Training and prediction run on the CPU (or WebGPU) here.',
    })
  })

  it('stops when cancelled, leaving no staging', async () => {
    const root = newRoot()
    const ac = new AbortController()
    ac.abort()
    await expect(fromFolder(root, { signal: ac.signal })).rejects.toMatchObject({
      code: 'cancelled',
    })
    expect(readdirSync(root)).toEqual([])
  })
})

describe('removeGpuPack', () => {
  it('removes the pack folder and downloads; a second removal finds nothing', async () => {
    const root = newRoot()
    await fromFolder(root)
    mkdirSync(join(root, 'downloads'))
    writeFileSync(join(root, 'downloads', 'x.whl.part'), 'partial')
    const dir = join(root, 'cuda13-ort1.30.0')
    expect(await removeGpuPack(root)).toEqual({ removed: true, dir })
    expect(readdirSync(root)).toEqual([])
    expect(existsSync(dir)).toBe(false)
    expect(await removeGpuPack(root)).toEqual({ removed: false, dir })
    expect(checkGpuPackFiles(dir)).toEqual({ present: [], missing: ['pack.json'], damaged: [] })
  })
})
