// Neural-network building blocks composed from primitive ops (their gradients follow from the
// primitives'): GELU, LayerNorm, seeded dropout and the losses (LogSoftmax + GatherElements).
import type { Graph, Tensor } from './ir'
import { dimProduct } from './shape'
import {
  abs,
  add,
  cast,
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
/** Per graph and shape: the element index times A and times 2A, shared by every dropout of it. */
const scaledIndex = new WeakMap<Graph, Map<string, { ai: Tensor; a2i: Tensor }>>()

// Odd 32-bit constants (golden ratio; murmur3's and xxhash's multipliers). Every product and sum
// below wraps mod 2^32 (int32), as in test/parity/python/hash_dropout.py.
const INDEX_MUL = 0x9e3779b9
const SEED_MUL = [0x85ebca6b, 0x27d4eb2f, 0x7feb352d] as const
const SALT_MUL = [0xc2b2ae35, 0x165667b1, 0x846ca68b] as const
const ROUND_ADD = 0x632be59b

function int32(like: Tensor, v: number | bigint): Tensor {
  return like.graph.constant([Number(BigInt.asIntN(32, BigInt(v)))], [], 'int32')
}

function sharedScaledIndex(x: Tensor, seed: Tensor): { ai: Tensor; a2i: Tensor } {
  const byShape = scaledIndex.get(x.graph) ?? new Map<string, { ai: Tensor; a2i: Tensor }>()
  scaledIndex.set(x.graph, byShape)
  const key = JSON.stringify(x.shape)
  let t = byShape.get(key)
  if (!t) {
    const count = cast(reduceProd(shapeOf(x), [0], false), 'int32')
    const index = range(scalar(seed, 0, 'int32'), count, dimProduct(x.shape))
    t = {
      ai: mul(index, int32(seed, INDEX_MUL)),
      a2i: mul(index, int32(seed, 2n * BigInt(INDEX_MUL))),
    }
    byShape.set(key, t)
  }
  return t
}

/** seed * m + salt * k mod 2^32 (+ extra): one of a dropout site's three seed-dependent words. */
function seedWord(seed32: Tensor, m: number | bigint, saltPart: bigint): Tensor {
  return add(mul(seed32, int32(seed32, m)), int32(seed32, saltPart))
}

/**
 * Inverted dropout with a mask drawn from a hash of (element index, seed, call site): the same
 * seed gives the same mask, every dropout call in a graph gets its own stream. Training only.
 * In int32 arithmetic that wraps mod 2^32 (half the memory traffic of int64, and vectorised
 * multiplies on AVX2, which has no 64-bit one; no Mod: onnxruntime's integer Mod is a slow scalar
 * loop). With i the element index and a, b, c words of (seed, site), c odd:
 *   h2 = (A i + a)(2A i + c) + b,   h3 = h2²,   kept when the signed h3 lies above the p-quantile.
 * The first round is a permutation polynomial of i mod 2^32 (its i² coefficient 2A² even, its i
 * coefficient A(c + 2a) odd: Rivest 2001), so no two elements of a mask share h2 and the map is
 * not mirror-symmetric as a square of an affine index would be; the square's high bits are well
 * mixed. Why not int64 as before: the int64 hash cost 14–23 % of a MiniLM step.
 */
export function dropout(x: Tensor, p: number, seed: Tensor): Tensor {
  if (p <= 0) return x
  if (p >= 1) throw new Error('dropout: p must be below 1')
  if (seed.dtype !== 'int64' || seed.rank !== 0)
    throw new Error('dropout: seed must be an int64 scalar')
  const salt = BigInt((dropoutSalt.get(x.graph) ?? 0) + 1)
  dropoutSalt.set(x.graph, Number(salt))
  const seed32 = cast(seed, 'int32') // the low 32 bits (seeds are uint32: step-seed.ts)
  const a = seedWord(seed32, SEED_MUL[0], salt * BigInt(SALT_MUL[0]))
  const c = seedWord(seed32, 2n * BigInt(SEED_MUL[1]), 2n * salt * BigInt(SALT_MUL[1]) + 1n)
  const b = seedWord(seed32, SEED_MUL[2], salt * BigInt(SALT_MUL[2]) + BigInt(ROUND_ADD))
  const { ai, a2i } = sharedScaledIndex(x, seed)
  const h2 = add(mul(add(ai, a), add(a2i, c)), b)
  const h3 = mul(h2, h2)
  const threshold = BigInt(Math.floor(p * 2 ** 32)) - (1n << 31n)
  const keep = reshapeLike(greater(h3, int32(seed, threshold)), x)
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
