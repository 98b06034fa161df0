// Whether a CUDA session starts on this computer, asked of a child process (cuda-probe-entry.ts,
// the CLI) — a failing CUDA start-up may abort the process, which must never be the caller's —
// and the texts both ways of asking share (the app asks a 'cuda-probe' job process instead).
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, extname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { CUDA_PROBE_TAG, type CudaProbeLine } from './cuda-probe-protocol'

export interface CudaProbeResult {
  sessionStarts: boolean
  /** Why not, as exactly as onnxruntime said it (its native detail in brackets), or null. */
  error: string | null
  /** Where the child loaded onnxruntime's binding from: the GPU pack's, or null (the app's own). */
  bindingFrom: string | null
}

/** The probe entry next to this build of the code (.ts under tsx, .js when bundled). */
export function cudaProbeEntryPath(): string {
  const here = fileURLToPath(import.meta.url)
  return join(dirname(here), `cuda-probe-entry${extname(here)}`)
}

/**
 * Starts the probe child and reads its answer; never throws. Node only: inside Electron the
 * packaged app's runAsNode fuse is off (electron-builder.yml), so the app asks a job process
 * (main/jobs/cuda-probe-host.ts).
 */
export function probeCudaSession(
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; entry?: string } = {},
): Promise<CudaProbeResult> {
  const entry = opts.entry ?? cudaProbeEntryPath()
  const timeoutMs = opts.timeoutMs ?? 60_000
  const execArgv = entry.endsWith('.ts')
    ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href]
    : []
  const env = { ...(opts.env ?? process.env) }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...execArgv, entry], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    const finish = (code: number | null, signal: string | null, spawnError?: Error) => {
      clearTimeout(timer)
      const line = parseProbeLine(stdout)
      if (line) {
        resolve({ ...withNativeDetail(line, stderr), bindingFrom: line.bindingFrom })
        return
      }
      const error = spawnError
        ? probeNotStartedError(spawnError.message)
        : timedOut
          ? probeTimeoutError(timeoutMs)
          : probeStoppedError(code, signal, stderr)
      resolve({ sessionStarts: false, error, bindingFrom: null })
    }
    child.on('error', (err) => finish(null, null, err))
    child.on('close', (code, signal) => finish(code, signal))
  })
}

/** The probe's own answer, its error completed with onnxruntime's native detail from stderr. */
export function withNativeDetail(
  line: { sessionStarts: boolean; error: string | null },
  stderr: string,
): { sessionStarts: boolean; error: string | null } {
  const detail = nativeDetail(stderr)
  const error =
    line.error && detail && !line.error.includes(detail) ? `${line.error} (${detail})` : line.error
  return { sessionStarts: line.sessionStarts, error }
}

export function probeNotStartedError(why: string): string {
  return `the CUDA check could not start: ${why}`
}

export function probeTimeoutError(timeoutMs: number): string {
  return `the CUDA check did not answer within ${Math.round(timeoutMs / 1000)} s`
}

/** The process ran the check and died without an answer (a CUDA start-up can abort). */
export function probeStoppedError(
  code: number | null,
  signal: string | null,
  stderr: string,
): string {
  const how = signal ? `signal ${signal}` : `exit code ${code}`
  const last = nativeDetail(stderr) ?? lastLine(stderr)
  return `the CUDA check stopped the process: ${last ? `${last} (${how})` : how}`
}

function parseProbeLine(stdout: string): CudaProbeLine | undefined {
  for (const raw of stdout.split('\n').reverse()) {
    try {
      const v = JSON.parse(raw) as CudaProbeLine
      if (v && v.tag === CUDA_PROBE_TAG) return v
    } catch {
      // another line: a library's stray print
    }
  }
  return undefined
}

// onnxruntime colours its log lines (ESC [ … m).
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g')

/**
 * onnxruntime's native error line, without its time stamp and source location:
 * "… [ONNXRuntimeError] : 1 : FAIL : Failed to load library …: cannot open shared object file".
 */
export function nativeDetail(stderr: string): string | null {
  const lines = stderr.replace(ANSI, '').split('\n')
  for (const l of lines) {
    const m = /\[ONNXRuntimeError\] : \d+ : [A-Z_]+ : (.+?)\s*$/.exec(l)
    if (m) return m[1]
  }
  const cuda = lines.find((l) => /CUDA failure \d+|cudaErrorNo|no CUDA-capable device/i.test(l))
  return cuda ? cuda.trim().replace(/^.*?\] /, '') : null
}

function lastLine(text: string): string | null {
  const lines = text
    .replace(ANSI, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  return lines.length ? lines[lines.length - 1].slice(0, 300) : null
}
