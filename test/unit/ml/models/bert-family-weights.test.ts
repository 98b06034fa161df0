// Per-family weight names and graph inputs: DistilBERT's own names and pre_classifier, ELECTRA's
// embedding projection and missing pooler, RoBERTa's prefix; the codec feeds token_type_ids only
// to graphs that take them and pads with the tokenizer's pad id; a RoBERTa folder whose tokenizer
// pads with another id than config.json is refused.
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CtsError } from '../../../../preload/contract/common'
import { buildBertClassifier } from '../../../../main/ml/models/bert'
import { bertCodec, createBertAdapter } from '../../../../main/ml/models/bert-adapter'
import type { BertConfig } from '../../../../main/ml/models/bert-config'
import {
  bertParamSpecs,
  normalizeWeightName,
  resolveBertWeights,
  unusedWeightNames,
} from '../../../../main/ml/models/weights'
import type { ClinicalTokenizer } from '../../../../main/ml/tokenize/clinical-tokenizer'
import { TINY_CONFIG, randomWeights } from './bert-random'
import { writeTinyModel } from './tiny-model'

const DISTIL: BertConfig = {
  ...TINY_CONFIG,
  modelType: 'distilbert',
  typeVocabSize: 0,
  headDropout: 0.2,
}
const ELECTRA: BertConfig = { ...TINY_CONFIG, modelType: 'electra', embeddingSize: 4 }
const ROBERTA: BertConfig = {
  ...TINY_CONFIG,
  modelType: 'roberta',
  typeVocabSize: 1,
  padTokenId: 1,
}

describe('BERT-family weight names', () => {
  it("lists DistilBERT's params under its own names, pre_classifier as the cls head's pooler", () => {
    const specs = bertParamSpecs(DISTIL, 3, 'cls')
    const layer0 = [
      'attention.q_lin',
      'attention.k_lin',
      'attention.v_lin',
      'attention.out_lin',
      'sa_layer_norm',
      'ffn.lin1',
      'ffn.lin2',
      'output_layer_norm',
    ].flatMap((n) => [`transformer.layer.0.${n}.weight`, `transformer.layer.0.${n}.bias`])
    expect(specs.map((s) => s.name)).toEqual([
      'embeddings.word_embeddings.weight',
      'embeddings.position_embeddings.weight',
      'embeddings.LayerNorm.weight',
      'embeddings.LayerNorm.bias',
      ...layer0,
      ...layer0.map((n) => n.replace('layer.0', 'layer.1')),
      'pre_classifier.weight',
      'pre_classifier.bias',
      'classifier.weight',
      'classifier.bias',
    ])
    // HF's recipe skips decay on LayerNorm modules, whatever DistilBERT calls them.
    const decayed = new Set(specs.filter((s) => s.decay).map((s) => s.name))
    expect(decayed.has('transformer.layer.0.sa_layer_norm.weight')).toBe(false)
    expect(decayed.has('transformer.layer.1.output_layer_norm.weight')).toBe(false)
    expect(decayed.has('transformer.layer.0.ffn.lin1.weight')).toBe(true)
    expect(specs.find((s) => s.name === 'pre_classifier.weight')?.part).toBe('pooler')
  })

  it('gives ELECTRA narrow embedding tables, a projection to the hidden size and no pooler', () => {
    const specs = bertParamSpecs(ELECTRA, 2, 'cls')
    const shape = (n: string) => specs.find((s) => s.name === n)?.shape
    expect(shape('embeddings.word_embeddings.weight')).toEqual([30, 4])
    expect(shape('embeddings.token_type_embeddings.weight')).toEqual([2, 4])
    expect(shape('embeddings.LayerNorm.weight')).toEqual([4])
    expect(shape('embeddings_project.weight')).toEqual([8, 4])
    expect(specs.find((s) => s.name === 'embeddings_project.bias')?.part).toBe('embeddings')
    expect(specs.filter((s) => s.part === 'pooler')).toEqual([])
    // Equal sizes: no projection, as ElectraModel creates none.
    const same = bertParamSpecs({ ...ELECTRA, embeddingSize: 8 }, 2, 'cls').map((s) => s.name)
    expect(same.some((n) => n.startsWith('embeddings_project'))).toBe(false)
  })

  it('strips only the family prefix when told the family, any family prefix otherwise', () => {
    expect(normalizeWeightName('roberta.encoder.layer.0.output.dense.weight', 'roberta')).toBe(
      'encoder.layer.0.output.dense.weight',
    )
    expect(normalizeWeightName('roberta.pooler.dense.bias', 'xlm-roberta')).toBe(
      'pooler.dense.bias',
    )
    expect(normalizeWeightName('distilbert.transformer.layer.1.ffn.lin1.bias', 'distilbert')).toBe(
      'transformer.layer.1.ffn.lin1.bias',
    )
    expect(normalizeWeightName('electra.embeddings_project.weight', 'electra')).toBe(
      'embeddings_project.weight',
    )
    expect(normalizeWeightName('roberta.embeddings.LayerNorm.weight', 'bert')).toBe(
      'roberta.embeddings.LayerNorm.weight',
    )
    expect(normalizeWeightName('electra.embeddings.LayerNorm.gamma')).toBe(
      'embeddings.LayerNorm.weight',
    )
    expect(normalizeWeightName('discriminator_predictions.dense.weight', 'electra')).toBe(
      'discriminator_predictions.dense.weight',
    )
  })

  it('loads a prefixed checkpoint and names the family when a weight is missing', () => {
    const plain = randomWeights(DISTIL, 2, 'cls')
    // As DistilBertForSequenceClassification saves it: the head's layers sit outside the prefix.
    const prefixed = new Map(
      [...plain].map(([k, v]) => [k.includes('classifier') ? k : `distilbert.${k}`, v]),
    )
    const r = resolveBertWeights(DISTIL, prefixed, { numLabels: 2, head: 'cls' })
    expect(r.initialized).toEqual([])
    for (const [k, v] of plain) expect(r.values.get(k)).toBe(v.data)
    prefixed.delete('distilbert.transformer.layer.1.ffn.lin2.weight')
    expect(() => resolveBertWeights(DISTIL, prefixed, { numLabels: 2, head: 'cls' })).toThrow(
      'The model weights lack transformer.layer.1.ffn.lin2.weight: this folder does not hold a DistilBERT model that matches its config.json.',
    )
  })

  it("lists as unused only what each family's classifier does not read", () => {
    const electra = [...randomWeights(ELECTRA, 2, 'cls').keys()].map((k) =>
      k.startsWith('classifier') ? k : `electra.${k}`,
    )
    const extra = ['discriminator_predictions.dense.weight', 'electra.embeddings.position_ids']
    expect(unusedWeightNames(ELECTRA, [...electra, ...extra], 'cls')).toEqual(extra)
    const roberta = [...randomWeights(ROBERTA, 2, 'cls').keys()].map((k) => `roberta.${k}`)
    expect(unusedWeightNames(ROBERTA, [...roberta, 'lm_head.dense.weight'], 'mean')).toEqual([
      'lm_head.dense.weight',
      'roberta.pooler.dense.bias',
      'roberta.pooler.dense.weight',
    ])
    const distil = [...randomWeights(DISTIL, 2, 'cls').keys()]
    expect(unusedWeightNames(DISTIL, [...distil, 'vocab_projector.bias'], 'cls')).toEqual([
      'vocab_projector.bias',
    ])
    expect(unusedWeightNames(DISTIL, distil, 'mean')).toEqual([
      'pre_classifier.bias',
      'pre_classifier.weight',
    ])
  })

  it('builds graphs with token_type_ids only for families that have token types', () => {
    const inputs = (c: BertConfig) =>
      buildBertClassifier(c, randomWeights(c, 2, 'mean'), {
        numLabels: 2,
        head: 'mean',
        training: false,
      }).batchInputs.map((t) => (t.source as { name: string }).name)
    expect(inputs(DISTIL)).toEqual(['input_ids', 'attention_mask'])
    expect(inputs(ROBERTA)).toEqual(['input_ids', 'attention_mask', 'token_type_ids'])
    expect(inputs(ELECTRA)).toEqual(['input_ids', 'attention_mask', 'token_type_ids'])
  })

  it('refuses a RoBERTa max length beyond the positions after padding_idx', () => {
    expect(() =>
      buildBertClassifier(ROBERTA, randomWeights(ROBERTA, 2, 'mean'), {
        numLabels: 2,
        head: 'mean',
        training: false,
        maxLength: 15,
      }),
    ).toThrow('Maximum length 15 exceeds the 14 positions this model knows.')
  })
})

