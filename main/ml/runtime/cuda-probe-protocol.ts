// The one JSON line the CUDA probe child prints (cuda-probe-entry.ts → cuda-probe.ts).

export const CUDA_PROBE_TAG = 'cts-cuda-probe'

export interface CudaProbeLine {
  tag: typeof CUDA_PROBE_TAG
  sessionStarts: boolean
  /** onnxruntime's error (first line) when the session did not start. */
  error: string | null
  /** Where onnxruntime's binding was loaded from: the GPU pack, or null (the app's own). */
  bindingFrom: string | null
}
