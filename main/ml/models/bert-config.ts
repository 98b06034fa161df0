// Reads a Hugging Face config.json of a BERT-family encoder (bert, roberta, xlm-roberta,
// distilbert, electra) into the hyper-parameters our graph builder needs, and refuses, by name,
// anything the encoder does not implement yet.
import { CtsError } from '../../shared'

export const SUPPORTED_MODEL_TYPES = [
  'bert',
  'roberta',
  'xlm-roberta',
  'distilbert',
  'electra',
] as const

export type BertModelType = (typeof SUPPORTED_MODEL_TYPES)[number]

export interface BertConfig {
  modelType: BertModelType
  vocabSize: number
  hiddenSize: number
  numLayers: number
  numHeads: number
  intermediateSize: number
  maxPositions: number
  /** Rows of the token-type table; 0 when the model has none (DistilBERT). */
  typeVocabSize: number
  layerNormEps: number
  hiddenAct: 'gelu'
  hiddenDropout: number
  attentionDropout: number
  padTokenId: number
  positionEmbeddingType: 'absolute'
  /** ELECTRA only: width of the embedding tables, projected to hiddenSize when it differs. */
  embeddingSize?: number
  /** DistilBERT only: dropout before the classifier (seq_classif_dropout); else hiddenDropout. */
  headDropout?: number
}

/** Defaults of transformers' config classes for keys an older config.json may leave out. */
const BERT_DEFAULTS: Record<string, unknown> = {
  type_vocab_size: 2,
  layer_norm_eps: 1e-12,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  pad_token_id: 0,
  position_embedding_type: 'absolute',
}

const DEFAULTS: Record<BertModelType, Record<string, unknown>> = {
  bert: BERT_DEFAULTS,
  // RobertaConfig / XLMRobertaConfig: fairseq's dictionary puts <pad> at id 1.
  roberta: { ...BERT_DEFAULTS, pad_token_id: 1 },
  'xlm-roberta': { ...BERT_DEFAULTS, pad_token_id: 1 },
  electra: { ...BERT_DEFAULTS, embedding_size: 128 },
  // DistilBertConfig's own key names (dim, n_layers, …); LayerNorm eps is fixed at 1e-12 there.
  distilbert: {
    activation: 'gelu',
    dropout: 0.1,
    attention_dropout: 0.1,
    seq_classif_dropout: 0.2,
    pad_token_id: 0,
    sinusoidal_pos_embds: false,
  },
}

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

/** Typed readers over one config.json, with its family's defaults and messages naming keys. */
function readers(json: Record<string, unknown>, defaults: Record<string, unknown>, source: string) {
  const get = (key: string): unknown => (key in json ? json[key] : defaults[key])

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
  const choice = <T extends string | boolean>(key: string, allowed: T): T => {
    const v = get(key)
    if (v !== allowed) {
      throw new CtsError(
        'unsupported',
        `${source}: ${key} ${JSON.stringify(v)} is not supported yet; supported: ${String(allowed)}`,
      )
    }
    return allowed
  }
  return { get, count, fraction, choice }
}

function checkHeads(hiddenSize: number, numHeads: number, keys: [string, string], source: string) {
  if (hiddenSize % numHeads !== 0) {
    throw new CtsError(
      'bad-input',
      `${source}: ${keys[0]} ${hiddenSize} is not divisible by ${keys[1]} ${numHeads}`,
    )
  }
}

function checkPad(padTokenId: number, vocabSize: number, source: string) {
  if (padTokenId >= vocabSize) {
    throw new CtsError(
      'bad-input',
      `${source}: pad_token_id ${padTokenId} is outside the vocabulary (${vocabSize})`,
    )
  }
}

