// installGpuPack: the pinned wheels (downloaded, or from a folder the user copied) are verified,
// then only the listed libraries are extracted into a staging folder, the CUDA provider gets
// RUNPATH $ORIGIN, onnxruntime-node's binding is copied beside them, pack.json is written last and
// the staging folder becomes the pack in one rename. Any refusal leaves no half pack behind.
import { execFile } from 'node:child_process'
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  statfsSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { CtsError } from '../../shared'
import {
  GPU_PACK_MANIFEST,
  GPU_PACK_VERSION,
  gpuPackPlatform,
  gpuPackRoot,
  readGpuPackManifest,
  type GpuPackFile,
  type GpuPackManifest,
} from '../../shared/gpu-pack-paths'
import { checkGpuPackFiles, DOWNLOADS, OLD_PREFIX, STAGING_PREFIX } from './check'
import { readRunpath } from './elf'
import { extractMembers, mismatch, NOT_INSTALLED, sha256OfFile } from './extract'
import { takeInstallLock } from './install-lock'
import { copyIntoDownloads, fetchAll, locateInFolder } from './sources'
import {
  loadGpuPackLock,
  packFileNames,
  platformLock,
  type GpuPackLock,
  type GpuPackPlatformLock,
  type GpuPackWheel,
} from './lock'
import type { GpuPackInstallResult, GpuPackProgress, GpuPackSource } from './types'

const run = promisify(execFile)

export interface InstallGpuPackOptions {
  source: GpuPackSource
  root?: string
  lock?: GpuPackLock
  platform?: string
  onProgress?: (p: GpuPackProgress) => void
  signal?: AbortSignal
  /** Where the "This command connects to …" line goes (default: stderr). */
  announce?: (line: string) => void
  /** onnxruntime-node's package folder (default: the one this app resolves). */
  onnxruntimeNodeDir?: string
}

/** The onnxruntime-node package whose binding is copied, and its version. */
function onnxruntimeNode(dir?: string): { dir: string; version: string } {
  const pkgDir =
    dir ?? dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'))
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string }
  return { dir: pkgDir, version: pkg.version }
}

/** A whole pack of this lock for this onnxruntime-node: pack.json matches and every file's size. */
function isWhole(
  dir: string,
  lock: GpuPackLock,
  p: GpuPackPlatformLock,
  platform: string,
  ort: string,
): boolean {
  const m = readGpuPackManifest(dir)
  if (!m) return false
  const same =
    m.version === lock.version &&
    m.platform === platform &&
    m.onnxruntimeNode === ort &&
    m.lockSha256 === lock.sha256 &&
    m.files.map((f) => f.name).join('\n') === packFileNames(p).join('\n')
  if (!same) return false
  const check = checkGpuPackFiles(dir)
  return check.missing.length === 0 && check.damaged.length === 0
}

const gb = (bytes: number): string => (bytes / 1e9).toFixed(1)

function cancelledError(): CtsError {
  return new CtsError(
    'cancelled',
    'The GPU pack installation was cancelled; what was downloaded is kept, so running it again resumes.',
  )
}

/** Installs the GPU pack for this computer; see the file header for the steps. */
export async function installGpuPack(opts: InstallGpuPackOptions): Promise<GpuPackInstallResult> {
  const lock = opts.lock ?? loadGpuPackLock()
  const host = gpuPackPlatform()
  const platform = opts.platform ?? host
  const p = platformLock(lock, platform)
  if (platform !== host) {
    throw new CtsError(
      'unsupported',
      `The ${platform} GPU pack cannot be installed on this computer (${host}).`,
    )
  }
  if (lock.version !== GPU_PACK_VERSION) {
    throw new CtsError(
      'internal',
      `The GPU pack lock is for ${lock.version}, but this app loads ${GPU_PACK_VERSION}.`,
    )
  }
  const ort = onnxruntimeNode(opts.onnxruntimeNodeDir)
  if (ort.version !== lock.onnxruntimeNode) {
    throw new CtsError(
      'unsupported',
      `The GPU pack ${lock.version} is built for onnxruntime-node ${lock.onnxruntimeNode}, but ` +
        `this app has ${ort.version}; install the app's matching release of the pack.`,
    )
  }
  const root = resolve(opts.root ?? gpuPackRoot())
  const dir = join(root, lock.version)
  const report = opts.onProgress ?? (() => {})
  if (isWhole(dir, lock, p, platform, ort.version)) {
    report({ phase: 'done', bytes: 0, totalBytes: 0 })
    return {
      dir,
      alreadyInstalled: true,
      files: [...packFileNames(p), GPU_PACK_MANIFEST],
      bytesDownloaded: 0,
    }
  }
  mkdirSync(root, { recursive: true })
  const release = takeInstallLock(root)
  const staging = join(root, `${STAGING_PREFIX}${lock.version}`)
  try {
    return await installLocked({ ...opts, lock, platform, p, root, dir, staging, ort, report })
  } catch (err) {
    rmSync(staging, { recursive: true, force: true })
    if (opts.signal?.aborted && !(err instanceof CtsError && err.code === 'cancelled')) {
      throw cancelledError()
    }
    if (err instanceof CtsError) throw err
    throw new CtsError('gpu-pack-failed', `${(err as Error).message}; ${NOT_INSTALLED}`)
  } finally {
    // The copies of a folder's wheels never outlive the install, whole or failed.
    rmSync(join(root, FOLDER_COPIES), { recursive: true, force: true })
    release()
  }
}

