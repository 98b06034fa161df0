// The BERT family members we implement and how each one names and wires its weights: the
// checkpoint prefix, the encoder layer's parameter names, positions, token types and [CLS] pooler.
import type { BertConfig, BertModelType } from './bert-config'

/** An encoder layer's sub-modules, relative to the layer's own prefix. */
export interface LayerNames {
  query: string
  key: string
  value: string
  attentionOut: string
  attentionNorm: string
  ffnIn: string
  ffnOut: string
  outputNorm: string
}

export interface FamilyLayout {
  /** How the family is written for people ('RoBERTa'). */
  label: string
  /** The base model's prefix in task checkpoints (RobertaForSequenceClassification: 'roberta.'). */
  prefix: string
  /** Prefix of encoder layer i ('encoder.layer.3'). */
  layerPrefix: (i: number) => string
  names: LayerNames
  /** BERT drops out the attention output projection before its residual; DistilBERT does not. */
  attentionOutputDropout: boolean
  /**
   * 'sequential': position i is i. 'after-padding' (RoBERTa, fairseq): real tokens count up from
   * padding_idx + 1, padding tokens take padding_idx, so the pad id decides the positions.
   */
  positions: 'sequential' | 'after-padding'
  /** Whether the model takes token_type_ids (DistilBERT has no segment embeddings). */
  tokenTypes: boolean
  /**
   * The 'cls' head's layer on the first token: BERT/RoBERTa's pooler (dense + tanh), DistilBERT's
   * pre_classifier (dense + ReLU, as DistilBertForSequenceClassification), or null where the
   * architecture has none (ELECTRA): the first token's hidden state goes to the classifier as is.
   */
  pooler: { name: string; activation: 'tanh' | 'relu' } | null
}

const BERT_LAYER: LayerNames = {
  query: 'attention.self.query',
  key: 'attention.self.key',
  value: 'attention.self.value',
  attentionOut: 'attention.output.dense',
  attentionNorm: 'attention.output.LayerNorm',
  ffnIn: 'intermediate.dense',
  ffnOut: 'output.dense',
  outputNorm: 'output.LayerNorm',
}

const bertLike = (label: string, prefix: string): FamilyLayout => ({
  label,
  prefix,
  layerPrefix: (i) => `encoder.layer.${i}`,
  names: BERT_LAYER,
  attentionOutputDropout: true,
  positions: 'sequential',
  tokenTypes: true,
  pooler: { name: 'pooler.dense', activation: 'tanh' },
})

export const FAMILY: Readonly<Record<BertModelType, FamilyLayout>> = {
  bert: bertLike('BERT', 'bert.'),
  roberta: { ...bertLike('RoBERTa', 'roberta.'), positions: 'after-padding' },
  // XLMRobertaForSequenceClassification keeps its base model under `roberta` too.
  'xlm-roberta': { ...bertLike('XLM-RoBERTa', 'roberta.'), positions: 'after-padding' },
  distilbert: {
    label: 'DistilBERT',
    prefix: 'distilbert.',
    layerPrefix: (i) => `transformer.layer.${i}`,
    names: {
      query: 'attention.q_lin',
      key: 'attention.k_lin',
      value: 'attention.v_lin',
      attentionOut: 'attention.out_lin',
      attentionNorm: 'sa_layer_norm',
      ffnIn: 'ffn.lin1',
      ffnOut: 'ffn.lin2',
      outputNorm: 'output_layer_norm',
    },
    attentionOutputDropout: false,
    positions: 'sequential',
    tokenTypes: false,
    pooler: { name: 'pre_classifier', activation: 'relu' },
  },
  electra: { ...bertLike('ELECTRA', 'electra.'), pooler: null },
}

export function familyOf(config: BertConfig): FamilyLayout {
  return FAMILY[config.modelType]
}

/** Width of the embedding tables (ELECTRA's embedding_size; everyone else: hidden_size). */
export function embeddingWidth(config: BertConfig): number {
  return config.embeddingSize ?? config.hiddenSize
}

/**
 * The longest sequence (special tokens included) the position table covers: RoBERTa's first
 * real position is padding_idx + 1, so roberta-base's 514 positions hold 512 tokens.
 */
export function usablePositions(config: BertConfig): number {
  return familyOf(config).positions === 'after-padding'
    ? config.maxPositions - config.padTokenId - 1
    : config.maxPositions
}
