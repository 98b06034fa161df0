// Hugging Face weight names → BERT classifier params: order, shapes, weight-decay split, prefixes,
// seeded initialisation of what a checkpoint lacks, and errors that name the bad weight.
import { describe, expect, it } from 'vitest'
import {
  bertParamSpecs,
  normalizeWeightName,
  resolveBertWeights,
  type WeightTensor,
} from '../../../../main/ml/models/weights'
import { TINY_CONFIG, randomWeights } from './bert-random'

const layerNames = (i: number) =>
  [
    'attention.self.query.weight',
    'attention.self.query.bias',
    'attention.self.key.weight',
    'attention.self.key.bias',
    'attention.self.value.weight',
    'attention.self.value.bias',
    'attention.output.dense.weight',
    'attention.output.dense.bias',
    'attention.output.LayerNorm.weight',
    'attention.output.LayerNorm.bias',
    'intermediate.dense.weight',
    'intermediate.dense.bias',
    'output.dense.weight',
    'output.dense.bias',
    'output.LayerNorm.weight',
    'output.LayerNorm.bias',
  ].map((n) => `encoder.layer.${i}.${n}`)

describe('BERT weight names', () => {
  it('lists every param in Hugging Face order with torch shapes', () => {
    const specs = bertParamSpecs(TINY_CONFIG, 3, 'cls')
    expect(specs.map((s) => s.name)).toEqual([
      'embeddings.word_embeddings.weight',
      'embeddings.position_embeddings.weight',
      'embeddings.token_type_embeddings.weight',
      'embeddings.LayerNorm.weight',
      'embeddings.LayerNorm.bias',
      ...layerNames(0),
      ...layerNames(1),
      'pooler.dense.weight',
      'pooler.dense.bias',
      'classifier.weight',
      'classifier.bias',
    ])
    const shape = (n: string) => specs.find((s) => s.name === n)?.shape
    expect(shape('embeddings.word_embeddings.weight')).toEqual([30, 8])
    expect(shape('embeddings.position_embeddings.weight')).toEqual([16, 8])
    expect(shape('encoder.layer.1.intermediate.dense.weight')).toEqual([16, 8])
    expect(shape('encoder.layer.1.output.dense.weight')).toEqual([8, 16])
    expect(shape('classifier.weight')).toEqual([3, 8])
    expect(specs.find((s) => s.name === 'encoder.layer.1.output.dense.bias')?.layer).toBe(1)
  })

  it('has no pooler with the mean head', () => {
    const names = bertParamSpecs(TINY_CONFIG, 2, 'mean').map((s) => s.name)
    expect(names).toHaveLength(5 + 16 * 2 + 2)
    expect(names.filter((n) => n.startsWith('pooler.'))).toEqual([])
  })

  it('decays weight matrices and embeddings, never biases nor LayerNorm params', () => {
    const specs = bertParamSpecs(TINY_CONFIG, 2, 'cls')
    const decayed = specs.filter((s) => s.decay).map((s) => s.name)
    expect(decayed).toEqual([
      'embeddings.word_embeddings.weight',
      'embeddings.position_embeddings.weight',
      'embeddings.token_type_embeddings.weight',
      ...[0, 1].flatMap((i) =>
        ['self.query', 'self.key', 'self.value', 'output.dense']
          .map((n) => `encoder.layer.${i}.attention.${n}.weight`)
          .concat(
            `encoder.layer.${i}.intermediate.dense.weight`,
            `encoder.layer.${i}.output.dense.weight`,
          ),
      ),
      'pooler.dense.weight',
      'classifier.weight',
    ])
  })

  it("reads checkpoints saved with a 'bert.' prefix and TF-era LayerNorm gamma/beta", () => {
    expect(normalizeWeightName('bert.encoder.layer.3.output.LayerNorm.gamma')).toBe(
      'encoder.layer.3.output.LayerNorm.weight',
    )
    expect(normalizeWeightName('bert.embeddings.LayerNorm.beta')).toBe('embeddings.LayerNorm.bias')
    expect(normalizeWeightName('classifier.weight')).toBe('classifier.weight')
    const plain = randomWeights(TINY_CONFIG, 2, 'cls')
    const prefixed = new Map<string, WeightTensor>()
    for (const [k, v] of plain) {
      const name = k.startsWith('classifier') ? k : `bert.${k}`
      prefixed.set(name.replace('LayerNorm.weight', 'LayerNorm.gamma'), v)
    }
    const r = resolveBertWeights(TINY_CONFIG, prefixed, { numLabels: 2, head: 'cls' })
    expect(r.initialized).toEqual([])
    for (const [k, v] of plain) expect(r.values.get(k)).toBe(v.data)
  })

  it('initialises a missing pooler and classifier as Hugging Face does, the same for the same seed', () => {
    const w = randomWeights(TINY_CONFIG, 2, 'cls')
    for (const k of [
      'pooler.dense.weight',
      'pooler.dense.bias',
      'classifier.weight',
      'classifier.bias',
    ])
      w.delete(k)
    const a = resolveBertWeights(TINY_CONFIG, w, { numLabels: 4, head: 'cls', seed: 3 })
    const b = resolveBertWeights(TINY_CONFIG, w, { numLabels: 4, head: 'cls', seed: 3 })
    const c = resolveBertWeights(TINY_CONFIG, w, { numLabels: 4, head: 'cls', seed: 4 })
    expect(a.initialized).toEqual([
      'pooler.dense.weight',
      'pooler.dense.bias',
      'classifier.weight',
      'classifier.bias',
    ])
    const cw = a.values.get('classifier.weight') as Float32Array
    expect(cw).toHaveLength(4 * 8)
    expect(b.values.get('classifier.weight')).toEqual(cw)
    expect(c.values.get('classifier.weight')).not.toEqual(cw)
    expect(Array.from(a.values.get('classifier.bias') as Float32Array)).toEqual([0, 0, 0, 0])
    // normal(0, 0.02): 32 draws all lie well within ±5 standard deviations, and are not all equal.
    expect(Math.max(...Array.from(cw, Math.abs))).toBeLessThan(0.1)
    expect(new Set(cw).size).toBe(32)
  })

  it('initialises a fresh mean-head classifier as torch.nn.Linear does: weight and bias in ±1/sqrt(hidden)', () => {
    const w = randomWeights(TINY_CONFIG, 2, 'mean')
    w.delete('classifier.weight')
    w.delete('classifier.bias')
    const a = resolveBertWeights(TINY_CONFIG, w, { numLabels: 3, head: 'mean', seed: 5 })
    const b = resolveBertWeights(TINY_CONFIG, w, { numLabels: 3, head: 'mean', seed: 5 })
    const weight = Array.from(a.values.get('classifier.weight') as Float32Array)
    const bias = Array.from(a.values.get('classifier.bias') as Float32Array)
    expect(Array.from(b.values.get('classifier.weight') as Float32Array)).toEqual(weight)
    const bound = 1 / Math.sqrt(TINY_CONFIG.hiddenSize)
    expect(weight).toHaveLength(3 * TINY_CONFIG.hiddenSize)
    expect(bias).toHaveLength(3)
    for (const v of [...weight, ...bias]) expect(Math.abs(v)).toBeLessThan(bound)
    // Uniform, not normal(0, 0.02): 24 draws on ±0.354 spread well beyond 0.1, and the bias is drawn.
    expect(Math.max(...weight.map(Math.abs))).toBeGreaterThan(0.2)
    expect(new Set(weight).size).toBe(weight.length)
    expect(bias.every((v) => v !== 0)).toBe(true)
  })

  it('starts a fresh classifier when the checkpoint was trained for another label count', () => {
    const w = randomWeights(TINY_CONFIG, 5, 'mean')
    const r = resolveBertWeights(TINY_CONFIG, w, { numLabels: 2, head: 'mean' })
    expect(r.initialized).toEqual(['classifier.weight', 'classifier.bias'])
    expect(r.values.get('classifier.weight')).toHaveLength(2 * 8)
  })

  it('names a missing encoder weight and a weight of the wrong shape', () => {
    const missing = randomWeights(TINY_CONFIG, 2, 'mean')
    missing.delete('encoder.layer.1.attention.self.value.bias')
    expect(() => resolveBertWeights(TINY_CONFIG, missing, { numLabels: 2, head: 'mean' })).toThrow(
      'The model weights lack encoder.layer.1.attention.self.value.bias: this folder does not hold a BERT model that matches its config.json.',
    )
    const wrong = randomWeights(TINY_CONFIG, 2, 'mean')
    wrong.set('embeddings.word_embeddings.weight', {
      shape: [31, 8],
      data: new Float32Array(31 * 8),
    })
    expect(() => resolveBertWeights(TINY_CONFIG, wrong, { numLabels: 2, head: 'mean' })).toThrow(
      'The model weight embeddings.word_embeddings.weight has shape [31, 8] but config.json implies [30, 8].',
    )
  })
})
