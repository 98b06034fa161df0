// The no-pretrained-model baseline (fastText-style): hashed word/char n-grams → embedding bag
// (Gather + masked mean) → linear → logits, built in the same IR and trained by the same engine.
import {
  Graph,
  type Tensor,
  add,
  crossEntropy,
  div,
  dropout,
  gather,
  matmul,
  maximum,
  mul,
  reduceSum,
  softmax,
  unsqueeze,
} from '../graph'
import { Rng } from '../train/rng'
import type { BaselineFeatureConfig } from './baseline-features'
import type { ClassifierGraph } from './classifier-graph'

export interface BaselineModelConfig extends BaselineFeatureConfig {
  /**
   * 'tfidf': a linear model over TF-IDF n-gram values (buckets = vocabulary size, dim 0), fitted
   * to convergence (baseline-fit.ts). Absent: the first form, a hashed embedding bag.
   */
  form?: 'tfidf'
  /** The tfidf form's longest character n-gram (baseline-analyzer.ts). */
  charMax?: number
  /** Embedding width (the first form). */
  dim: number
  numClasses: number
  /** Seed of the initial weights. */
  seed: number
  /** Dropout on the pooled bag vector while training (0 = none). */
  dropout: number
}

export interface BaselineModel extends ClassifierGraph {
  /**
   * Batch inputs: ids int64 [batch, bag] and mask float32 [batch, bag] — 1 per n-gram in the first
   * form, its TF-IDF value in the tfidf form (0 = padding). Labels: ClassifierGraph.
   */
  ids: Tensor
  mask: Tensor
  params: Tensor[]
  /** Parameter names that get weight decay (the weight matrices, not biases). */
  decay: Set<string>
}

export const BASELINE_PARAMS = {
  embedding: 'baseline.embedding',
  weight: 'baseline.classifier.weight',
  bias: 'baseline.classifier.bias',
} as const

/** Build the baseline graph; `weights` (by param name) replace the seeded random initial weights. */
export function buildBaselineClassifier(
  cfg: BaselineModelConfig,
  weights?: Map<string, Float32Array>,
): BaselineModel {
  if (cfg.form === 'tfidf') return buildTfidfClassifier(cfg, weights)
  const g = new Graph()
  const rng = new Rng(cfg.seed)
  // fastText initialises input vectors uniformly in ±1/dim; the head gets Xavier-uniform.
  const embInit = new Float32Array(cfg.buckets * cfg.dim).map(() => (rng.next() * 2 - 1) / cfg.dim)
  const limit = Math.sqrt(6 / (cfg.dim + cfg.numClasses))
  const wInit = new Float32Array(cfg.dim * cfg.numClasses).map(() => (rng.next() * 2 - 1) * limit)
  const init = (name: string, fallback: Float32Array) => weights?.get(name) ?? fallback
  const P = BASELINE_PARAMS
  const emb = g.param(P.embedding, [cfg.buckets, cfg.dim], init(P.embedding, embInit))
  const w = g.param(P.weight, [cfg.dim, cfg.numClasses], init(P.weight, wInit))
  const b = g.param(P.bias, [cfg.numClasses], init(P.bias, new Float32Array(cfg.numClasses)))

  const ids = g.input('ids', 'int64', ['batch', 'bag'])
  const mask = g.input('mask', 'float32', ['batch', 'bag'])
  const labels = g.input('labels', 'int64', ['batch'])
  const dropoutSeed = g.input('dropout_seed', 'int64', [])
  const classWeights = g.input('class_weights', 'float32', [cfg.numClasses])

  const vectors = gather(emb, ids, 0) // [batch, bag, dim]
  const summed = reduceSum(mul(vectors, unsqueeze(mask, [2])), [1]) // [batch, dim]
  // Empty texts have no ids: divide by at least 1 so they pool to zeros, not NaN.
  const pooled = div(summed, maximum(reduceSum(mask, [1], true), 1))
  const head = (x: Tensor) => add(matmul(x, w), b)
  const logits = head(dropout(pooled, cfg.dropout, dropoutSeed))
  const evalLogits = head(pooled)
  return {
    graph: g,
    ids,
    mask,
    labels,
    dropoutSeed,
    classWeights,
    logits,
    probs: softmax(logits, -1),
    loss: crossEntropy(logits, labels, { classWeights }),
    evalLogits,
    evalProbs: softmax(evalLogits, -1),
    params: [emb, w, b],
    decay: new Set([P.embedding, P.weight]),
  }
}

/**
 * The tfidf form: logits = Σ value × table[id] + bias, i.e. multinomial logistic regression on
 * the sparse TF-IDF vector. The table is named like the first form's embedding so explanations
 * find the lookup the same way; gradient × input there is exactly each n-gram's contribution.
 * Zero initial weights: the problem is convex, so the start only affects how long the fit takes.
 */
function buildTfidfClassifier(
  cfg: BaselineModelConfig,
  weights?: Map<string, Float32Array>,
): BaselineModel {
  const g = new Graph()
  const P = BASELINE_PARAMS
  const init = (name: string, size: number) => weights?.get(name) ?? new Float32Array(size)
  const table = g.param(
    P.embedding,
    [cfg.buckets, cfg.numClasses],
    init(P.embedding, cfg.buckets * cfg.numClasses),
  )
  const b = g.param(P.bias, [cfg.numClasses], init(P.bias, cfg.numClasses))
  const ids = g.input('ids', 'int64', ['batch', 'bag'])
  const mask = g.input('mask', 'float32', ['batch', 'bag'])
  const labels = g.input('labels', 'int64', ['batch'])
  const dropoutSeed = g.input('dropout_seed', 'int64', [])
  const classWeights = g.input('class_weights', 'float32', [cfg.numClasses])
  const logits = add(reduceSum(mul(gather(table, ids, 0), unsqueeze(mask, [2])), [1]), b)
  const probs = softmax(logits, -1)
  return {
    graph: g,
    ids,
    mask,
    labels,
    dropoutSeed,
    classWeights,
    logits,
    probs,
    loss: crossEntropy(logits, labels, { classWeights }),
    evalLogits: logits,
    evalProbs: probs,
    params: [table, b],
    decay: new Set([P.embedding]),
  }
}

/** Pack featurised texts into the batch tensors' data (padded to `length`). */
export function packBaselineBatch(
  features: Int32Array[],
  length: number,
  values?: Float32Array[],
): { ids: BigInt64Array; mask: Float32Array; dims: [number, number] } {
  const ids = new BigInt64Array(features.length * length)
  const mask = new Float32Array(features.length * length)
  features.forEach((f, r) => {
    const n = Math.min(f.length, length)
    for (let i = 0; i < n; i++) {
      ids[r * length + i] = BigInt(f[i])
      mask[r * length + i] = values ? values[r][i] : 1
    }
  })
  return { ids, mask, dims: [features.length, length] }
}
