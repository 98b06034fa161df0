// Wilson's score interval against values from the textbook formula (statsmodels'
// proportion_confint(k, n, alpha=0.05, method='wilson') gives the same numbers).
import { describe, expect, it } from 'vitest'
import { wilsonInterval } from '../../../../main/ml/eval/proportion-interval'

describe('wilsonInterval', () => {
  it.each([
    [6, 8, 0.40927543031016883, 0.9285207872478909],
    [3, 3, 0.4385029682449546, 1],
    [0, 5, 0, 0.43448246478317476],
    [45, 50, 0.7863976856252035, 0.9565242350681096],
  ])('%i of %i → [%f, %f]', (k, n, lower, upper) => {
    const [lo, hi] = wilsonInterval(k, n)
    expect(lo).toBeCloseTo(lower, 12)
    expect(hi).toBeCloseTo(upper, 12)
  })

  it('refuses an impossible count', () => {
    expect(() => wilsonInterval(3, 2)).toThrow('0 ≤ successes ≤ n')
    expect(() => wilsonInterval(0, 0)).toThrow('n ≥ 1')
  })
})
