// Reads a Hugging Face config.json into the BERT hyper-parameters our graph builder needs, and
// refuses, by name, anything the BERT encoder does not implement yet.
import { CtsError } from '../../../preload/contract/common'

export interface BertConfig {
  modelType: 'bert'
  vocabSize: number
  hiddenSize: number
  numLayers: number
  numHeads: number
  intermediateSize: number
  maxPositions: number
  typeVocabSize: number
  layerNormEps: number
  hiddenAct: 'gelu'
  hiddenDropout: number
  attentionDropout: number
  padTokenId: number
  positionEmbeddingType: 'absolute'
}

export const SUPPORTED_MODEL_TYPES = ['bert'] as const

/** Defaults of transformers' BertConfig for keys an older config.json may leave out. */
const BERT_DEFAULTS = {
  type_vocab_size: 2,
  layer_norm_eps: 1e-12,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  pad_token_id: 0,
  position_embedding_type: 'absolute',
} as const

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Some old BERT configs carry no model_type; their architectures then say Bert…. */
function modelTypeOf(json: Record<string, unknown>, source: string): string {
  const t = json.model_type
  if (typeof t === 'string') return t
  if (t !== undefined) throw new CtsError('bad-input', `${source}: "model_type" must be a string`)
  const archs = json.architectures
  if (
    Array.isArray(archs) &&
    archs.length > 0 &&
    archs.every((a) => typeof a === 'string' && a.startsWith('Bert'))
  ) {
    return 'bert'
  }
  throw new CtsError(
    'bad-input',
    `${source}: "model_type" is missing, so the architecture is unknown`,
  )
}

/** Parses config.json (already JSON-decoded) into a BertConfig; `source` names the file in errors. */
export function parseBertConfig(json: unknown, source = 'config.json'): BertConfig {
  if (!isRecord(json)) throw new CtsError('bad-input', `${source}: must be a JSON object`)
  const modelType = modelTypeOf(json, source)
  if (!(SUPPORTED_MODEL_TYPES as readonly string[]).includes(modelType)) {
    throw new CtsError(
      'unsupported',
      `${source}: model type "${modelType}" is not supported yet; supported: ${SUPPORTED_MODEL_TYPES.join(', ')}`,
    )
  }
  const get = (key: string): unknown =>
    key in json ? json[key] : (BERT_DEFAULTS as Record<string, unknown>)[key]

  const count = (key: string, min: number): number => {
    const v = get(key)
    if (v === undefined) throw new CtsError('bad-input', `${source}: "${key}" is missing`)
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      throw new CtsError(
        'bad-input',
        `${source}: "${key}" must be a whole number ≥ ${min}, got ${JSON.stringify(v)}`,
      )
    }
    return v
  }
  const fraction = (key: string, lo: number, hi: number, inclusiveLow: boolean): number => {
    const v = get(key)
    const ok =
      typeof v === 'number' && Number.isFinite(v) && (inclusiveLow ? v >= lo : v > lo) && v < hi
    if (!ok) {
      throw new CtsError(
        'bad-input',
        `${source}: "${key}" must be a number in ${inclusiveLow ? '[' : '('}${lo}, ${hi}), got ${JSON.stringify(v)}`,
      )
    }
    return v as number
  }
  const choice = <T extends string>(key: string, allowed: T): T => {
    const v = get(key)
    if (v !== allowed) {
      throw new CtsError(
        'unsupported',
        `${source}: ${key} ${JSON.stringify(v)} is not supported yet; supported: ${allowed}`,
      )
    }
    return allowed
  }

  const hiddenSize = count('hidden_size', 1)
  const numHeads = count('num_attention_heads', 1)
  if (hiddenSize % numHeads !== 0) {
    throw new CtsError(
      'bad-input',
      `${source}: hidden_size ${hiddenSize} is not divisible by num_attention_heads ${numHeads}`,
    )
  }
  const vocabSize = count('vocab_size', 1)
  const padTokenId = count('pad_token_id', 0)
  if (padTokenId >= vocabSize) {
    throw new CtsError(
      'bad-input',
      `${source}: pad_token_id ${padTokenId} is outside the vocabulary (${vocabSize})`,
    )
  }
  return {
    modelType: 'bert',
    vocabSize,
    hiddenSize,
    numLayers: count('num_hidden_layers', 1),
    numHeads,
    intermediateSize: count('intermediate_size', 1),
    maxPositions: count('max_position_embeddings', 2),
    typeVocabSize: count('type_vocab_size', 1),
    layerNormEps: fraction('layer_norm_eps', 0, 1, false),
    hiddenAct: choice('hidden_act', 'gelu'),
    hiddenDropout: fraction('hidden_dropout_prob', 0, 1, true),
    attentionDropout: fraction('attention_probs_dropout_prob', 0, 1, true),
    padTokenId,
    positionEmbeddingType: choice('position_embedding_type', 'absolute'),
  }
}