describe('BERT-family codec', () => {
  const fakeTokenizer = { padId: 1, encode: (t: string) => [0, ...[...t].map(() => 5), 2] }
  const codec = (tokenTypeIds?: boolean) =>
    bertCodec(fakeTokenizer as unknown as ClinicalTokenizer, {
      numClasses: 2,
      maxLength: 8,
      lengthMultiple: 1,
      ...(tokenTypeIds === undefined ? {} : { tokenTypeIds }),
      describe: {},
    })

  it("pads with the tokenizer's pad id and feeds token types only when the graph takes them", () => {
    const c = codec(false)
    const f = c.feeds([c.encode('ab'), c.encode('abcd')], 6)
    expect(Object.keys(f)).toEqual(['input_ids', 'attention_mask'])
    expect(Array.from(f.input_ids.data as BigInt64Array, Number)).toEqual([
      0, 5, 5, 2, 1, 1, 0, 5, 5, 5, 5, 2,
    ])
    expect(Array.from(f.attention_mask.data as BigInt64Array, Number)).toEqual([
      1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1,
    ])
    // Bundles saved before families existed carry no flag: they are BERT graphs with token types.
    const old = codec()
    expect(Object.keys(old.feeds([old.encode('a')], 3))).toEqual([
      'input_ids',
      'attention_mask',
      'token_type_ids',
    ])
  })

  it('refuses a RoBERTa folder whose tokenizer pads with another id than config.json', async () => {
    const dir = await writeTinyModel()
    const cfg = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'))
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ ...cfg, model_type: 'roberta', pad_token_id: 1, type_vocab_size: 1 }),
    )
    const err = await createBertAdapter(dir, { numClasses: 2 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CtsError)
    expect((err as CtsError).message).toBe(
      "tiny-bert: the tokenizer pads with id 0 but config.json says pad_token_id 1; RoBERTa positions depend on it, so the folder's files do not belong together",
    )
  })
})
