// config.json of each BERT-family member → BertConfig: roberta, xlm-roberta, distilbert (its own
// key names) and electra (embedding_size); each family's required keys, defaults and refusals.
import { describe, expect, it } from 'vitest'
import { parseBertConfig } from '../../../../main/ml/models/bert-config'
import { usablePositions } from '../../../../main/ml/models/bert-family'
import { refusalOf } from './refusal'

/** As roberta-base's config.json, shrunk. */
const ROBERTA = {
  model_type: 'roberta',
  vocab_size: 50265,
  hidden_size: 64,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  intermediate_size: 128,
  max_position_embeddings: 514,
  type_vocab_size: 1,
  layer_norm_eps: 1e-5,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  pad_token_id: 1,
  bos_token_id: 0,
  eos_token_id: 2,
}
/** As distilbert-base-uncased's config.json, shrunk. */
const DISTILBERT = {
  model_type: 'distilbert',
  vocab_size: 30522,
  dim: 64,
  n_layers: 2,
  n_heads: 4,
  hidden_dim: 256,
  max_position_embeddings: 512,
  activation: 'gelu',
  dropout: 0.1,
  attention_dropout: 0.1,
  seq_classif_dropout: 0.2,
  sinusoidal_pos_embds: false,
  pad_token_id: 0,
}
/** As google/electra-small-discriminator's config.json. */
const ELECTRA = {
  model_type: 'electra',
  vocab_size: 30522,
  embedding_size: 128,
  hidden_size: 256,
  num_hidden_layers: 12,
  num_attention_heads: 4,
  intermediate_size: 1024,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  layer_norm_eps: 1e-12,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  pad_token_id: 0,
}

const refusal = (json: unknown) => refusalOf(() => parseBertConfig(json))

function without(json: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _drop, ...rest } = json
  return rest
}

