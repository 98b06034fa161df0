// `cts gpu install [--from-folder DIR] [--index-url URL]`, `cts gpu status [--json] [--deep]`,
// `cts gpu remove`: the NVIDIA GPU pack (issue #14 point 1). Machine-level: no workspace is opened.
import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { Command } from 'commander'
import type {
  CallArgs,
  CallName,
  CallResult,
  GpuProgressDto,
  GpuStatusDto,
} from '../../../preload/contract'
import { gpuDispatcher } from '../../root/gpu-calls'
import { argumentIssues } from '../../root/dispatch'
import { CtsError } from '../../shared'
import { flagMessage, quotedFlag, type FlagMap } from '../flag-errors'
import type { CliCommand } from './command'

const out = (text: string): void => void process.stdout.write(text + '\n')
const err = (text: string): void => void process.stderr.write(text + '\n')

const MB = 1024 * 1024
const mb = (bytes: number): string => `${(bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0)} MB`

/** One contract call through the root's dispatch; a failure throws with the flag it came from. */
async function call<C extends CallName>(
  name: C,
  args: CallArgs<C>,
  opts: { flags?: FlagMap; onProgress?: (p: GpuProgressDto) => void } = {},
): Promise<CallResult<C>> {
  const dispatch = gpuDispatcher(
    (event, payload) => {
      if (event === 'gpu/progress') opts.onProgress?.(payload as GpuProgressDto)
    },
    // The installer's egress announcement, before it connects: on stderr, like progress.
    { announce: err },
  )
  const envelope = await dispatch(name, args, { log: err })
  if (!envelope.ok) {
    const { code, message, details } = envelope.error
    let byFlag = opts.flags
      ? flagMessage(name, args, argumentIssues(envelope.error), opts.flags)
      : null
    // "/x lacks 3 of the 8 wheels: …": say which flag gave the folder.
    const quoted =
      opts.flags && !byFlag && code === 'not-found' ? quotedFlag(args, message, opts.flags) : null
    if (quoted) byFlag = `${quoted}: ${message}`
    throw new CtsError(code, byFlag ?? message, byFlag ? undefined : details)
  }
  return envelope.value as CallResult<C>
}

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol)
  } catch {
    return false
  }
}

const PHASE_WORDS: Record<GpuProgressDto['phase'], string> = {
  download: 'downloading',
  verify: 'verifying',
  extract: 'extracting',
  runpath: 'setting RUNPATH',
  binding: 'copying the onnxruntime binding',
  done: 'done',
}

/** "downloading nvidia_cublas-….whl: 120.0 of 540 MB (22%)" — at most one line per second. */
function progressLines(): (p: GpuProgressDto) => void {
  let last = ''
  let lastAt = 0
  return (p) => {
    if (p.phase === 'done') return err(PHASE_WORDS.done)
    const what = `${PHASE_WORDS[p.phase]}${p.file ? ` ${p.file}` : ''}`
    const now = Date.now()
    if (what === last && now - lastAt < 1000 && p.bytes < p.totalBytes) return
    last = what
    lastAt = now
    const pct = p.totalBytes > 0 ? ` (${Math.floor((100 * p.bytes) / p.totalBytes)}%)` : ''
    err(p.totalBytes > 0 ? `${what}: ${mb(p.bytes)} of ${mb(p.totalBytes)}${pct}` : what)
  }
}

/** The human lines of `cts gpu status`: GPU, driver, the pack and each library, CUDA, next step. */
export function statusLines(s: GpuStatusDto): string[] {
  const lines = [
    `GPU: ${s.gpu.present ? (s.gpu.name ?? 'NVIDIA GPU') : 'no NVIDIA GPU found'}`,
    `Driver: ${s.driver.version ?? 'none'} (CUDA 13 needs ${s.driver.minimum} or newer${
      s.driver.version ? (s.driver.ok ? ': ok' : ': too old') : ''
    })`,
    `GPU pack ${s.pack.version}: ${s.pack.state.replace('-', ' ')} (${s.pack.dir})`,
  ]
  if (!s.supported) lines.push(`This computer (${s.platform}) has no GPU pack.`)
  for (const f of s.pack.files) lines.push(`  ${f.name}: ${f.state}`)
  lines.push(
    `CUDA session: ${
      s.cuda.sessionStarts === null
        ? 'not checked'
        : s.cuda.sessionStarts
          ? 'starts'
          : `does not start${s.cuda.error ? ` (${s.cuda.error})` : ''}`
    }`,
  )
  lines.push(`Next step: ${s.message ?? 'none: training and prediction run on the GPU.'}`)
  return lines
}

