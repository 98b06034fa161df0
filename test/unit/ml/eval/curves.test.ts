import { describe, expect, it } from 'vitest'
import {
  averagePrecision,
  multiLabelCurves,
  oneVsRestCurves,
  precisionRecallCurve,
  rocAuc,
  rocCurve,
  thresholdCounts,
  trapezoidArea,
} from '../../../../main/ml/eval/curves'
import { TIES as fx } from '../../../fixtures/eval/ties'

// test/fixtures/eval/ties.json, hand-worked: sorted scores .95(+) | .8(+,−) | .5(+,+,−) | .3(−,+,−) | .1(−).
const y = fx.yTrue.map((v) => v === 1)
const s = fx.probs.map((p) => p[1])

describe('curves', () => {
  it('moves tied scores together: one point per distinct score', () => {
    expect(thresholdCounts(y, s)).toEqual({
      thresholds: [0.95, 0.8, 0.5, 0.3, 0.1],
      tps: [1, 2, 4, 5, 5],
      fps: [0, 1, 2, 4, 5],
      positives: 5,
      negatives: 5,
    })
  })

  it('builds the ROC curve from (0, 0) with an infinite first threshold', () => {
    const roc = rocCurve(y, s)
    expect(roc.thresholds).toEqual([Infinity, 0.95, 0.8, 0.5, 0.3, 0.1])
    expect(roc.fpr).toEqual([0, 0, 0.2, 0.4, 0.8, 1])
    expect(roc.tpr).toEqual([0, 0.2, 0.4, 0.8, 1, 1])
  })

  it('drops collinear ROC points like drop_intermediate', () => {
    // Scores 4,3,2,1 all positive then all negative: the middle points lie on straight lines.
    const roc = rocCurve([1, 1, 0, 0], [4, 3, 2, 1])
    expect(roc.fpr).toEqual([0, 0, 0, 1])
    expect(roc.tpr).toEqual([0, 0.5, 1, 1])
    expect(rocCurve([1, 1, 0, 0], [4, 3, 2, 1], false).fpr).toEqual([0, 0, 0, 0.5, 1])
  })

  it('computes ROC AUC equal to the Mann-Whitney probability with ties counted half', () => {
    // 18.5 of 25 positive/negative pairs are ordered correctly (ties count 1/2).
    expect(rocAuc(y, s)).toBeCloseTo(18.5 / 25, 15)
    expect(rocAuc([1, 1], [0.2, 0.3])).toBeNull()
  })

  it('builds the precision-recall curve ending at (recall 0, precision 1)', () => {
    const pr = precisionRecallCurve(y, s)
    expect(pr.thresholds).toEqual([0.1, 0.3, 0.5, 0.8, 0.95])
    expect(pr.recall).toEqual([1, 1, 0.8, 0.4, 0.2, 0])
    expect(pr.precision[0]).toBe(0.5)
    expect(pr.precision[1]).toBeCloseTo(5 / 9, 15)
    expect(pr.precision.slice(2)).toEqual([4 / 6, 2 / 3, 1, 1])
  })

  it('computes average precision as the step-wise sum of precision times recall gain', () => {
    // 0.2·1 + 0.2·2/3 + 0.4·2/3 + 0.2·5/9 = 32/45
    expect(averagePrecision(y, s)).toBeCloseTo(32 / 45, 15)
    expect(averagePrecision([0, 0], [0.1, 0.2])).toBeNull()
  })

  it('gives one-vs-rest curves per class and macro averages; undefined classes make macro null', () => {
    const probs = [
      [0.7, 0.2, 0.1],
      [0.2, 0.6, 0.2],
      [0.1, 0.3, 0.6],
      [0.5, 0.4, 0.1],
    ]
    const set = oneVsRestCurves([0, 1, 2, 0], probs)
    expect(set.perClass.map((c) => [c.positives, c.negatives])).toEqual([
      [2, 2],
      [1, 3],
      [1, 3],
    ])
    expect(set.perClass.map((c) => c.rocAuc)).toEqual([1, 1, 1])
    expect(set.macroRocAuc).toBe(1)
    const missing = oneVsRestCurves([0, 1, 1, 0], probs)
    expect(missing.perClass[2].rocAuc).toBeNull()
    expect(missing.perClass[2].averagePrecision).toBeNull()
    expect(missing.macroRocAuc).toBeNull()
  })

  it('gives per-label curves for a multi-label indicator matrix', () => {
    // Label 0: positives score 0.9 and 0.4, negatives 0.5 and 0.1 → 3 of 4 pairs ordered: AUC 0.75.
    // Label 1: the only positive scores highest → AUC 1.
    const yTrue = [
      [1, 1],
      [0, 0],
      [1, 0],
      [0, 0],
    ]
    const scores = [
      [0.9, 0.8],
      [0.5, 0.3],
      [0.4, 0.2],
      [0.1, 0.1],
    ]
    const set = multiLabelCurves(yTrue, scores)
    expect(set.perClass.map((c) => [c.positives, c.rocAuc])).toEqual([
      [2, 0.75],
      [1, 1],
    ])
    expect(set.macroRocAuc).toBe(0.875)
    // Label 0 ranked +, −, +, −: AP = 0.5·1 + 0.5·(2/3).
    expect(set.perClass[0].averagePrecision).toBeCloseTo(0.5 + 1 / 3, 15)
  })

  it('integrates decreasing x with a positive sign and rejects non-monotonic x', () => {
    expect(trapezoidArea([1, 0], [1, 1])).toBe(1)
    expect(() => trapezoidArea([0, 1, 0.5], [0, 1, 1])).toThrow(/neither increasing nor decreasing/)
  })

  it('rejects mismatched lengths and non-finite scores', () => {
    expect(() => rocCurve([1, 0], [0.5])).toThrow(/2 values but the scores have 1/)
    expect(() => rocCurve([1, 0], [0.5, NaN])).toThrow(/Score 1 is not a finite number/)
  })
})
