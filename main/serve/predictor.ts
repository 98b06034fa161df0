// What the prediction server needs from a model: its labels and batched class probabilities.
// loadRunPredictor opens a trained run of a workspace (<home>/runs/<id>/) as one, finding the run
// through the composition root (main/root) like every other entry point.
import { CtsError } from '../shared'
import { loadClassifierBundle } from '../ml/infer/classifier-bundle'
import type { Quantization } from '../ml/infer/quantize'
import { resolveQuantization } from '../ml/infer/quantize-check'

/** `cts serve --quantize`'s check (the CLI reaches main/ml through here). */
export { parseQuantization } from '../ml/infer/quantize-check'

export interface Predictor {
  /** Label names, in the order of each probability row. */
  readonly labels: string[]
  /** One row of probabilities (one per label, summing to 1) per text, in input order. */
  predict(texts: string[]): Promise<number[][]>
  /** Frees the model (sessions); the predictor is unusable afterwards. */
  release(): Promise<void>
  /** How many predict() calls may run at once (a pool of model threads); absent: 1. */
  readonly concurrency?: number
}

/**
 * Texts per session run inside one predictor call (the model pads per run, texts sorted by length).
 * 8, not 64: 50 clients merge ~24 short texts into a call, and one run for them was slower than
 * three (likely the larger activations leaving the core's cache): int8 MiniLM served 337 against
 * 219 requests/s (serve-load.ts --before-after --steps, one invocation; 16-text runs were between).
 */
const INFERENCE_BATCH = 8

export interface RunPredictorOptions {
  /** Absent: int8 where the run's dev check passed, else fp32 (quantize-check.ts). */
  quantize?: Quantization
  /** Intra-op threads of the model's session (default: every core). */
  threads?: number
  /** ORT's spin-waiting threads (default off; see loadClassifierBundle). */
  spinning?: boolean
  /** Texts per session run inside one predictor call (default INFERENCE_BATCH). */
  batchSize?: number
  /** Attention fused into MultiHeadAttention (fuse-graph.ts); default off, slower on the CPU. */
  fuse?: boolean
}

/**
 * The model of run `runId` in the workspace at `home`. Throws CtsError: not-found for an unknown
 * run, conflict for a run that did not finish training, unsupported when its files cannot load.
 */
export async function loadRunPredictor(
  home: string,
  runId: number,
  opts: RunPredictorOptions = {},
): Promise<Predictor> {
  // Loaded here, not at the top: a bundle served by folder (benchmarks) needs no workspace stack.
  const { boot } = await import('../root/boot')
  const backend = await boot({ home })
  let dir: string
  try {
    dir = await backend.trainedRunDir(runId)
  } finally {
    await backend.shutdown()
  }
  return loadBundlePredictor(dir, opts, `run ${runId}`)
}

/** The model saved in a run folder `dir` (model.onnx, model.json …) as a Predictor. */
export async function loadBundlePredictor(
  dir: string,
  opts: RunPredictorOptions = {},
  what = 'this run',
): Promise<Predictor> {
  let model: Awaited<ReturnType<typeof loadClassifierBundle>>
  try {
    model = await loadClassifierBundle(dir, 'cpu', {
      quantization: resolveQuantization(dir, opts.quantize),
      threads: opts.threads,
      spinning: opts.spinning,
      fuse: opts.fuse ?? false,
    })
  } catch (err) {
    // The loader's messages name files and formats, never texts, so they are safe to show.
    throw new CtsError(
      'unsupported',
      `The model of ${what} cannot be loaded from ${dir}: ${(err as Error).message}`,
    )
  }
  const k = model.labels.length
  return {
    labels: [...model.labels],
    async predict(texts) {
      const flat = await model.predict(texts, opts.batchSize ?? INFERENCE_BATCH)
      return texts.map((_, i) => Array.from(flat.subarray(i * k, i * k + k)))
    },
    release: () => model.release(),
  }
}
