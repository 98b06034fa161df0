// What the prediction server needs from a model: its labels and batched class probabilities.
// loadRunPredictor opens a trained run of a workspace (<home>/runs/<id>/) as one, finding the run
// through the composition root (main/root) like every other entry point.
import { CtsError } from '../shared'
import { loadClassifierBundle } from '../ml/infer/classifier-bundle'
import { boot } from '../root/boot'

export interface Predictor {
  /** Label names, in the order of each probability row. */
  readonly labels: string[]
  /** One row of probabilities (one per label, summing to 1) per text, in input order. */
  predict(texts: string[]): Promise<number[][]>
  /** Frees the model (sessions); the predictor is unusable afterwards. */
  release(): Promise<void>
}

/** Texts per inference batch inside one predictor call (the model pads per batch). */
const INFERENCE_BATCH = 64

/**
 * The model of run `runId` in the workspace at `home`. Throws CtsError: not-found for an unknown
 * run, conflict for a run that did not finish training, unsupported when its files cannot load.
 */
export async function loadRunPredictor(home: string, runId: number): Promise<Predictor> {
  const backend = await boot({ home })
  let dir: string
  try {
    dir = await backend.trainedRunDir(runId)
  } finally {
    await backend.shutdown()
  }
  let model: Awaited<ReturnType<typeof loadClassifierBundle>>
  try {
    model = await loadClassifierBundle(dir)
  } catch (err) {
    // The loader's messages name files and formats, never texts, so they are safe to show.
    throw new CtsError(
      'unsupported',
      `The model of run ${runId} cannot be loaded from ${dir}: ${(err as Error).message}`,
    )
  }
  const k = model.labels.length
  return {
    labels: [...model.labels],
    async predict(texts) {
      const flat = await model.predict(texts, INFERENCE_BATCH)
      return texts.map((_, i) => Array.from(flat.subarray(i * k, i * k + k)))
    },
    release: () => model.release(),
  }
}
