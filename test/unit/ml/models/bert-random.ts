// Test helper: a small BERT config and seeded random weights for it, built in TypeScript so the
// model's unit tests need neither Python nor a checkpoint on disk.
import type { BertConfig } from '../../../../main/ml/models/bert-config'
import {
  bertParamSpecs,
  type BertHead,
  type WeightTensor,
} from '../../../../main/ml/models/weights'
import { Rng } from '../../../../main/ml/train/rng'

export const TINY_CONFIG: BertConfig = {
  modelType: 'bert',
  vocabSize: 30,
  hiddenSize: 8,
  numLayers: 2,
  numHeads: 2,
  intermediateSize: 16,
  maxPositions: 16,
  typeVocabSize: 2,
  layerNormEps: 1e-12,
  hiddenAct: 'gelu',
  hiddenDropout: 0.1,
  attentionDropout: 0.1,
  padTokenId: 0,
  positionEmbeddingType: 'absolute',
}

/** Every weight of a classifier over `config`, uniform in ±0.5 (LayerNorm gains around 1). */
export function randomWeights(
  config: BertConfig,
  numLabels: number,
  head: BertHead,
  seed = 1,
): Map<string, WeightTensor> {
  const rng = new Rng(seed)
  const out = new Map<string, WeightTensor>()
  for (const s of bertParamSpecs(config, numLabels, head)) {
    const n = s.shape.reduce((a, b) => a * b, 1)
    const base = s.name.includes('LayerNorm.weight') ? 1 : 0
    out.set(s.name, {
      shape: s.shape,
      data: Float32Array.from({ length: n }, () => base + rng.next() - 0.5),
    })
  }
  return out
}
