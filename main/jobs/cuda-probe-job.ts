// The 'cuda-probe' job (runs in a job process, issue #14): the CUDA check of `cts gpu status`, for
// the app, whose backend cannot start a Node child. The process is disposable: a CUDA start-up
// that aborts takes only it down, and the host reports that.
import { closeSync, openSync } from 'node:fs'
import type { CudaProbeJobResult } from '../../preload/contract/job-results'
import { runCudaProbe } from '../ml/runtime/cuda-probe-run'
import type { JobContext } from './job-worker'

export interface CudaProbeJobInput {
  /**
   * A file the host reads when the job has ended: this process's stderr is sent there, so
   * onnxruntime's native error line (written straight to fd 2) reaches the status, even if the
   * process aborts.
   */
  stderrFile?: string
}

export async function runCudaProbeJob(
  raw: unknown,
  ctx: JobContext<'cuda-probe'>,
): Promise<CudaProbeJobResult> {
  const input = (raw ?? {}) as CudaProbeJobInput
  if (input.stderrFile) stderrTo(input.stderrFile)
  ctx.report({ phase: 'starting a CUDA session' })
  const { sessionStarts, error, bindingFrom } = await runCudaProbe()
  return { sessionStarts, error, bindingFrom }
}

/**
 * Points fd 2 at `file`: close it, and open() hands out the lowest free descriptor, 2 (Node has no
 * dup2). Only in this disposable process; if another descriptor came back, nothing is captured.
 */
function stderrTo(file: string): void {
  closeSync(2)
  const fd = openSync(file, 'w')
  if (fd !== 2) closeSync(fd)
}