describe('parseBertConfig across the BERT family', () => {
  it('reads a roberta config, pad id 1 included, and knows 512 of its 514 positions hold tokens', () => {
    const c = parseBertConfig(ROBERTA)
    expect(c).toEqual({
      modelType: 'roberta',
      vocabSize: 50265,
      hiddenSize: 64,
      numLayers: 2,
      numHeads: 4,
      intermediateSize: 128,
      maxPositions: 514,
      typeVocabSize: 1,
      layerNormEps: 1e-5,
      hiddenAct: 'gelu',
      hiddenDropout: 0.1,
      attentionDropout: 0.1,
      padTokenId: 1,
      positionEmbeddingType: 'absolute',
    })
    expect(usablePositions(c)).toBe(512)
    // RobertaConfig's default pad id is 1, not BERT's 0.
    expect(parseBertConfig(without(ROBERTA, 'pad_token_id')).padTokenId).toBe(1)
  })

  it('reads xlm-roberta as the same encoder under its own model type', () => {
    const c = parseBertConfig({ ...ROBERTA, model_type: 'xlm-roberta', vocab_size: 250002 })
    expect([c.modelType, c.vocabSize, c.padTokenId, usablePositions(c)]).toEqual([
      'xlm-roberta',
      250002,
      1,
      512,
    ])
  })

  it('reads distilbert under its own key names, with no token types', () => {
    const c = parseBertConfig(DISTILBERT)
    expect(c).toEqual({
      modelType: 'distilbert',
      vocabSize: 30522,
      hiddenSize: 64,
      numLayers: 2,
      numHeads: 4,
      intermediateSize: 256,
      maxPositions: 512,
      typeVocabSize: 0,
      layerNormEps: 1e-12,
      hiddenAct: 'gelu',
      hiddenDropout: 0.1,
      attentionDropout: 0.1,
      padTokenId: 0,
      positionEmbeddingType: 'absolute',
      headDropout: 0.2,
    })
    expect(usablePositions(c)).toBe(512)
    // Sinusoidal tables are stored in the checkpoint like learned ones: accepted.
    expect(parseBertConfig({ ...DISTILBERT, sinusoidal_pos_embds: true }).hiddenSize).toBe(64)
  })

  it("fills DistilBertConfig's defaults for optional keys", () => {
    const minimal = { model_type: 'distilbert', vocab_size: 100, dim: 8, n_layers: 1, n_heads: 2 }
    expect(refusal(minimal).message).toBe('config.json: "hidden_dim" is missing')
    const c = parseBertConfig({ ...minimal, hidden_dim: 16, max_position_embeddings: 32 })
    expect([c.hiddenDropout, c.attentionDropout, c.headDropout, c.padTokenId]).toEqual([
      0.1, 0.1, 0.2, 0,
    ])
  })

  it('reads electra with its embedding size', () => {
    const c = parseBertConfig(ELECTRA)
    expect([c.modelType, c.embeddingSize, c.hiddenSize, c.typeVocabSize]).toEqual([
      'electra',
      128,
      256,
      2,
    ])
    // ElectraConfig's default embedding_size is 128.
    expect(parseBertConfig(without(ELECTRA, 'embedding_size')).embeddingSize).toBe(128)
    expect(parseBertConfig({ ...ELECTRA, embedding_size: 256 }).embeddingSize).toBe(256)
  })

  it("requires each family's size keys, by their own names", () => {
    for (const key of [
      'vocab_size',
      'dim',
      'n_layers',
      'n_heads',
      'hidden_dim',
      'max_position_embeddings',
    ]) {
      expect(refusal(without(DISTILBERT, key)).message).toBe(`config.json: "${key}" is missing`)
    }
    for (const key of [
      'vocab_size',
      'hidden_size',
      'num_hidden_layers',
      'num_attention_heads',
      'intermediate_size',
      'max_position_embeddings',
    ]) {
      expect(refusal(without(ROBERTA, key)).message).toBe(`config.json: "${key}" is missing`)
      expect(refusal(without(ELECTRA, key)).message).toBe(`config.json: "${key}" is missing`)
    }
    expect(refusal({ ...ELECTRA, embedding_size: 0 }).message).toBe(
      'config.json: "embedding_size" must be a whole number ≥ 1, got 0',
    )
  })

  it('refuses, by name, what each family does not implement', () => {
    expect(refusal({ ...DISTILBERT, activation: 'relu' })).toEqual({
      code: 'unsupported',
      message: 'config.json: activation "relu" is not supported yet; supported: gelu',
    })
    expect(refusal({ ...DISTILBERT, sinusoidal_pos_embds: 'yes' }).message).toBe(
      'config.json: "sinusoidal_pos_embds" must be true or false',
    )
    expect(refusal({ ...DISTILBERT, n_heads: 5 }).message).toBe(
      'config.json: dim 64 is not divisible by n_heads 5',
    )
    expect(refusal({ ...DISTILBERT, seq_classif_dropout: 1.5 }).message).toBe(
      'config.json: "seq_classif_dropout" must be a number in [0, 1), got 1.5',
    )
    expect(refusal({ ...ROBERTA, position_embedding_type: 'relative_key_query' })).toEqual({
      code: 'unsupported',
      message:
        'config.json: position_embedding_type "relative_key_query" is not supported yet; supported: absolute',
    })
    expect(refusal({ ...ELECTRA, hidden_act: 'gelu_new' }).message).toBe(
      'config.json: hidden_act "gelu_new" is not supported yet; supported: gelu',
    )
    expect(refusal({ ...ROBERTA, max_position_embeddings: 2 }).message).toBe(
      'config.json: max_position_embeddings 2 leaves no position for a token after pad_token_id 1',
    )
    for (const type of ['albert', 'camembert', 'deberta', 'mpnet', 'xlnet']) {
      expect(refusal({ ...ROBERTA, model_type: type })).toEqual({
        code: 'unsupported',
        message: `config.json: model type "${type}" is not supported yet; supported: bert, roberta, xlm-roberta, distilbert, electra`,
      })
    }
  })
})
