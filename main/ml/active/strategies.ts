// Queue orders for active learning: which unlabelled texts to label next — the most uncertain
// (margin or entropy), the most diverse (k-centre greedy over text vectors), or a seeded random
// sample. Pure functions; the queue service, `cts next` and `cts simulate` all call these.
import { Rng } from '../train/rng'

export type QueueStrategy = 'uncertainty' | 'diversity' | 'random' | 'mislabelled'
export type UncertaintyMeasure = 'margin' | 'entropy'

export const DEFAULT_UNCERTAINTY_MEASURE: UncertaintyMeasure = 'margin'

/**
 * How uncertain one probability row is, larger = more uncertain, so both measures sort the same
 * way: margin gives −(p1 − p2) (top two probabilities; a one-class row has p2 = 0), entropy gives
 * −Σ p ln p in nats (zero probabilities add nothing).
 */
export function uncertaintyScore(p: ArrayLike<number>, measure: UncertaintyMeasure): number {
  if (measure === 'entropy') {
    let h = 0
    for (let j = 0; j < p.length; j++) if (p[j] > 0) h -= p[j] * Math.log(p[j])
    return h
  }
  let p1 = -Infinity
  let p2 = -Infinity
  for (let j = 0; j < p.length; j++) {
    if (p[j] > p1) {
      p2 = p1
      p1 = p[j]
    } else if (p[j] > p2) p2 = p[j]
  }
  return -(p1 - (p2 === -Infinity ? 0 : p2))
}

/**
 * Indices of `probs` ordered most-uncertain first: margin p1 − p2 ascending, or entropy
 * descending. Ties: lower index first (the sort is stable), so a queue never reshuffles by chance.
 */
export function rankByUncertainty(
  probs: ArrayLike<number>[],
  measure: UncertaintyMeasure = DEFAULT_UNCERTAINTY_MEASURE,
): number[] {
  const score = probs.map((p) => uncertaintyScore(p, measure))
  return probs.map((_, i) => i).sort((a, b) => score[b] - score[a])
}

function norm(v: Float32Array): number {
  let s = 0
  for (let j = 0; j < v.length; j++) s += v[j] * v[j]
  return Math.sqrt(s)
}

/** Cosine distance 1 − cos(a, b); a zero vector is at distance 1 (orthogonal) from everything. */
function cosineDistance(a: Float32Array, na: number, b: Float32Array, nb: number): number {
  if (na === 0 || nb === 0) return 1
  let dot = 0
  for (let j = 0; j < a.length; j++) dot += a[j] * b[j]
  return 1 - dot / (na * nb)
}

export interface DiversePicks {
  /** Indices of the chosen candidates, in the order they were picked. */
  picks: number[]
  /**
   * For each pick, its cosine distance to the nearest text already labelled or picked before it
   * (the "why": how far it lies from everything known). The first pick with nothing labelled has
   * its distance to the candidates' centroid.
   */
  distances: number[]
}

/**
 * k-centre greedy (Sener & Savarese 2018, the core-set greedy): repeatedly pick the candidate
 * whose cosine distance to its nearest labelled-or-picked text is largest. With nothing labelled
 * the first pick is the candidate nearest the candidates' centroid (the mean of the
 * unit-normalised vectors: a typical text, where a farthest-first start would pick an outlier).
 * Ties: lower index first. k beyond the candidates returns them all. Time O(n·(k + m)·d) for n
 * candidates, m labelled texts and d dimensions.
 */
export function kCentreGreedy(
  candidates: Float32Array[],
  labelled: Float32Array[],
  k: number,
): DiversePicks {
  const n = candidates.length
  const want = Math.max(0, Math.min(Math.floor(k), n))
  const picks: number[] = []
  const distances: number[] = []
  if (want === 0) return { picks, distances }
  const norms = candidates.map(norm)
  const taken = new Uint8Array(n)
  // Each candidate's distance to its nearest labelled-or-picked text.
  const nearest = new Float64Array(n).fill(Infinity)
  const absorb = (v: Float32Array) => {
    const nv = norm(v)
    for (let i = 0; i < n; i++) {
      if (taken[i]) continue
      const d = cosineDistance(candidates[i], norms[i], v, nv)
      if (d < nearest[i]) nearest[i] = d
    }
  }
  const take = (i: number, distance: number) => {
    taken[i] = 1
    picks.push(i)
    distances.push(distance)
    absorb(candidates[i])
  }
  if (labelled.length === 0) {
    const dim = candidates[0].length
    const centroid = new Float32Array(dim)
    candidates.forEach((v, i) => {
      if (norms[i] === 0) return
      for (let j = 0; j < dim; j++) centroid[j] += v[j] / norms[i] / n
    })
    const nc = norm(centroid)
    let best = 0
    let bestD = Infinity
    for (let i = 0; i < n; i++) {
      const d = cosineDistance(candidates[i], norms[i], centroid, nc)
      if (d < bestD) {
        best = i
        bestD = d
      }
    }
    take(best, bestD)
  } else {
    for (const v of labelled) absorb(v)
  }
  while (picks.length < want) {
    let best = -1
    for (let i = 0; i < n; i++) {
      if (!taken[i] && (best < 0 || nearest[i] > nearest[best])) best = i
    }
    take(best, nearest[best])
  }
  return { picks, distances }
}

/** k-centre greedy: picks k candidates farthest (cosine) from the chosen/labelled set. */
export function pickDiverse(
  candidates: Float32Array[],
  labelled: Float32Array[],
  k: number,
): number[] {
  return kCentreGreedy(candidates, labelled, k).picks
}

/**
 * Seeded uniform sample of k of n indices (deterministic per seed), in draw order: the first k of
 * a Fisher–Yates shuffle by the project's PRNG (train/rng.ts, mulberry32).
 */
export function pickRandom(n: number, k: number, seed: number): number[] {
  const all = Array.from({ length: Math.max(0, Math.floor(n)) }, (_, i) => i)
  return new Rng(seed).shuffle(all).slice(0, Math.max(0, Math.min(Math.floor(k), all.length)))
}
