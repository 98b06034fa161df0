// Builds a synthetic GPU pack in a temp dir: wheels with the REAL file names and member paths of
// resources/gpu/gpu-pack.lock.json, whose libraries are tiny ELF objects compiled with `cc -shared`
// and whose patchelf is /usr/bin/patchelf, plus a lock pinning their real sha256 and sizes.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import JSZip from 'jszip'
import { loadGpuPackLock, type GpuPackLock } from '../../../main/services/gpu-pack'

export const REAL_LOCK = loadGpuPackLock(
  join(__dirname, '../../../resources/gpu/gpu-pack.lock.json'),
)
export const PLATFORM = 'linux-x64'

export interface SyntheticPack {
  /** The folder of wheels (what a hospital would copy over). */
  wheels: string
  lockFile: string
  lock: GpuPackLock
  /** A stand-in onnxruntime-node package: version 1.30.0, a tiny binding and runtime library. */
  ortNode: string
  /** Every wheel's bytes by file name. */
  bytes: Map<string, Buffer>
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

/** One small shared object per name, so each pack file has its own hash. */
function compileSo(dir: string, name: string): Buffer {
  const src = join(dir, 'src', `${name}.c`)
  const out = join(dir, 'src', `${name}.out`)
  const symbol = name.replace(/[^A-Za-z0-9]/g, '_')
  writeFileSync(src, `int cts_${symbol}(void) { return ${name.length}; }\n`)
  execFileSync('cc', ['-shared', '-fPIC', '-o', out, src])
  return readFileSync(out)
}

/** The synthetic lock changed by `edit` (e.g. a member the wheel lacks), written beside it. */
export function variantLock(pack: SyntheticPack, name: string, edit: (lock: LockJson) => void) {
  const json = JSON.parse(readFileSync(pack.lockFile, 'utf8')) as LockJson
  edit(json)
  const file = join(pack.lockFile, '..', `${name}.lock.json`)
  writeFileSync(file, JSON.stringify(json, null, 2))
  return loadGpuPackLock(file)
}

type LockJson = {
  platforms: Record<string, { wheels: { file: string; extract: Record<string, unknown>[] }[] }>
}

export async function buildSyntheticPack(dir: string): Promise<SyntheticPack> {
  const wheels = join(dir, 'wheels')
  mkdirSync(join(dir, 'src'), { recursive: true })
  mkdirSync(wheels, { recursive: true })
  const real = REAL_LOCK.platforms[PLATFORM]!
  const bytes = new Map<string, Buffer>()
  const wheel = async (w: (typeof real.wheels)[number], isTool: boolean) => {
    const zip = new JSZip()
    const extract = []
    for (const e of w.extract) {
      const data = isTool ? readFileSync('/usr/bin/patchelf') : compileSo(dir, e.to)
      zip.file(e.from, data, { binary: true })
      extract.push({ ...e, size: data.length })
    }
    // Members the installer must leave alone: metadata, and a provider we do not ship.
    zip.file(`${w.name.replace(/-/g, '_')}-${w.version}.dist-info/METADATA`, `Name: ${w.name}\n`)
    if (w.name === 'onnxruntime-gpu') {
      zip.file('onnxruntime/capi/libonnxruntime_providers_tensorrt.so', 'not shipped')
    }
    const buf = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' })
    writeFileSync(join(wheels, w.file), buf)
    bytes.set(w.file, buf)
    return { ...w, size: buf.length, sha256: sha256(buf), extract }
  }
  const lockJson: Record<string, unknown> = {
    version: REAL_LOCK.version,
    minDriver: REAL_LOCK.minDriver,
    onnxruntimeNode: REAL_LOCK.onnxruntimeNode,
    platforms: {
      [PLATFORM]: {
        implemented: true,
        binding: real.binding,
        tool: await wheel(real.tool!, true),
        wheels: await Promise.all(real.wheels.map((w) => wheel(w, false))),
      },
      'win32-x64': REAL_LOCK.platforms['win32-x64'],
    },
  }
  const lockFile = join(dir, 'gpu-pack.lock.json')
  writeFileSync(lockFile, JSON.stringify(lockJson, null, 2))

  const ortNode = join(dir, 'onnxruntime-node')
  const bin = join(ortNode, real.binding.dir)
  mkdirSync(bin, { recursive: true })
  writeFileSync(
    join(ortNode, 'package.json'),
    '{ "name": "onnxruntime-node", "version": "1.30.0" }',
  )
  for (const f of real.binding.files) writeFileSync(join(bin, f), compileSo(dir, basename(f)))
  return { wheels, lockFile, lock: loadGpuPackLock(lockFile), ortNode, bytes }
}
