// config.json → BertConfig: MiniLM's real file maps field by field; every unsupported or invalid
// setting is refused with a message naming it.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseBertConfig } from '../../../../main/ml/models/bert-config'
import { refusalOf } from './refusal'

const raw = JSON.parse(
  readFileSync(join(process.cwd(), 'resources/models/all-MiniLM-L6-v2/config.json'), 'utf8'),
) as Record<string, unknown>

const refusal = (json: unknown) => refusalOf(() => parseBertConfig(json))

describe('parseBertConfig', () => {
  it('maps every field of the bundled MiniLM config', () => {
    expect(parseBertConfig(raw)).toEqual({
      modelType: 'bert',
      vocabSize: raw.vocab_size,
      hiddenSize: raw.hidden_size,
      numLayers: raw.num_hidden_layers,
      numHeads: raw.num_attention_heads,
      intermediateSize: raw.intermediate_size,
      maxPositions: raw.max_position_embeddings,
      typeVocabSize: raw.type_vocab_size,
      layerNormEps: raw.layer_norm_eps,
      hiddenAct: 'gelu',
      hiddenDropout: raw.hidden_dropout_prob,
      attentionDropout: raw.attention_probs_dropout_prob,
      padTokenId: raw.pad_token_id,
      positionEmbeddingType: 'absolute',
    })
  })

  it("fills transformers' defaults for optional keys and accepts an old config without model_type", () => {
    const minimal = {
      architectures: ['BertForMaskedLM'],
      vocab_size: 100,
      hidden_size: 8,
      num_hidden_layers: 2,
      num_attention_heads: 2,
      intermediate_size: 16,
      max_position_embeddings: 64,
    }
    const c = parseBertConfig(minimal)
    expect([
      c.typeVocabSize,
      c.layerNormEps,
      c.hiddenDropout,
      c.attentionDropout,
      c.padTokenId,
    ]).toEqual([2, 1e-12, 0.1, 0.1, 0])
  })

  it('refuses other architectures, naming the supported ones', () => {
    expect(refusal({ ...raw, model_type: 'albert' })).toEqual({
      code: 'unsupported',
      message:
        'config.json: model type "albert" is not supported yet; supported: bert, roberta, xlm-roberta, distilbert, electra',
    })
    expect(refusal({ ...raw, model_type: 'deberta-v2' }).message).toMatch(
      /"deberta-v2" is not supported yet/,
    )
  })

  it('refuses a config with no model_type and non-BERT architectures', () => {
    const { model_type: _drop, ...rest } = raw
    expect(refusal({ ...rest, architectures: ['XLMRobertaModel'] }).message).toBe(
      'config.json: "model_type" is missing, so the architecture is unknown',
    )
  })

  it('refuses activations and position embeddings the encoder does not implement', () => {
    expect(refusal({ ...raw, hidden_act: 'gelu_new' })).toEqual({
      code: 'unsupported',
      message: 'config.json: hidden_act "gelu_new" is not supported yet; supported: gelu',
    })
    expect(refusal({ ...raw, position_embedding_type: 'relative_key' }).message).toBe(
      'config.json: position_embedding_type "relative_key" is not supported yet; supported: absolute',
    )
  })

  it('refuses a hidden size that heads cannot split evenly', () => {
    expect(refusal({ ...raw, num_attention_heads: 7 }).message).toBe(
      'config.json: hidden_size 384 is not divisible by num_attention_heads 7',
    )
  })

  it('refuses missing, textual, negative or fractional sizes', () => {
    const { vocab_size: _v, ...noVocab } = raw
    expect(refusal(noVocab).message).toBe('config.json: "vocab_size" is missing')
    expect(refusal({ ...raw, hidden_size: '384' }).message).toBe(
      'config.json: "hidden_size" must be a whole number ≥ 1, got "384"',
    )
    expect(refusal({ ...raw, num_hidden_layers: -1 }).message).toMatch(
      /"num_hidden_layers" must be a whole number/,
    )
    expect(refusal({ ...raw, intermediate_size: 1.5 }).message).toMatch(
      /"intermediate_size" must be a whole number/,
    )
  })

  it('refuses out-of-range dropout and epsilon, and a pad id outside the vocabulary', () => {
    expect(refusal({ ...raw, hidden_dropout_prob: 1 }).message).toBe(
      'config.json: "hidden_dropout_prob" must be a number in [0, 1), got 1',
    )
    expect(refusal({ ...raw, layer_norm_eps: 0 }).message).toMatch(
      /"layer_norm_eps" must be a number in \(0, 1\)/,
    )
    expect(refusal({ ...raw, pad_token_id: 30522 }).message).toBe(
      'config.json: pad_token_id 30522 is outside the vocabulary (30522)',
    )
  })

  it('refuses JSON that is not an object, naming the file it came from', () => {
    expect(() => parseBertConfig([1], 'my-model/config.json')).toThrow(
      'my-model/config.json: must be a JSON object',
    )
  })
})
