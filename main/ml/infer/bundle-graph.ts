// Rebuilds the IR graph of a saved classifier bundle (model.onnx + model.json): the trained weights
// are read back from the ONNX initializers, so graphs derived from the same builder (attributions,
// exports) use exactly the weights the app predicts with.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeModel, topoOrder, type Tensor } from '../graph'
import { ONNX_DTYPE } from '../graph/onnx-proto'
import {
  buildBaselineClassifier,
  BASELINE_PARAMS,
  type BaselineModelConfig,
} from '../models/baseline'
import { buildBertClassifier } from '../models/bert'
import { parseBertConfig } from '../models/bert-config'
import type { WeightTensor } from '../models/weights'
import type { BundleMeta } from './classifier-bundle'
import { BUNDLE_META, BUNDLE_MODEL, MODEL_CONFIG_FILE } from '../../shared'
import { readArtifact } from '../../shared/artifact-crypto'

/** The graph pieces attributions need, for either model family. */
export interface BundleGraph {
  kind: 'baseline' | 'bert'
  meta: BundleMeta
  /** Batch inputs in the bundle's order (BERT: ids, mask, token types; baseline: ids, mask). */
  batchInputs: Tensor[]
  evalLogits: Tensor
  evalProbs: Tensor
  /**
   * The rows gathered from the (word) embedding matrix, [batch, seq, hidden]: the "input" of
   * gradient × input. An intermediate of the graph, so grad() reaches it without new inputs.
   */
  embedded: Tensor
}

/** Float initializers of an ONNX model by name (the params emitted as initializers). */
export function readOnnxWeights(bytes: Uint8Array): Map<string, WeightTensor> {
  const out = new Map<string, WeightTensor>()
  for (const init of decodeModel(bytes).graph.initializer ?? []) {
    if (init.data_type !== ONNX_DTYPE.float32 || !init.raw_data) continue
    const raw = init.raw_data
    // Copy: raw_data may be an unaligned view into the file buffer.
    const data = new Float32Array(raw.byteLength / 4)
    new Uint8Array(data.buffer).set(raw)
    out.set(init.name, { shape: (init.dims ?? []).map(Number), data })
  }
  return out
}

export function readBundleMeta(dir: string): BundleMeta {
  return JSON.parse(readFileSync(join(dir, BUNDLE_META), 'utf8')) as BundleMeta
}

/** The Gather that reads `table` (a param) with `ids`, among everything `root` depends on. */
function findGather(root: Tensor, table: string): Tensor {
  for (const t of topoOrder([root])) {
    const src = t.source
    if (src.kind !== 'op' || src.op !== 'Gather') continue
    const data = src.inputs[0].source
    if (data.kind === 'param' && data.name === table) return t
  }
  throw new Error(`the model graph has no lookup of ${table}`)
}

/** Rebuild the classifier graph of the bundle in `dir` with its trained weights. */
export function loadBundleGraph(dir: string): BundleGraph {
  const meta = readBundleMeta(dir)
  const weights = readOnnxWeights(readArtifact(join(dir, BUNDLE_MODEL)))
  const enc = meta.encoder
  if (enc.kind === 'baseline') {
    const config = { ...enc } as unknown as BaselineModelConfig
    const m = buildBaselineClassifier(
      config,
      new Map([...weights].map(([name, w]) => [name, w.data])),
    )
    return {
      kind: 'baseline',
      meta,
      batchInputs: [m.ids, m.mask],
      evalLogits: m.evalLogits,
      evalProbs: m.evalProbs,
      embedded: findGather(m.evalLogits, BASELINE_PARAMS.embedding),
    }
  }
  if (enc.kind === 'bert') {
    const e = enc as {
      modelDir: string
      head: 'cls' | 'mean'
      numClasses: number
      maxLength: number
    }
    // A run folder may carry the model's config.json; otherwise the base model folder has it.
    const configPath = [join(dir, MODEL_CONFIG_FILE), join(e.modelDir, 'config.json')].find((p) =>
      existsSync(p),
    )
    if (!configPath) {
      throw new Error(
        `the base model folder ${e.modelDir} (its config.json) is needed to explain predictions`,
      )
    }
    const config = parseBertConfig(JSON.parse(readFileSync(configPath, 'utf8')))
    const m = buildBertClassifier(config, weights, {
      numLabels: e.numClasses,
      head: e.head,
      training: false,
      maxLength: e.maxLength,
    })
    return {
      kind: 'bert',
      meta,
      batchInputs: m.batchInputs,
      evalLogits: m.evalLogits,
      evalProbs: m.evalProbs,
      embedded: findGather(m.evalLogits, 'embeddings.word_embeddings.weight'),
    }
  }
  throw new Error(`models of kind "${String(enc.kind)}" cannot be explained by this version`)
}
