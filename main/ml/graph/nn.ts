// Neural-network building blocks composed from primitive ops (their gradients follow from the
// primitives'): GELU, LayerNorm, seeded dropout and the losses (LogSoftmax + GatherElements).
import type { Graph, Tensor } from './ir'
import { dimProduct } from './shape'
import {
  abs,
  add,
  div,
  exp,
  gather,
  gatherElements,
  greater,
  log,
  logSoftmax,
  mul,
  neg,
  range,
  reduceMean,
  reduceProd,
  reduceSum,
  relu,
  reshapeLike,
  scalar,
  shapeOf,
  squeeze,
  sub,
  unsqueeze,
  where,
} from './ops'

/**
 * GELU, erf form: one IR op (op-defs/gelu.ts) emitted as transformers and torch's ONNX export
 * write it, x * 0.5 * (1 + erf(x / sqrt 2)), so onnxruntime fuses it into one Gelu kernel — in
 * training graphs too, as its hand-written gradient needs only x.
 */
export function gelu(x: Tensor): Tensor {
  return x.graph.op('Gelu', [x])
}

/**
 * LayerNorm over the last axis, as torch.nn.LayerNorm (biased variance, eps inside the sqrt): one
 * ONNX LayerNormalization node (opset 17), whose Mean and InvStdDev outputs feed its hand-written
 * gradient (op-defs/norm.ts). It was a dozen primitive ops each way before: LayerNorm work in a
 * MiniLM train step went from ≈ 5 % to 0.6 % of kernel time (graph/API.md, speed notes).
 */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-12): Tensor {
  return x.graph.op('LayerNormalization', [x, gamma, beta], { axis: -1, epsilon: eps })
}

const dropoutSalt = new WeakMap<Graph, number>()
/** Per graph and shape: index * A over the elements, shared by every dropout of that shape. */
const scaledIndex = new WeakMap<Graph, Map<string, Tensor>>()

// Odd 64-bit constants (golden ratio, splitmix64's multipliers), as signed int64.
const INDEX_MUL = BigInt.asIntN(64, 0x9e3779b97f4a7c15n)
const SEED_MUL = BigInt.asIntN(64, 0xbf58476d1ce4e5b9n)
const SALT_MUL = BigInt.asIntN(64, 0x94d049bb133111ebn)
const ROUND_ADD = BigInt.asIntN(64, 0x632be59bd9b4e019n)

function int64(like: Tensor, v: bigint): Tensor {
  return like.graph.constant(BigInt64Array.of(v), [], 'int64')
}

function sharedScaledIndex(x: Tensor, seed: Tensor): Tensor {
  const byShape = scaledIndex.get(x.graph) ?? new Map<string, Tensor>()
  scaledIndex.set(x.graph, byShape)
  const key = JSON.stringify(x.shape)
  let t = byShape.get(key)
  if (!t) {
    const count = reduceProd(shapeOf(x), [0], false)
    const index = range(scalar(seed, 0, 'int64'), count, dimProduct(x.shape))
    t = mul(index, int64(seed, INDEX_MUL))
    byShape.set(key, t)
  }
  return t
}

/**
 * Inverted dropout with a mask drawn from a hash of (element index, seed, call site): the same
 * seed gives the same mask, every dropout call in a graph gets its own stream. Training only.
 * In int64 arithmetic that wraps mod 2^64 (no Mod: onnxruntime's integer Mod is a slow scalar
 * loop): h1 = A i + s, then two squaring rounds h2 = h1^2, h3 = (h2 + c)^2 — the squares make the
 * stream non-linear in the index (an affine map alone gives a striped mask) and their high bits
 * are well mixed; an element is kept when the signed h3 lies above the p-quantile of int64.
 */
export function dropout(x: Tensor, p: number, seed: Tensor): Tensor {
  if (p <= 0) return x
  if (p >= 1) throw new Error('dropout: p must be below 1')
  if (seed.dtype !== 'int64' || seed.rank !== 0)
    throw new Error('dropout: seed must be an int64 scalar')
  const salt = (dropoutSalt.get(x.graph) ?? 0) + 1
  dropoutSalt.set(x.graph, salt)
  const siteMix = BigInt.asIntN(64, BigInt(salt) * SALT_MUL)
  const seedPart = add(mul(seed, int64(seed, SEED_MUL)), int64(seed, siteMix))
  const h1 = add(sharedScaledIndex(x, seed), seedPart)
  const h2 = mul(h1, h1)
  const h2c = add(h2, int64(seed, BigInt.asIntN(64, ROUND_ADD + BigInt(salt))))
  const h3 = mul(h2c, h2c)
  const threshold = (BigInt(Math.floor(p * 2 ** 32)) << 32n) - (1n << 63n)
  const keep = reshapeLike(greater(h3, int64(seed, threshold)), x)
  // x times a {0, 1/(1-p)} mask: the backward pass is then one Mul by the same mask, where
  // Where(keep, x/(1-p), 0) cost a Where and a Mul each way (same values, up to the sign of 0).
  return mul(x, where(keep, scalar(x, 1 / (1 - p)), scalar(x, 0)))
}

export interface CrossEntropyOptions {
  /** [classes] weights, as torch's CrossEntropyLoss(weight=…): the mean is weighted. */
  classWeights?: Tensor
  reduction?: 'mean' | 'sum' | 'none'
}

/** Softmax cross-entropy of logits [batch, classes] against int64 labels [batch]. */
export function crossEntropy(
  logits: Tensor,
  labels: Tensor,
  opts: CrossEntropyOptions = {},
): Tensor {
  if (logits.rank !== 2 || labels.rank !== 1) {
    throw new Error('crossEntropy: expects logits [batch, classes] and labels [batch]')
  }
  const picked = gatherElements(logSoftmax(logits, -1), unsqueeze(labels, [1]), 1)
  let nll = neg(squeeze(picked, [1]))
  const reduction = opts.reduction ?? 'mean'
  if (opts.classWeights) {
    const w = gather(opts.classWeights, labels, 0)
    nll = mul(nll, w)
    if (reduction === 'mean') return div(reduceSum(nll), reduceSum(w))
  }
  if (reduction === 'none') return nll
  return reduction === 'sum' ? reduceSum(nll) : reduceMean(nll)
}

/**
 * Multi-label loss: sigmoid + binary cross-entropy from logits, as torch's BCEWithLogitsLoss
 * (mean over all elements; posWeight [classes] scales the positive term).
 */
export function bceWithLogits(
  logits: Tensor,
  targets: Tensor,
  opts: { posWeight?: Tensor } = {},
): Tensor {
  // log(1 + exp(-|x|)) + max(-x, 0) is log(1 + exp(-x)) without overflow.
  const softplusNeg = add(log(add(exp(neg(abs(logits))), 1)), relu(neg(logits)))
  const negTerm = mul(sub(1, targets), logits)
  const weight = opts.posWeight ? add(mul(sub(opts.posWeight, 1), targets), 1) : undefined
  const loss = add(negTerm, weight ? mul(weight, softplusNeg) : softplusNeg)
  return reduceMean(loss)
}
