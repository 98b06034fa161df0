import { describe, expect, it } from 'vitest'
import { binIndex, calibration } from '../../../../main/ml/eval/calibration'
import { TIES as fx } from '../../../fixtures/eval/ties'

describe('calibration', () => {
  it('puts a confidence on a bin edge into the lower bin, (lower, upper]', () => {
    expect([0, 0.1, 0.10001, 0.3, 0.5, 0.95, 1].map((c) => binIndex(c, 10))).toEqual([
      0, 0, 1, 2, 4, 9, 9,
    ])
  })

  it('reports count, mean confidence and accuracy per bin and the ECE', () => {
    const cal = calibration(fx.yTrue, fx.probs)
    expect(cal.total).toBe(10)
    expect(cal.bins.map((b) => b.count)).toEqual([0, 0, 0, 0, 3, 0, 3, 2, 1, 1])
    const b4 = cal.bins[4]
    expect([b4.lower, b4.upper, b4.meanConfidence]).toEqual([0.4, 0.5, 0.5])
    expect(b4.accuracy).toBeCloseTo(1 / 3, 15)
    expect(cal.bins[7]).toMatchObject({ meanConfidence: 0.8, accuracy: 0.5 })
    expect(cal.bins[0]).toMatchObject({ count: 0, meanConfidence: null, accuracy: null })
    // 0.3·|1/3−0.5| + 0.3·|2/3−0.7| + 0.2·|0.5−0.8| + 0.1·|1−0.9| + 0.1·|1−0.95|
    expect(cal.ece).toBeCloseTo(0.135, 12)
    expect(cal.mce).toBeCloseTo(0.3, 12)
  })

  it('gives ECE 0 when confidence equals accuracy in every bin', () => {
    const cal = calibration(
      [0, 1, 0, 0],
      [
        [0.75, 0.25],
        [0.75, 0.25],
        [0.75, 0.25],
        [0.75, 0.25],
      ],
    )
    expect(cal.ece).toBe(0)
  })

  it('rejects probabilities outside [0, 1] and mismatched lengths', () => {
    expect(() => calibration([0], [[1.5, -0.5]])).toThrow(/Text 0: probability 1.5/)
    expect(() => calibration([0, 1], [[1, 0]])).toThrow(/2 labels but there are 1/)
  })
})
