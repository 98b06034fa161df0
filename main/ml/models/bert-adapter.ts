// A BERT-family encoder as a ClassifierAdapter: the model folder's tokenizer encodes texts, bert.ts's
// classifier graph trains and predicts, and describe() records what recreates the encoder with the run.
import * as ort from 'onnxruntime-node'
import { CtsError } from '../../shared'
import { loadTokenizer } from '../tokenize/load-tokenizer'
import type { ClinicalTokenizer } from '../tokenize/clinical-tokenizer'
import type { ClassifierAdapter, EncodedText } from '../train/classifier-adapter'
import { BERT_DEFAULTS } from '../train/defaults'
import { buildBertClassifier, type BertClassifierModel } from './bert'
import { familyOf, usablePositions } from './bert-family'
import { inspectModelFolder, type ModelFolderInfo } from './model-folder'
import { readModelWeights } from './load-weights'
import { bertParamSpecs, type BertHead, type WeightTensor } from './weights'

export interface BertEncoded extends EncodedText {
  /** Token ids, [CLS] … [SEP], already cut to maxLength. */
  ids: number[]
}

export interface BertAdapterOptions {
  numClasses: number
  /** Tokens per text, special tokens included (default 128, the reference recipe). */
  maxLength?: number
  lengthMultiple?: number
  /** Default: the folder's own pooling ('mean' for sentence-transformers models, else 'cls'). */
  head?: BertHead
  freezeEmbeddings?: boolean
  freezeLayers?: number
  /** Seed of a classifier head the checkpoint lacks. */
  initSeed?: number
  /** Trained weights by param name (a run's result) that replace the checkpoint's. */
  weights?: Map<string, Float32Array>
}

export type BertAdapter = ClassifierAdapter<BertEncoded> & {
  model: BertClassifierModel
  info: ModelFolderInfo
}

export type BertCodec = Pick<
  BertAdapter,
  'encode' | 'feeds' | 'maxLength' | 'lengthMultiple' | 'numClasses' | 'describe'
>

/**
 * Encode and pack texts for a BERT-family graph (no graph, no weights: what prediction needs).
 * Rows are padded with the tokenizer's pad id (RoBERTa's positions are counted from it) and
 * token_type_ids (all 0: single texts are segment A) are fed only to graphs that take them:
 * `tokenTypeIds: false` for DistilBERT; absent (bundles saved before it existed) means true.
 */
export function bertCodec(
  tokenizer: ClinicalTokenizer,
  o: {
    numClasses: number
    maxLength: number
    lengthMultiple: number
    tokenTypeIds?: boolean
    describe: Record<string, unknown>
  },
): BertCodec {
  const withTokenTypes = o.tokenTypeIds !== false
  return {
    numClasses: o.numClasses,
    maxLength: o.maxLength,
    lengthMultiple: o.lengthMultiple,
    encode(text) {
      const ids = tokenizer.encode(text, o.maxLength)
      return { ids, length: ids.length }
    },
    feeds(items, length) {
      const n = items.length * length
      const ids = new BigInt64Array(n).fill(BigInt(tokenizer.padId))
      const mask = new BigInt64Array(n)
      items.forEach((item, r) => {
        const m = Math.min(item.ids.length, length)
        for (let i = 0; i < m; i++) {
          ids[r * length + i] = BigInt(item.ids[i])
          mask[r * length + i] = 1n
        }
      })
      const dims = [items.length, length]
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', ids, dims),
        attention_mask: new ort.Tensor('int64', mask, dims),
      }
      // Single texts: every token is segment A.
      if (withTokenTypes) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(n), dims)
      return feeds
    },
    describe: () => ({ ...o.describe }),
  }
}

/** A BERT adapter over a validated Hugging Face model folder (config, safetensors, tokenizer). */
export async function createBertAdapter(
  modelDir: string,
  opts: BertAdapterOptions,
): Promise<BertAdapter> {
  const info = await inspectModelFolder(modelDir, { hashes: false })
  const tokenizer = await loadTokenizer(info.dir)
  const family = familyOf(info.config)
  if (family.positions === 'after-padding' && tokenizer.padId !== info.config.padTokenId) {
    // RoBERTa derives positions from where the pad id is: a mismatch would shift every position.
    throw new CtsError(
      'bad-input',
      `${info.name}: the tokenizer pads with id ${tokenizer.padId} but config.json says pad_token_id ${info.config.padTokenId}; ${family.label} positions depend on it, so the folder's files do not belong together`,
    )
  }
  const weights: Map<string, WeightTensor> = (await readModelWeights(info.weightsPath)).tensors
  const head = opts.head ?? info.pooling
  if (opts.weights) {
    const shapes = new Map(
      bertParamSpecs(info.config, opts.numClasses, head).map((s) => [s.name, s.shape]),
    )
    for (const [name, data] of opts.weights) {
      const shape = shapes.get(name)
      if (shape) weights.set(name, { shape, data })
    }
  }
  const maxLength = Math.min(
    opts.maxLength ?? BERT_DEFAULTS.maxLength,
    usablePositions(info.config),
  )
  const lengthMultiple = opts.lengthMultiple ?? BERT_DEFAULTS.lengthMultiple
  const model = buildBertClassifier(info.config, weights, {
    numLabels: opts.numClasses,
    head,
    training: true,
    maxLength,
    freezeEmbeddings: opts.freezeEmbeddings,
    freezeLayers: opts.freezeLayers,
    initSeed: opts.initSeed,
  })
  const codec = bertCodec(tokenizer, {
    numClasses: opts.numClasses,
    maxLength,
    lengthMultiple,
    tokenTypeIds: family.tokenTypes,
    describe: {
      kind: 'bert',
      modelType: info.config.modelType,
      tokenTypeIds: family.tokenTypes,
      baseModel: info.name,
      modelDir: info.dir,
      head,
      numClasses: opts.numClasses,
      maxLength,
      lengthMultiple,
      freezeEmbeddings: opts.freezeEmbeddings ?? false,
      freezeLayers: opts.freezeLayers ?? 0,
    },
  })
  return {
    ...codec,
    kind: 'bert',
    baseModel: info.name,
    model,
    info,
    graph: {
      batchInputs: model.batchInputs,
      labels: model.labels,
      dropoutSeed: model.dropoutSeed,
      classWeights: model.classWeights,
      loss: model.loss,
      logits: model.logits,
      evalLogits: model.evalLogits,
      evalProbs: model.evalProbs,
      trainable: model.trainable,
      decayMask: model.decayMask,
    },
  }
}
