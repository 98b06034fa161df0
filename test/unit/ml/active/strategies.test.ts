// Queue strategies: uncertainty by margin and entropy, k-centre greedy diversity, seeded random.
import { describe, expect, it } from 'vitest'
import {
  kCentreGreedy,
  pickDiverse,
  pickRandom,
  rankByUncertainty,
  uncertaintyScore,
} from '../../../../main/ml/active/strategies'

const v = (...xs: number[]) => Float32Array.from(xs)

describe('rankByUncertainty', () => {
  // Margins 1, 0, 0, 0.25; entropies 0, ln 3, ln 2, 1.5 ln 2.
  const probs = [
    [1, 0, 0],
    [1 / 3, 1 / 3, 1 / 3],
    [0.5, 0.5, 0],
    [0.5, 0.25, 0.25],
  ]

  it('orders by margin p1 − p2 ascending, ties keeping the lower index first', () => {
    expect(rankByUncertainty(probs, 'margin')).toEqual([1, 2, 3, 0])
    expect(rankByUncertainty(probs)).toEqual([1, 2, 3, 0])
    expect(
      rankByUncertainty([
        [0.9, 0.1],
        [0.5, 0.5],
        [0.6, 0.4],
        [0.45, 0.55],
      ]),
    ).toEqual([1, 3, 2, 0])
    expect(
      rankByUncertainty([
        [0.7, 0.3],
        [0.3, 0.7],
        [0.5, 0.5],
      ]),
    ).toEqual([2, 0, 1])
  })

  it('orders by entropy descending', () => {
    expect(rankByUncertainty(probs, 'entropy')).toEqual([1, 3, 2, 0])
    expect(uncertaintyScore([0.5, 0.25, 0.25], 'entropy')).toBeCloseTo(1.5 * Math.log(2), 12)
    expect(uncertaintyScore([1, 0, 0], 'entropy')).toBe(0)
  })

  it('scores margin as −(p1 − p2), a one-class row with p2 = 0', () => {
    expect(uncertaintyScore([0.2, 0.7, 0.1], 'margin')).toBeCloseTo(-0.5, 12)
    expect(uncertaintyScore([1], 'margin')).toBe(-1)
  })

  it('ranks nothing when there is nothing', () => {
    expect(rankByUncertainty([])).toEqual([])
  })
})

describe('pickDiverse (k-centre greedy, cosine)', () => {
  it('picks the candidate farthest from the labelled set, then from everything picked', () => {
    // Distances to (1, 0): 0, 1, 1 − 1/√2, 1 − 1/√1.01. After (0, 1): (1, 1) stays at 1 − 1/√2.
    const candidates = [v(1, 0), v(0, 1), v(1, 1), v(1, 0.1)]
    expect(pickDiverse(candidates, [v(1, 0)], 3)).toEqual([1, 2, 3])
    const r = kCentreGreedy(candidates, [v(1, 0)], 10)
    expect(r.picks).toEqual([1, 2, 3, 0])
    expect(r.distances[0]).toBeCloseTo(1, 7)
    expect(r.distances[1]).toBeCloseTo(1 - 1 / Math.SQRT2, 7)
    expect(r.distances[2]).toBeCloseTo(1 - 1 / Math.sqrt(1.01), 6)
    expect(r.distances[3]).toBe(0)
  })

  it('starts from the candidate nearest the centroid when nothing is labelled', () => {
    // Unit vectors at 90°, 0°, 45° and 26.6°: their mean points at 39.6°, nearest (1, 1). Then
    // (0, 1) and (1, 0) tie at 1 − 1/√2 from it: the lower index goes first.
    const candidates = [v(0, 1), v(1, 0), v(1, 1), v(2, 1)]
    expect(pickDiverse(candidates, [], 4)).toEqual([2, 0, 1, 3])
    const cx = 1 + Math.SQRT1_2 + 2 / Math.sqrt(5)
    const cy = 1 + Math.SQRT1_2 + 1 / Math.sqrt(5)
    expect(kCentreGreedy(candidates, [], 1).distances[0]).toBeCloseTo(
      1 - (cx + cy) / (Math.SQRT2 * Math.hypot(cx, cy)),
      6,
    )
  })

  it('ignores vector length (cosine) and treats a zero vector as orthogonal to all', () => {
    expect(pickDiverse([v(5, 0), v(0, 0), v(0, 0.1)], [v(1, 0)], 2)).toEqual([1, 2])
  })

  it('returns no more than there are candidates, nothing for k ≤ 0', () => {
    expect(pickDiverse([v(1, 0), v(0, 1)], [], 5)).toEqual([0, 1])
    expect(pickDiverse([v(1, 0)], [], 0)).toEqual([])
    expect(pickDiverse([], [v(1, 0)], 3)).toEqual([])
  })
})

describe('pickRandom', () => {
  it('is the first k of a seeded Fisher–Yates shuffle: same seed, same sample', () => {
    expect(pickRandom(10, 4, 42)).toEqual([0, 7, 3, 5])
    expect(pickRandom(10, 4, 42)).toEqual([0, 7, 3, 5])
    expect(pickRandom(10, 4, 7)).toEqual([6, 5, 8, 1])
  })

  it('returns every index once when k ≥ n, none when n or k is 0', () => {
    expect(pickRandom(5, 9, 42)).toEqual([0, 4, 2, 1, 3])
    expect(pickRandom(0, 3, 1)).toEqual([])
    expect(pickRandom(4, 0, 1)).toEqual([])
  })

  it('draws every index about equally often over many seeds', () => {
    const counts = new Array<number>(10).fill(0)
    for (let seed = 0; seed < 5000; seed++) for (const i of pickRandom(10, 3, seed)) counts[i]++
    // Expected 1,500 each (sd ≈ 32): 5 sd either side.
    for (const c of counts) expect(Math.abs(c - 1500)).toBeLessThan(160)
  })
})
