// The int8 − fp32 gap of npm run bench:infer (test/bench/infer-gap.ts): a paired, stratified,
// seeded bootstrap over the same texts, with the flips counted each way.
import { describe, expect, it } from 'vitest'
import { pairedGap } from '../../bench/infer-gap'

describe('pairedGap', () => {
  it('is exactly 0 with a [0, 0] interval when both engines agree on every text', () => {
    const truth = [0, 1, 2, 0, 1, 2]
    const pred = [0, 1, 1, 0, 2, 2]
    const g = pairedGap(truth, pred, [...pred], 3)
    expect(g).toMatchObject({ texts: 6, gap: 0, lower: 0, upper: 0, same: 6, bFixed: 0, bBroke: 0 })
    expect(g.resamples).toBe(1000)
    expect(g.level).toBe(0.95)
  })

  it('scores both engines on the same resampled texts', () => {
    // a misses the last class-1 text (macro-F1 (0.8 + 2/3) / 2); b is right everywhere (1).
    const truth = [0, 0, 1, 1]
    const a = [0, 0, 1, 0]
    const b = [0, 0, 1, 1]
    const g = pairedGap(truth, a, b, 2)
    expect(g.gap).toBeCloseTo(1 - (0.8 + 2 / 3) / 2, 12)
    // A resample drawing text 2 twice for class 1 makes a perfect too (gap 0, 1 in 4); drawing
    // text 3 twice makes a's class 1 F1 0 and class 0's 2/3 (gap 2/3, 1 in 4): the interval's ends.
    expect(g.lower).toBe(0)
    expect(g.upper).toBeCloseTo(2 / 3, 12)
    expect({ same: g.same, bFixed: g.bFixed, bBroke: g.bBroke }).toEqual({
      same: 3,
      bFixed: 1,
      bBroke: 0,
    })
    expect(pairedGap(truth, a, b, 2)).toEqual(g)
    // Swapped, the gap and its interval change sign and the flips swap sides.
    const r = pairedGap(truth, b, a, 2)
    expect(r.gap).toBeCloseTo(-g.gap, 12)
    expect(r.upper).toBeCloseTo(0, 12)
    expect(r.lower).toBeCloseTo(-2 / 3, 12)
    expect({ bFixed: r.bFixed, bBroke: r.bBroke }).toEqual({ bFixed: 0, bBroke: 1 })
  })

  it('refuses predictions that do not pair with the labels', () => {
    expect(() => pairedGap([0, 1], [0], [0, 1], 2)).toThrow('2 labels, 1 and 2 predictions')
  })
})
