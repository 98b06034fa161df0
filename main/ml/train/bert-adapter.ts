// BERT-family models as a ClassifierAdapter: the model folder's tokenizer encodes texts, the
// BERT engineer's buildBertClassifier supplies the graph (mean or [CLS] head, seeded dropout).
import { copyFileSync, existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { buildBertClassifier } from '../models/bert'
import { inspectModelFolder } from '../models/model-folder'
import { readSafetensorsFile } from '../models/safetensors'
import { loadTokenizer } from '../tokenize/load-tokenizer'
import type { ClinicalTokenizer } from '../tokenize/clinical-tokenizer'
import type { ClassifierAdapter, EncodedText } from './classifier-adapter'

export interface BertEncoded extends EncodedText {
  ids: number[]
}

export interface BertAdapterOptions {
  modelDir: string
  numClasses: number
  maxLength: number
  lengthMultiple: number
  /** Seed of a freshly initialised classifier head. */
  seed: number
  /** Trained weights (by param name) that replace the folder's. */
  weights?: Map<string, Float32Array>
}

/** Tokenizer files a bundle carries so it predicts without the original model folder. */
const TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'vocab.txt',
  'special_tokens_map.json',
]

export type BertCodec = Pick<
  ClassifierAdapter<BertEncoded>,
  'encode' | 'feeds' | 'maxLength' | 'lengthMultiple' | 'numClasses' | 'describe'
>

export function bertCodec(
  tokenizer: ClinicalTokenizer,
  o: Pick<BertAdapterOptions, 'numClasses' | 'maxLength' | 'lengthMultiple'>,
): BertCodec {
  const pad = BigInt(tokenizer.padId)
  return {
    numClasses: o.numClasses,
    maxLength: o.maxLength,
    lengthMultiple: o.lengthMultiple,
    encode(text) {
      const ids = tokenizer.encode(text, o.maxLength)
      return { ids, length: ids.length }
    },
    feeds(items, length) {
      const n = items.length
      const ids = new BigInt64Array(n * length).fill(pad)
      const mask = new BigInt64Array(n * length)
      items.forEach((e, r) => {
        const k = Math.min(e.ids.length, length)
        for (let i = 0; i < k; i++) ids[r * length + i] = BigInt(e.ids[i])
        mask.fill(1n, r * length, r * length + k)
      })
      const dims = [n, length]
      return {
        input_ids: new ort.Tensor('int64', ids, dims),
        attention_mask: new ort.Tensor('int64', mask, dims),
        token_type_ids: new ort.Tensor('int64', new BigInt64Array(n * length), dims),
      }
    },
    describe: () => ({
      kind: 'bert',
      numClasses: o.numClasses,
      maxLength: o.maxLength,
      lengthMultiple: o.lengthMultiple,
    }),
  }
}

export async function createBertAdapter(
  o: BertAdapterOptions,
): Promise<ClassifierAdapter<BertEncoded> & { copyTokenizer(dir: string): void }> {
  const info = await inspectModelFolder(o.modelDir, { hashes: false })
  const file = await readSafetensorsFile(info.weightsPath)
  const tokenizer = await loadTokenizer(info.dir)
  const m = buildBertClassifier(info.config, file.tensors, {
    numLabels: o.numClasses,
    head: info.pooling,
    training: true,
    maxLength: o.maxLength,
    initSeed: o.seed,
  })
  if (o.weights) {
    for (const q of m.params) {
      const trained = o.weights.get(q.name)
      const src = q.tensor.source
      if (trained && src.kind === 'param') src.init.set(trained)
    }
  }
  return {
    ...bertCodec(tokenizer, o),
    kind: 'bert',
    baseModel: info.name,
    graph: {
      batchInputs: m.batchInputs,
      labels: m.labels,
      dropoutSeed: m.dropoutSeed,
      classWeights: m.classWeights,
      loss: m.loss,
      logits: m.logits,
      evalLogits: m.evalLogits,
      evalProbs: m.evalProbs,
      trainable: m.trainable,
      decayMask: m.decayMask,
    },
    copyTokenizer(dir) {
      mkdirSync(dir, { recursive: true })
      for (const f of TOKENIZER_FILES) {
        if (existsSync(join(info.dir, f))) copyFileSync(join(info.dir, f), join(dir, f))
      }
    },
  }
}
