// Cross-validation metrics: pooled = the metrics of the concatenated out-of-fold predictions,
// per-fold intervals, the paired bootstrap of the learning-curve gain and its verdict.
import { describe, expect, it } from 'vitest'
import { bootstrapIntervals } from '../../../../main/ml/eval/bootstrap'
import {
  curveVerdict,
  foldMacroF1,
  pairedMacroF1Gain,
  perFoldMetrics,
  pooledMetrics,
  type OutOfFold,
} from '../../../../main/ml/eval/cv-metrics'
import { classificationReport } from '../../../../main/ml/eval/metrics'

// 3 folds × 8 texts, 3 classes; predictions hand-made with some errors per fold.
const oof: OutOfFold = {
  yTrue: [0, 0, 0, 1, 1, 1, 2, 2, /**/ 0, 0, 0, 1, 1, 2, 2, 2, /**/ 0, 0, 1, 1, 1, 2, 2, 2],
  yPred: [0, 0, 1, 1, 1, 1, 2, 0, /**/ 0, 0, 0, 1, 2, 2, 2, 2, /**/ 0, 1, 1, 1, 0, 2, 2, 1],
  fold: [...Array(8).fill(0), ...Array(8).fill(1), ...Array(8).fill(2)] as number[],
}
const opts = { resamples: 200, seed: 5 }

describe('pooledMetrics', () => {
  it('equals the metrics and bootstrap of the concatenated out-of-fold predictions', () => {
    const p = pooledMetrics(oof, 3, 3, opts)
    const direct = classificationReport(oof.yTrue, oof.yPred, [0, 1, 2])
    expect(p.report).toEqual(direct)
    expect(p.macroF1).toEqual(bootstrapIntervals(oof.yTrue, oof.yPred, 3, opts).macroF1)
    expect(p.report.accuracy).toBeCloseTo(18 / 24, 12)
  })

  it('does not depend on the order the folds are concatenated in', () => {
    const order = [...Array(24).keys()].reverse()
    const shuffled: OutOfFold = {
      yTrue: order.map((i) => oof.yTrue[i]),
      yPred: order.map((i) => oof.yPred[i]),
      fold: order.map((i) => oof.fold[i]),
    }
    expect(pooledMetrics(shuffled, 3, 3, opts).report).toEqual(
      pooledMetrics(oof, 3, 3, opts).report,
    )
  })

  it('reports the mean and sample standard deviation of the folds', () => {
    const per = [0, 1, 2].map((f) =>
      foldMacroF1(oof.yTrue.slice(f * 8, f * 8 + 8), oof.yPred.slice(f * 8, f * 8 + 8)),
    )
    const p = pooledMetrics(oof, 3, 3, opts)
    const mean = (per[0] + per[1] + per[2]) / 3
    expect(p.foldMean).toBeCloseTo(mean, 12)
    expect(p.foldSd).toBeCloseTo(Math.sqrt(per.reduce((s, v) => s + (v - mean) ** 2, 0) / 2), 12)
  })
})

describe('perFoldMetrics', () => {
  it('gives each fold its size, accuracy and macro-F1 inside its interval', () => {
    const folds = perFoldMetrics(oof, 3, opts)
    expect(folds.map((f) => f.texts)).toEqual([8, 8, 8])
    expect(folds.map((f) => f.accuracy)).toEqual([6 / 8, 7 / 8, 5 / 8])
    for (const f of folds) {
      expect(f.macroF1.lower).toBeLessThanOrEqual(f.macroF1.estimate + 1e-12)
      expect(f.macroF1.upper).toBeGreaterThanOrEqual(f.macroF1.estimate - 1e-12)
    }
    expect(folds[1].macroF1.estimate).toBeCloseTo(
      classificationReport(oof.yTrue.slice(8, 16), oof.yPred.slice(8, 16), [0, 1, 2]).macro.f1,
      12,
    )
  })

  it('averages a fold over the classes it has (an absent class is not an F1 of 0)', () => {
    expect(foldMacroF1([0, 0, 1, 1], [0, 0, 1, 1])).toBe(1)
    // Class 2 predicted but absent: it still costs class 1 its recall.
    expect(foldMacroF1([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo((1 + 2 / 3) / 2, 12)
  })
})

describe('pairedMacroF1Gain and curveVerdict', () => {
  const yTrue = Array.from({ length: 60 }, (_, i) => i % 3)
  const good = [...yTrue]
  const worse = yTrue.map((y, i) => (i % 4 === 0 ? (y + 1) % 3 : y))

  it('is the exact difference with a seeded interval that excludes 0 for a clear gain', () => {
    const g = pairedMacroF1Gain(yTrue, worse, good, 3, opts)
    const f1 = (p: number[]) => classificationReport(yTrue, p, [0, 1, 2]).macro.f1
    expect(g.estimate).toBeCloseTo(f1(good) - f1(worse), 12)
    expect(g.lower).toBeGreaterThan(0)
    expect(pairedMacroF1Gain(yTrue, worse, good, 3, opts)).toEqual(g)
    expect(curveVerdict(g)).toBe('likely')
  })

  it('is exactly 0 for identical predictions: a plateau', () => {
    const g = pairedMacroF1Gain(yTrue, worse, worse, 3, opts)
    expect(g).toEqual({ estimate: 0, lower: 0, upper: 0 })
    expect(curveVerdict(g)).toBe('plateau')
  })

  it('is unclear when the interval spans 0 widely', () => {
    expect(curveVerdict({ estimate: 0.03, lower: -0.02, upper: 0.08 })).toBe('unclear')
    expect(curveVerdict({ estimate: 0.005, lower: -0.01, upper: 0.03 })).toBe('unclear')
  })
})
