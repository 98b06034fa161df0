import { describe, expect, it } from 'vitest'
import {
  npvAt,
  operatingTable,
  pointForSensitivity,
  ppvAt,
} from '../../../../main/ml/eval/operating-point'
import { TIES as fx } from '../../../fixtures/eval/ties'

const table = operatingTable(
  fx.yTrue,
  fx.probs.map((p) => p[1]),
  0.1,
)

describe('operating point', () => {
  it('lists sensitivity and specificity for every distinct threshold', () => {
    expect(table.rows.map((r) => [r.threshold, r.sensitivity, r.specificity])).toEqual([
      [0.95, 0.2, 1],
      [0.8, 0.4, 0.8],
      [0.5, 0.8, 0.6],
      [0.3, 1, 0.19999999999999996],
      [0.1, 1, 0],
    ])
    expect(table.rows[2]).toMatchObject({ tp: 4, fp: 2, tn: 3, fn: 1 })
  })

  it('picks the highest threshold reaching the target sensitivity, with Bayes PPV/NPV at the prevalence', () => {
    const p = pointForSensitivity(table, 0.8)
    expect(p.threshold).toBe(0.5)
    expect(p.specificity).toBe(0.6)
    // PPV = 0.8·0.1 / (0.8·0.1 + 0.4·0.9) = 2/11; NPV = 0.6·0.9 / (0.6·0.9 + 0.2·0.1) = 27/28
    expect(p.ppv).toBeCloseTo(2 / 11, 15)
    expect(p.npv).toBeCloseTo(27 / 28, 15)
    expect(pointForSensitivity(table, 0.81).threshold).toBe(0.3)
    expect(pointForSensitivity(table, 0).threshold).toBe(0.95)
  })

  it('changes PPV with prevalence, not with the test set', () => {
    expect(ppvAt(0.9, 0.9, 0.5)).toBeCloseTo(0.9, 15)
    expect(ppvAt(0.9, 0.9, 0.01)).toBeCloseTo(0.009 / (0.009 + 0.099), 15)
    expect(npvAt(1, 0.5, 0.3)).toBe(1)
    expect(npvAt(1, 0, 0.3)).toBeNull()
    expect(ppvAt(0, 1, 0.3)).toBeNull()
  })

  it('rejects a prevalence or target outside its range with a clear message', () => {
    expect(() => operatingTable([1, 0], [0.9, 0.1], 0)).toThrow(
      /prevalence must be a number strictly between 0 and 1/,
    )
    expect(() => pointForSensitivity(table, 1.2)).toThrow(
      /target sensitivity must be a number from 0 to 1/,
    )
    expect(() => operatingTable([1, 1], [0.9, 0.1], 0.2)).toThrow(/both positive and negative/)
  })
})
