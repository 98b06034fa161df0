// Batched prediction with a classifier session: texts (already encoded) → class probabilities,
// batched by length (sorted, padded to multiples) and returned in the original order.
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

/** Probabilities [n × classes], row-major, row i for items[i]. */
export async function predictProbabilities<E extends EncodedText>(
  session: ort.InferenceSession,
  adapter: Pick<ClassifierAdapter<E>, 'feeds' | 'maxLength' | 'lengthMultiple' | 'numClasses'>,
  items: E[],
  o: PredictOptions,
): Promise<Float32Array> {
  const k = adapter.numClasses
  const out = new Float32Array(items.length * k)
  const batches = evalBatches(
    items.map((e) => e.length),
    o.batchSize,
    adapter.maxLength,
    adapter.lengthMultiple,
  )
  for (const b of batches) {
    if (o.signal?.aborted) throw new Error('cancelled')
    const feeds = {
      ...adapter.feeds(
        b.indices.map((i) => items[i]),
        b.length,
      ),
      ...o.extraFeeds,
    }
    const result = await session.run(feeds)
    const probs = result[o.output ?? 'probs'].data as Float32Array
    b.indices.forEach((item, r) => out.set(probs.subarray(r * k, r * k + k), item * k))
  }
  return out
}
