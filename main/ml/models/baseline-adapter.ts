// The baseline as a ClassifierAdapter: featurises texts (hashed n-gram ids for the first form, TF-IDF
// values for the tfidf form) and exposes its graph to the trainer and to prediction.
import * as ort from 'onnxruntime-node'
import type { ClassifierAdapter, EncodedText } from '../train/classifier-adapter'
import { BASELINE_MODEL_DEFAULTS } from '../train/defaults'
import { baselineFeatures } from './baseline-features'
import { buildBaselineClassifier, packBaselineBatch, type BaselineModelConfig } from './baseline'
import { hashedGrams, tfidfText, type TfidfVocabulary } from './baseline-tfidf'

export interface BaselineEncoded extends EncodedText {
  ids: Int32Array
  /** The tfidf form: each id's TF-IDF value, and each n-gram occurrence's slot in `ids`. */
  values?: Float32Array
  slots?: Int32Array
}

export type BaselineAdapter = ClassifierAdapter<BaselineEncoded> & { config: BaselineModelConfig }

/** The part of the adapter prediction needs: featurise and pack (no graph, no weights). */
export type BaselineCodec = Pick<
  BaselineAdapter,
  'encode' | 'feeds' | 'maxLength' | 'lengthMultiple' | 'numClasses' | 'describe'
>

/** `vocab`: the tfidf form's vocabulary (its bundle's baseline-vocab.bin); unused by the first form. */
export function baselineCodec(
  config: BaselineModelConfig,
  lengthMultiple: number,
  vocab?: TfidfVocabulary,
): BaselineCodec {
  const tfidf = config.form === 'tfidf'
  if (tfidf && !vocab) throw new Error('a TF-IDF baseline needs its vocabulary')
  return {
    numClasses: config.numClasses,
    maxLength: config.maxFeatures,
    lengthMultiple,
    encode(text) {
      if (tfidf) {
        const t = tfidfText(
          hashedGrams(text, { charMax: config.charMax ?? 4 }),
          vocab!,
          config.maxFeatures,
        )
        return { ...t, length: Math.max(1, t.ids.length) }
      }
      const ids = baselineFeatures(text, config)
      return { ids, length: Math.max(1, ids.length) }
    },
    feeds(items, length) {
      const b = packBaselineBatch(
        items.map((e) => e.ids),
        length,
        tfidf ? items.map((e) => e.values!) : undefined,
      )
      return {
        ids: new ort.Tensor('int64', b.ids, b.dims),
        mask: new ort.Tensor('float32', b.mask, b.dims),
      }
    },
    describe: () => ({ kind: 'baseline', ...config, lengthMultiple }),
  }
}

export function baselineConfig(
  partial: Partial<BaselineModelConfig> &
    Pick<BaselineModelConfig, 'numClasses' | 'seed' | 'maxFeatures' | 'dropout'>,
): BaselineModelConfig {
  return { ...BASELINE_MODEL_DEFAULTS, ...partial }
}

/**
 * A baseline adapter. `weights` (by param name) replace the random initial weights, e.g. to
 * export or predict with a trained run.
 */
export function createBaselineAdapter(
  config: BaselineModelConfig,
  lengthMultiple: number,
  weights?: Map<string, Float32Array>,
  vocab?: TfidfVocabulary,
): BaselineAdapter {
  const m = buildBaselineClassifier(config, weights)
  return {
    ...baselineCodec(config, lengthMultiple, vocab),
    kind: 'baseline',
    baseModel: 'baseline',
    config,
    graph: {
      batchInputs: [m.ids, m.mask],
      labels: m.labels,
      dropoutSeed: m.dropoutSeed,
      classWeights: m.classWeights,
      loss: m.loss,
      logits: m.logits,
      evalLogits: m.evalLogits,
      evalProbs: m.evalProbs,
      trainable: m.params,
      decayMask: m.params.map((p) => m.decay.has((p.source as { name: string }).name)),
    },
  }
}
