// AdamW and global-norm clipping written as IR ops, computing what torch.optim.AdamW and
// torch.nn.utils.clip_grad_norm_ compute, arranged to touch each weight as few times as possible.
import { type Tensor, add, div, minimum, mul, reduceSum, scalar, sqrt, sub } from '../graph'

/** AdamW constants (torch defaults); learning rate and weight decay are run-time inputs. */
export const ADAMW_DEFAULTS = { beta1: 0.9, beta2: 0.999, eps: 1e-8, clipNorm: 1.0 } as const

export interface AdamWScalars {
  /** Learning rate (float scalar). */
  lr: Tensor
  /** Decoupled weight decay (float scalar); null for parameters that take none. */
  weightDecay: Tensor | null
  /** 1-based step index t of this update (float scalar). */
  t: Tensor
  beta1: number
  beta2: number
  eps: number
  /** Gradient scale from clipping (float scalar), or null for none. */
  clipCoef: Tensor | null
}

/**
 * One AdamW update of p given its raw gradient g and g*g (shared with the norm computation).
 * torch: p *= 1 - lr*wd; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g²;
 * p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps), with g already scaled by the clip coefficient.
 * Scalars are folded first so each weight-sized tensor is read and written as few times as possible;
 * the result equals torch's up to float32 rounding.
 */
export function adamwUpdate(
  p: Tensor,
  g: Tensor,
  gSquared: Tensor,
  m: Tensor,
  v: Tensor,
  s: AdamWScalars,
): { p: Tensor; m: Tensor; v: Tensor } {
  const c = s.clipCoef
  const gScale = c ? mul(c, 1 - s.beta1) : scalar(p, 1 - s.beta1)
  const g2Scale = c ? mul(mul(c, c), 1 - s.beta2) : scalar(p, 1 - s.beta2)
  const m2 = add(mul(m, s.beta1), mul(g, gScale))
  const v2 = add(mul(v, s.beta2), mul(gSquared, g2Scale))
  const bc1 = sub(1, powOf(s.beta1, s.t))
  const bc2Sqrt = sqrt(sub(1, powOf(s.beta2, s.t)))
  // m / (sqrt(v)/sqrt(bc2) + eps) * lr/bc1 == m / (sqrt(v) + eps sqrt(bc2)) * lr sqrt(bc2)/bc1
  const epsScaled = mul(bc2Sqrt, s.eps)
  const stepSize = div(mul(s.lr, bc2Sqrt), bc1)
  const decayed = s.weightDecay ? mul(p, sub(1, mul(s.lr, s.weightDecay))) : p
  const p2 = sub(decayed, mul(div(m2, add(sqrt(v2), epsScaled)), stepSize))
  return { p: p2, m: m2, v: v2 }
}

/** base ** t for a constant base and a float scalar tensor t. */
function powOf(base: number, t: Tensor): Tensor {
  return t.graph.op('Pow', [scalar(t, base), t])
}

/**
 * Global L2 norm of all gradients (before clipping), each gradient squared (reused by AdamW), and
 * clip_grad_norm_'s coefficient min(maxNorm / (norm + 1e-6), 1) — null when clipping is off
 * (maxNorm 0 or not finite).
 */
export function globalNorm(
  grads: Tensor[],
  maxNorm: number,
): { norm: Tensor; squared: Tensor[]; coef: Tensor | null } {
  const squared = grads.map((g) => mul(g, g))
  const norm = sqrt(squared.map((q) => reduceSum(q)).reduce((a, b) => add(a, b)))
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) return { norm, squared, coef: null }
  return { norm, squared, coef: minimum(div(maxNorm, add(norm, 1e-6)), 1) }
}