/** Where a folder install copies the user's wheels before checking them (see copyIntoDownloads). */
const FOLDER_COPIES = '.folder-copies'

interface Ctx extends InstallGpuPackOptions {
  lock: GpuPackLock
  platform: string
  p: GpuPackPlatformLock
  root: string
  dir: string
  staging: string
  ort: { dir: string; version: string }
  report: (p: GpuPackProgress) => void
}

async function installLocked(c: Ctx): Promise<GpuPackInstallResult> {
  const needsTool = c.p.wheels.some((w) => w.extract.some((e) => e.runpath))
  if (needsTool && !c.p.tool) {
    throw new CtsError(
      'internal',
      `The GPU pack lock for ${c.platform} sets a RUNPATH but has no tool.`,
    )
  }
  const wheels: GpuPackWheel[] = [...(needsTool ? [c.p.tool!] : []), ...c.p.wheels]
  const bindingDir = join(c.ort.dir, c.p.binding.dir)
  for (const f of c.p.binding.files) {
    if (!existsSync(join(bindingDir, f))) {
      throw new CtsError(
        'not-found',
        `onnxruntime-node's ${f} is missing from ${bindingDir}; reinstall Clinical Text Studio.`,
      )
    }
  }
  const fromIndex = c.source.kind === 'index'
  const downloads = join(c.root, DOWNLOADS)
  const paths = fromIndex
    ? await fetchAll(c, wheels, downloads)
    : locateInFolder(resolve((c.source as { dir: string }).dir), wheels)
  // What is hashed below is what is unpacked: our own copy, never the user's folder itself.
  if (!fromIndex) paths.files = copyIntoDownloads(paths.files, join(c.root, FOLDER_COPIES))
  const bytesDownloaded = paths.fetched

  // Every wheel is checked before anything is extracted: a bad one changes nothing.
  const total = wheels.reduce((s, w) => s + w.size, 0)
  let done = 0
  for (const [i, w] of wheels.entries()) {
    if (c.signal?.aborted) throw cancelledError()
    const path = paths.files[i]!
    const size = statSync(path).size
    if (size !== w.size) {
      // Only the copy in downloads/ goes: a rerun fetches (or copies) it anew.
      unlinkSync(path)
      throw mismatch(`${w.file}: ${size} bytes, expected ${w.size}`)
    }
    const got = await sha256OfFile(
      path,
      (n) => c.report({ phase: 'verify', file: w.file, bytes: (done += n), totalBytes: total }),
      c.signal,
    )
    if (got !== w.sha256) {
      unlinkSync(path)
      const tail = fromIndex
        ? ' The damaged download was deleted: running the install again fetches it anew.'
        : ''
      throw new CtsError(
        'gpu-pack-mismatch',
        `${w.file}: sha256 ${got}, expected ${w.sha256}; ${NOT_INSTALLED}${tail}`,
      )
    }
  }
  checkFreeSpace(c)

  rmSync(c.staging, { recursive: true, force: true })
  mkdirSync(c.staging, { recursive: true })
  const toolDir = join(c.staging, '.tool')
  const extractTotal = wheels.reduce((s, w) => s + w.extract.reduce((t, e) => t + e.size, 0), 0)
  let extracted = 0
  const files = new Map<string, GpuPackFile>()
  for (const [i, w] of wheels.entries()) {
    if (c.signal?.aborted) throw cancelledError()
    const isTool = needsTool && i === 0
    const into = isTool ? toolDir : c.staging
    mkdirSync(into, { recursive: true })
    const out = await extractMembers(
      paths.files[i]!,
      w.file,
      w.extract,
      into,
      (n) =>
        c.report({
          phase: 'extract',
          file: w.file,
          bytes: (extracted += n),
          totalBytes: extractTotal,
        }),
      c.signal,
    )
    if (isTool) continue
    for (const e of out)
      files.set(e.to, {
        name: e.to,
        sha256: e.sha256,
        size: e.size,
        from: `${w.name} ${w.version}`,
      })
  }

  if (needsTool) await setRunpaths(c, join(toolDir, c.p.tool!.extract[0]!.to), files)
  rmSync(toolDir, { recursive: true, force: true })

  const bindingTotal = c.p.binding.files.reduce((s, f) => s + statSync(join(bindingDir, f)).size, 0)
  let copied = 0
  const binding: GpuPackFile[] = []
  for (const f of c.p.binding.files) {
    const target = join(c.staging, f)
    copyFileSync(join(bindingDir, f), target)
    const size = statSync(target).size
    const sha256 = await sha256OfFile(target, undefined, c.signal)
    binding.push({ name: f, sha256, size, from: `onnxruntime-node ${c.ort.version}` })
    c.report({ phase: 'binding', file: f, bytes: (copied += size), totalBytes: bindingTotal })
  }

  const manifest: GpuPackManifest = {
    version: c.lock.version,
    platform: c.platform,
    onnxruntimeNode: c.ort.version,
    lockSha256: c.lock.sha256,
    installedAt: new Date().toISOString(),
    source: c.source.kind,
    files: [
      ...binding,
      ...packFileNames(c.p)
        .slice(binding.length)
        .map((n) => files.get(n)!),
    ],
  }
  if (c.signal?.aborted) throw cancelledError()
  writeFileSync(join(c.staging, GPU_PACK_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`)

  // A stale (damaged, older) pack makes way only now that the new one is whole.
  if (existsSync(c.dir)) {
    const old = join(c.root, `${OLD_PREFIX}${c.lock.version}-${process.pid}`)
    rmSync(old, { recursive: true, force: true })
    renameSync(c.dir, old)
    renameSync(c.staging, c.dir)
    rmSync(old, { recursive: true, force: true })
  } else renameSync(c.staging, c.dir)
  rmSync(downloads, { recursive: true, force: true })
  c.report({ phase: 'done', bytes: total, totalBytes: total })
  return {
    dir: c.dir,
    alreadyInstalled: false,
    files: [...manifest.files.map((f) => f.name), GPU_PACK_MANIFEST],
    bytesDownloaded,
  }
}

/** RUNPATH with the pinned patchelf (run from staging), read back with our ELF reader. */
async function setRunpaths(
  c: Ctx,
  patchelf: string,
  files: Map<string, GpuPackFile>,
): Promise<void> {
  chmodSync(patchelf, 0o755)
  const todo = c.p.wheels.flatMap((w) => w.extract.filter((e) => e.runpath))
  for (const [i, e] of todo.entries()) {
    const file = join(c.staging, e.to)
    try {
      await run(patchelf, ['--set-rpath', e.runpath!, file], { timeout: 300_000 })
    } catch (err) {
      const msg = (err as { stderr?: string }).stderr?.trim() || (err as Error).message
      throw new CtsError(
        'gpu-pack-failed',
        `patchelf could not set the RUNPATH of ${e.to}: ${msg}; ${NOT_INSTALLED}`,
      )
    }
    const got = readRunpath(file)
    if (got !== e.runpath) {
      throw mismatch(
        `${e.to}: RUNPATH is ${got ?? 'not set'} after patchelf, expected ${e.runpath}`,
      )
    }
    const sha256 = await sha256OfFile(file, undefined, c.signal)
    files.set(e.to, { ...files.get(e.to)!, sha256, size: statSync(file).size })
    c.report({ phase: 'runpath', file: e.to, bytes: i + 1, totalBytes: todo.length })
  }
}

/** Refuses before extracting when the disk cannot hold the pack (statfs where the OS has it). */
function checkFreeSpace(c: Ctx): void {
  const need = c.p.wheels.reduce((s, w) => s + w.extract.reduce((t, e) => t + e.size, 0), 0) + 100e6
  let free: number
  try {
    const st = statfsSync(c.root)
    free = st.bavail * st.bsize
  } catch {
    return // no statfs here: the extraction itself reports a full disk
  }
  if (free < need) {
    throw new CtsError(
      'bad-input',
      `The GPU pack needs ${gb(need)} GB free in ${c.root}, but ${gb(free)} GB are free. Free ` +
        `some space and run the install again; ${NOT_INSTALLED}`,
    )
  }
}
