// The CUDA check itself (issue #14): one onnxruntime session on the 'cuda' provider. Runs only in
// a disposable process — the CLI's probe child (cuda-probe-entry.ts) or a 'cuda-probe' job process.
import { writeSync } from 'node:fs'
import * as ort from 'onnxruntime-node'
import { ortBindingLoadedFrom } from '../../shared/ort-binding-redirect'
import { Graph, add, emitOnnx } from '../graph'
import { CUDA_PROBE_TAG, type CudaProbeLine } from './cuda-probe-protocol'
import { nativeErrorCause } from './sessions'

/**
 * Test seam: a CUDA start-up that aborts the process. Its value is the line the failing native code
 * "prints" on stderr before process.abort(), so the caller's report of the crash can be checked.
 */
export const CUDA_PROBE_ABORT_ENV = 'CTS_CUDA_PROBE_ABORT'

export async function runCudaProbe(): Promise<CudaProbeLine> {
  const g = new Graph()
  const x = g.input('x', 'float32', [2])
  const model = emitOnnx({ inputs: [x], outputs: [{ name: 'y', tensor: add(x, 1) }] })
  const bindingFrom = ortBindingLoadedFrom()
  const abortLine = process.env[CUDA_PROBE_ABORT_ENV]
  if (abortLine) {
    // Straight to fd 2, as native code writes, then the abort a broken driver can cause.
    writeSync(2, `${abortLine}\n`)
    process.abort()
  }
  try {
    // Level 3: onnxruntime's own error line goes to stderr, where the caller reads its detail.
    const session = await ort.InferenceSession.create(model, {
      executionProviders: ['cuda'],
      logSeverityLevel: 3,
    })
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 2), [2]) })
    const y = Array.from(out.y.data as Float32Array)
    await session.release()
    if (y[0] !== 2 || y[1] !== 3) {
      return { tag: CUDA_PROBE_TAG, sessionStarts: false, error: `wrong result ${y}`, bindingFrom }
    }
    return { tag: CUDA_PROBE_TAG, sessionStarts: true, error: null, bindingFrom }
  } catch (err) {
    const line = (err instanceof Error ? err.message : String(err)).split('\n')[0]
    // "CUDA failure 100: no CUDA-capable device is detected", not the native source location.
    const text = nativeErrorCause(line) ?? line
    return { tag: CUDA_PROBE_TAG, sessionStarts: false, error: text, bindingFrom }
  }
}