/** DistilBERT writes its sizes under its own names (dim, n_layers, n_heads, hidden_dim). */
function parseDistilBert(json: Record<string, unknown>, source: string): BertConfig {
  const r = readers(json, DEFAULTS.distilbert, source)
  const hiddenSize = r.count('dim', 1)
  const numHeads = r.count('n_heads', 1)
  checkHeads(hiddenSize, numHeads, ['dim', 'n_heads'], source)
  const vocabSize = r.count('vocab_size', 1)
  const padTokenId = r.count('pad_token_id', 0)
  checkPad(padTokenId, vocabSize, source)
  // Sinusoidal positions are stored in the checkpoint's position table like learned ones, and
  // transformers 5 trains that table either way, so the flag changes nothing we compute.
  const sinusoidal = r.get('sinusoidal_pos_embds')
  if (typeof sinusoidal !== 'boolean') {
    throw new CtsError('bad-input', `${source}: "sinusoidal_pos_embds" must be true or false`)
  }
  const hiddenDropout = r.fraction('dropout', 0, 1, true)
  return {
    modelType: 'distilbert',
    vocabSize,
    hiddenSize,
    numLayers: r.count('n_layers', 1),
    numHeads,
    intermediateSize: r.count('hidden_dim', 1),
    maxPositions: r.count('max_position_embeddings', 2),
    typeVocabSize: 0,
    layerNormEps: 1e-12,
    hiddenAct: r.choice('activation', 'gelu'),
    hiddenDropout,
    attentionDropout: r.fraction('attention_dropout', 0, 1, true),
    padTokenId,
    positionEmbeddingType: 'absolute',
    headDropout: r.fraction('seq_classif_dropout', 0, 1, true),
  }
}

/** Parses config.json (already JSON-decoded) into a BertConfig; `source` names the file in errors. */
export function parseBertConfig(json: unknown, source = 'config.json'): BertConfig {
  if (!isRecord(json)) throw new CtsError('bad-input', `${source}: must be a JSON object`)
  const type = modelTypeOf(json, source)
  if (!(SUPPORTED_MODEL_TYPES as readonly string[]).includes(type)) {
    throw new CtsError(
      'unsupported',
      `${source}: model type "${type}" is not supported yet; supported: ${SUPPORTED_MODEL_TYPES.join(', ')}`,
    )
  }
  const modelType = type as BertModelType
  if (modelType === 'distilbert') return parseDistilBert(json, source)
  const r = readers(json, DEFAULTS[modelType], source)

  const hiddenSize = r.count('hidden_size', 1)
  const numHeads = r.count('num_attention_heads', 1)
  checkHeads(hiddenSize, numHeads, ['hidden_size', 'num_attention_heads'], source)
  const vocabSize = r.count('vocab_size', 1)
  const padTokenId = r.count('pad_token_id', 0)
  checkPad(padTokenId, vocabSize, source)
  const config: BertConfig = {
    modelType,
    vocabSize,
    hiddenSize,
    numLayers: r.count('num_hidden_layers', 1),
    numHeads,
    intermediateSize: r.count('intermediate_size', 1),
    maxPositions: r.count('max_position_embeddings', 2),
    typeVocabSize: r.count('type_vocab_size', 1),
    layerNormEps: r.fraction('layer_norm_eps', 0, 1, false),
    hiddenAct: r.choice('hidden_act', 'gelu'),
    hiddenDropout: r.fraction('hidden_dropout_prob', 0, 1, true),
    attentionDropout: r.fraction('attention_probs_dropout_prob', 0, 1, true),
    padTokenId,
    positionEmbeddingType: r.choice('position_embedding_type', 'absolute'),
  }
  if (modelType === 'electra') config.embeddingSize = r.count('embedding_size', 1)
  if (modelType === 'roberta' || modelType === 'xlm-roberta') {
    // Real tokens start at position padding_idx + 1: the table must hold at least one of them.
    if (config.maxPositions <= padTokenId + 1) {
      throw new CtsError(
        'bad-input',
        `${source}: max_position_embeddings ${config.maxPositions} leaves no position for a token after pad_token_id ${padTokenId}`,
      )
    }
  }
  return config
}
