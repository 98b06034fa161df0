// Batched prediction with a classifier session (or a pool of sessions of one model): texts
// (already encoded) → class probabilities, batched by length (sorted, padded to multiples) and
// returned in the original order.
import * as ort from 'onnxruntime-node'
import { evalBatches } from '../train/batching'
import type { ClassifierAdapter, EncodedText } from '../train/classifier-adapter'

export interface PredictOptions {
  batchSize: number
  /** Extra feeds for every batch (e.g. the current weights of a model whose params are inputs). */
  extraFeeds?: Record<string, ort.Tensor>
  /** Name of the probabilities output. Default 'probs'. */
  output?: string
  signal?: AbortSignal
}

/**
 * Probabilities [n × classes], row-major, row i for items[i]. Given several sessions of one model
 * (a pool), each takes the next batch as soon as it is free, so all of them stay busy; the
 * batches are the same as with one session (same texts, same padding), so each text's
 * probabilities are too — int8 graphs quantize activations per run, so composition matters.
 */
export async function predictProbabilities<E extends EncodedText>(
  session: ort.InferenceSession | readonly ort.InferenceSession[],
  adapter: Pick<ClassifierAdapter<E>, 'feeds' | 'maxLength' | 'lengthMultiple' | 'numClasses'>,
  items: E[],
  o: PredictOptions,
): Promise<Float32Array> {
  const sessions = Array.isArray(session) ? session : [session as ort.InferenceSession]
  const k = adapter.numClasses
  const out = new Float32Array(items.length * k)
  const batches = evalBatches(
    items.map((e) => e.length),
    o.batchSize,
    adapter.maxLength,
    adapter.lengthMultiple,
  )
  let next = 0
  let failed = false
  const drain = async (s: ort.InferenceSession): Promise<void> => {
    // After a failure elsewhere no new batch starts (the error is reported once, by Promise.all).
    while (next < batches.length && !failed) {
      if (o.signal?.aborted) throw new Error('cancelled')
      const b = batches[next++]
      const feeds = {
        ...adapter.feeds(
          b.indices.map((i) => items[i]),
          b.length,
        ),
        ...o.extraFeeds,
      }
      const result = await s.run(feeds)
      const probs = result[o.output ?? 'probs'].data as Float32Array
      b.indices.forEach((item, r) => out.set(probs.subarray(r * k, r * k + k), item * k))
    }
  }
  await Promise.all(
    sessions.map((s) =>
      drain(s).catch((err: unknown) => {
        failed = true
        throw err
      }),
    ),
  )
  return out
}
