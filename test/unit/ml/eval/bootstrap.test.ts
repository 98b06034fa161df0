import { describe, expect, it } from 'vitest'
import { bootstrapIntervals, percentile } from '../../../../main/ml/eval/bootstrap'
import { classificationReport } from '../../../../main/ml/eval/metrics'
import { Rng } from '../../../../main/ml/train/rng'

/** n texts over 3 classes; class 0 always right, class 1 right 70% of the time, class 2 never. */
function data(n: number, seed = 1): { t: number[]; p: number[] } {
  const rng = new Rng(seed)
  const t: number[] = []
  const p: number[] = []
  for (let i = 0; i < n; i++) {
    const y = i % 3
    t.push(y)
    p.push(y === 0 ? 0 : y === 1 ? (rng.next() < 0.7 ? 1 : 0) : 1)
  }
  return { t, p }
}

describe('bootstrap intervals', () => {
  it('interpolates percentiles linearly like numpy.percentile', () => {
    expect(percentile([1, 2, 3, 4], 25)).toBe(1.75)
    expect(percentile([1, 2, 3, 4], 97.5)).toBeCloseTo(3.925, 15)
    expect(percentile([5], 2.5)).toBe(5)
  })

  it('is reproducible for a seed and changes with it', () => {
    const rng = new Rng(3)
    const t = Array.from({ length: 120 }, () => rng.int(3))
    const p = t.map((y) => (rng.next() < 0.6 ? y : rng.int(3)))
    const a = bootstrapIntervals(t, p, 3, { resamples: 200, seed: 7 })
    expect(bootstrapIntervals(t, p, 3, { resamples: 200, seed: 7 })).toEqual(a)
    const b = bootstrapIntervals(t, p, 3, { resamples: 200, seed: 8 })
    expect(b.macroF1.estimate).toBe(a.macroF1.estimate)
    expect([b.macroF1.lower, b.macroF1.upper]).not.toEqual([a.macroF1.lower, a.macroF1.upper])
  })

  it('keeps each class support fixed (stratified): an always-right class has recall [1, 1]', () => {
    const { t, p } = data(90)
    const r = bootstrapIntervals(t, p, 3, { resamples: 300 })
    expect(r.stratified).toBe(true)
    expect(r.recall[0]).toEqual({ estimate: 1, lower: 1, upper: 1 })
    expect(r.recall[2]).toEqual({ estimate: 0, lower: 0, upper: 0 })
    const est = classificationReport(t, p, [0, 1, 2])
    expect(r.recall[1]!.estimate).toBe(est.perClass[1].recall)
    expect(r.macroF1.estimate).toBe(est.macro.f1)
    expect(r.recall[1]!.lower).toBeLessThan(est.perClass[1].recall)
    expect(r.recall[1]!.upper).toBeGreaterThan(est.perClass[1].recall)
    expect(r.macroF1.lower).toBeLessThan(r.macroF1.estimate)
    expect(r.macroF1.upper).toBeGreaterThan(r.macroF1.estimate)
  })

  it('narrows with more texts and with a lower confidence level', () => {
    const small = data(60)
    const big = data(960)
    const width = (x: { lower: number; upper: number }) => x.upper - x.lower
    const ws = width(bootstrapIntervals(small.t, small.p, 3, { resamples: 300 }).macroF1)
    const wb = width(bootstrapIntervals(big.t, big.p, 3, { resamples: 300 }).macroF1)
    expect(wb).toBeLessThan(ws / 2)
    const w50 = width(
      bootstrapIntervals(small.t, small.p, 3, { resamples: 300, level: 0.5 }).macroF1,
    )
    expect(w50).toBeLessThan(ws)
  })

  it('gives null for a class with no texts and rejects unknown labels', () => {
    const r = bootstrapIntervals([0, 0, 1], [0, 1, 1], 3, { resamples: 50 })
    expect(r.recall[2]).toBeNull()
    expect(() => bootstrapIntervals([0, 5], [0, 0], 3)).toThrow(
      /Text 1: label 5 is not one of the 3 classes/,
    )
  })
})
