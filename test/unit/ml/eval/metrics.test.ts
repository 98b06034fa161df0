import { describe, expect, it } from 'vitest'
import { argmaxRows, classificationReport, confusionMatrix } from '../../../../main/ml/eval/metrics'

describe('classificationReport', () => {
  // Hand-computed: class 0 p=2/2 r=2/3 f1=0.8; class 1 p=1/2 r=1/2 f1=0.5; class 2 p=1/2 r=1/1 f1=2/3.
  const yTrue = [0, 0, 0, 1, 1, 2]
  const yPred = [0, 0, 1, 1, 2, 2]

  it('computes per-class precision, recall, F1 and support exactly', () => {
    const r = classificationReport(yTrue, yPred)
    expect(r.labels).toEqual([0, 1, 2])
    expect(r.perClass.map((c) => c.support)).toEqual([3, 2, 1])
    expect(r.perClass[0].precision).toBe(1)
    expect(r.perClass[0].recall).toBeCloseTo(2 / 3, 15)
    expect(r.perClass[0].f1).toBeCloseTo(0.8, 15)
    expect(r.perClass[1]).toMatchObject({ precision: 0.5, recall: 0.5, f1: 0.5 })
    expect(r.perClass[2].precision).toBe(0.5)
    expect(r.perClass[2].recall).toBe(1)
    expect(r.perClass[2].f1).toBeCloseTo(2 / 3, 15)
  })

  it('averages macro (unweighted) and weighted (by support) like scikit-learn', () => {
    const r = classificationReport(yTrue, yPred)
    expect(r.accuracy).toBeCloseTo(4 / 6, 15)
    expect(r.macro.f1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 15)
    expect(r.macro.precision).toBeCloseTo(2 / 3, 15)
    expect(r.weighted.f1).toBeCloseTo((0.8 * 3 + 0.5 * 2 + 2 / 3) / 6, 15)
    expect(r.weighted.recall).toBeCloseTo((2 / 3) * 0.5 + 0.5 * (2 / 6) + 1 / 6, 15)
    expect(r.macro.support).toBe(6)
    expect(r.zeroDivision).toEqual({ precision: [], recall: [], f1: [] })
  })

  it('sets ill-defined metrics to 0 and flags them (zero_division=0)', () => {
    // Labels 2 and 3 never occur; label 1 is never predicted.
    const r = classificationReport([0, 1], [0, 0], [0, 1, 2, 3])
    expect(r.perClass.map((c) => [c.precision, c.recall, c.f1, c.support])).toEqual([
      [0.5, 1, 2 / 3, 1],
      [0, 0, 0, 1],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ])
    expect(r.zeroDivision).toEqual({ precision: [1, 2, 3], recall: [2, 3], f1: [2, 3] })
    // Zero-support labels still count in the macro average, as in scikit-learn with explicit labels.
    expect(r.macro.f1).toBeCloseTo(2 / 3 / 4, 15)
    expect(r.weighted.f1).toBeCloseTo(1 / 3, 15)
  })

  it('builds the confusion matrix with true labels as rows', () => {
    expect(confusionMatrix(yTrue, yPred, [0, 1, 2])).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ])
    expect(confusionMatrix([2, 0], [0, 2], [2, 0])).toEqual([
      [0, 1],
      [1, 0],
    ])
  })

  it('rejects arrays of different lengths', () => {
    expect(() => classificationReport([0], [0, 1])).toThrow(/1 labels but y_pred has 2/)
  })

  it('takes the first maximum per row in argmaxRows', () => {
    expect(argmaxRows([0.1, 0.7, 0.2, 0.5, 0.5, 0], 3)).toEqual([1, 0])
  })
})