const installCommand = () =>
  new Command('install')
    .description(
      'install the NVIDIA GPU pack (onnxruntime CUDA provider + NVIDIA libraries, about 1 GB) from the package index, or from a folder of wheels copied over',
    )
    .option('--from-folder <dir>', 'take the wheels from this folder; connects nowhere')
    .option('--index-url <url>', 'download from this package index mirror instead of PyPI')
    .action(async (opts: { fromFolder?: string; indexUrl?: string }) => {
      if (opts.fromFolder !== undefined && opts.indexUrl !== undefined)
        throw new CtsError(
          'bad-input',
          '--from-folder and --index-url exclude each other: a folder of wheels connects nowhere.',
        )
      if (opts.fromFolder !== undefined) {
        const dir = resolve(opts.fromFolder)
        if (opts.fromFolder === '' || !existsSync(dir) || !statSync(dir).isDirectory())
          throw new CtsError(
            'bad-input',
            `--from-folder must be a folder holding the GPU pack wheels; ${dir} is not a folder.`,
          )
      }
      if (opts.indexUrl !== undefined && !isHttpUrl(opts.indexUrl))
        throw new CtsError(
          'bad-input',
          `--index-url must be an http(s) address of a package index, like https://files.pythonhosted.org (got ${JSON.stringify(opts.indexUrl)}).`,
        )
      const args: CallArgs<'gpu/install'> =
        opts.fromFolder !== undefined
          ? { source: 'folder', folder: resolve(opts.fromFolder) }
          : { source: 'index', ...(opts.indexUrl !== undefined ? { indexUrl: opts.indexUrl } : {}) }
      const result = await call('gpu/install', args, {
        flags: { folder: '--from-folder', indexUrl: '--index-url' },
        onProgress: progressLines(),
      })
      if (result.alreadyInstalled) {
        out(`The GPU pack is installed already in ${result.dir}; nothing was changed.`)
        return
      }
      out(
        `Installed the GPU pack in ${result.dir}: ${result.files.length} files` +
          (result.bytesDownloaded > 0 ? `, ${mb(result.bytesDownloaded)} downloaded.` : '.'),
      )
      out('Run `cts gpu status` to check that a CUDA session starts.')
    })

const statusCommand = () =>
  new Command('status')
    .description(
      'the NVIDIA GPU, its driver, each library of the GPU pack, whether a CUDA session starts',
    )
    .option('--json', 'print the status as JSON')
    .option('--deep', 're-hash every library of the pack (slower) instead of checking sizes')
    .action(async (opts: { json?: boolean; deep?: boolean }) => {
      const status = await call('gpu/status', { probe: true, deep: opts.deep === true })
      if (opts.json) out(JSON.stringify(status))
      else for (const line of statusLines(status)) out(line)
    })

const removeCommand = () =>
  new Command('remove')
    .description('remove the GPU pack; the app goes back to the CPU')
    .action(async () => {
      const { removed } = await call('gpu/remove', {})
      out(
        removed
          ? 'Removed the GPU pack; training and prediction use the CPU from now on.'
          : 'No GPU pack is installed; nothing was removed.',
      )
    })

export const gpuCommand: CliCommand = {
  name: 'gpu',
  register(program) {
    program.addCommand(
      new Command('gpu')
        .description('the NVIDIA GPU pack: install, status, remove')
        .addCommand(installCommand())
        .addCommand(statusCommand())
        .addCommand(removeCommand()),
    )
  },
}
