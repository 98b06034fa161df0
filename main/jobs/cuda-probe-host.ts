// Host side of the 'cuda-probe' job (issue #14): the app's backend asks a job process whether a
// CUDA session starts, and reports a process that dies or hangs instead of answering.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CudaProbeJobResult } from '../../preload/contract/job-results'
import {
  probeNotStartedError,
  probeStoppedError,
  probeTimeoutError,
  withNativeDetail,
} from '../ml/runtime/cuda-probe'
import type { CudaProbeJobInput } from './cuda-probe-job'
import type { ChildToHost, JobHost, JobProcess } from './job-protocol'

/** Runs the CUDA check in a new job process of `host`; never throws. */
export function probeCudaInJob(
  host: JobHost,
  opts: { timeoutMs?: number } = {},
): Promise<CudaProbeJobResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000
  const dir = tempDir()
  // Without a temporary folder the check still runs, only without onnxruntime's native detail.
  const input: CudaProbeJobInput = dir ? { stderrFile: join(dir, 'stderr.txt') } : {}
  const stderr = (): string => {
    try {
      return input.stderrFile ? readFileSync(input.stderrFile, 'utf8') : ''
    } catch {
      return '' // the job never got as far as opening it
    }
  }
  const removeDir = () => {
    try {
      if (dir) rmSync(dir, { recursive: true, force: true })
    } catch {
      // A temporary folder left behind harms nothing; the answer matters more.
    }
  }
  return new Promise((resolve) => {
    let proc: JobProcess
    try {
      proc = host.spawn()
    } catch (e) {
      removeDir()
      resolve(failed(probeNotStartedError(e instanceof Error ? e.message : String(e))))
      return
    }
    let final: ChildToHost | undefined
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      proc.kill()
    }, timeoutMs)
    proc.onMessage((m) => {
      if (m.type !== 'progress') final ??= m
    })
    // Settled on exit, so the stderr file is complete (an abort's last words included) and removed.
    proc.onExit((code, signal) => {
      clearTimeout(timer)
      const text = stderr()
      removeDir()
      if (final?.type === 'result') {
        const r = final.result as CudaProbeJobResult
        resolve({ ...withNativeDetail(r, text), bindingFrom: r.bindingFrom })
      } else if (final?.type === 'error') {
        resolve(failed(`the CUDA check failed: ${final.error.message}`))
      } else {
        resolve(
          failed(timedOut ? probeTimeoutError(timeoutMs) : probeStoppedError(code, signal, text)),
        )
      }
    })
    proc.send({ type: 'start', kind: 'cuda-probe', input })
  })
}

function tempDir(): string | undefined {
  try {
    return mkdtempSync(join(tmpdir(), 'cts-cuda-probe-'))
  } catch {
    return undefined
  }
}

function failed(error: string): CudaProbeJobResult {
  return { sessionStarts: false, error, bindingFrom: null }
}
