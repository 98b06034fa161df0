import { describe, expect, it } from 'vitest'
import { evalBatches, paddedLength, trainBatches } from '../../../../main/ml/train/batching'
import { Rng } from '../../../../main/ml/train/rng'
import {
  EarlyStopping,
  inverseFrequencyWeights,
  linearScheduleFactor,
  warmupSteps,
} from '../../../../main/ml/train/schedule'

const lengths = Array.from({ length: 103 }, (_, i) => 3 + ((i * 37) % 120))

describe('trainBatches', () => {
  it('covers every item once, pads to multiples of 8 and caps at maxLength', () => {
    const batches = trainBatches(lengths, { batchSize: 8, rng: new Rng(5), maxLength: 100 })
    const all = batches.flatMap((b) => b.indices).sort((a, b) => a - b)
    expect(all).toEqual(lengths.map((_, i) => i))
    expect(batches.length).toBe(13)
    for (const b of batches) {
      const longest = Math.max(...b.indices.map((i) => lengths[i]))
      expect(b.length).toBe(Math.min(100, Math.ceil(longest / 8) * 8))
    }
  })

  it('is deterministic for a seed and sorts by length inside a pool', () => {
    const a = trainBatches(lengths, { batchSize: 4, rng: new Rng(9), maxLength: 128 })
    const b = trainBatches(lengths, { batchSize: 4, rng: new Rng(9), maxLength: 128 })
    expect(a).toEqual(b)
    // One pool holds everything (50 × 4 > 103), so batches hold runs of sorted lengths.
    const sorted = [...lengths].sort((x, y) => x - y)
    const firsts = a.map((batch) => batch.indices.map((i) => lengths[i]))
    expect(firsts.flat().sort((x, y) => x - y)).toEqual(sorted)
    for (const batch of firsts) expect([...batch].sort((x, y) => x - y)).toEqual(batch)
    expect(trainBatches(lengths, { batchSize: 4, rng: new Rng(10), maxLength: 128 })).not.toEqual(a)
  })

  it('keeps equal-length items shuffled (texts cut to maxLength arrive grouped by label)', () => {
    // 64 items of one length, the first half label 0, the second label 1, as a CSV sorted by label.
    const same = new Array<number>(64).fill(128)
    const batches = trainBatches(same, { batchSize: 16, rng: new Rng(3), maxLength: 128 })
    const mixed = batches.filter((b) => {
      const firstHalf = b.indices.filter((i) => i < 32).length
      return firstHalf > 0 && firstHalf < b.indices.length
    })
    expect(mixed).toHaveLength(batches.length)
  })

  it('bounds the number of distinct shapes', () => {
    expect(paddedLength(1, 128)).toBe(8)
    expect(paddedLength(17, 128, 16)).toBe(32)
    expect(paddedLength(500, 128)).toBe(128)
    const shapes = new Set(evalBatches(lengths, 4, 128).map((b) => b.length))
    expect(shapes.size).toBeLessThanOrEqual(16)
  })
})

describe('schedule', () => {
  it('matches get_linear_schedule_with_warmup', () => {
    const total = 100
    const w = warmupSteps(total, 0.1)
    expect(w).toBe(10)
    expect(linearScheduleFactor(0, total, w)).toBe(0)
    expect(linearScheduleFactor(5, total, w)).toBe(0.5)
    expect(linearScheduleFactor(10, total, w)).toBe(1)
    expect(linearScheduleFactor(55, total, w)).toBe(0.5)
    expect(linearScheduleFactor(100, total, w)).toBe(0)
    expect(warmupSteps(95, 0.1)).toBe(10)
  })

  it('weights classes by inverse frequency', () => {
    expect(inverseFrequencyWeights([0, 0, 0, 1], 3)).toEqual([4 / 9, 4 / 3, 1])
  })

  it('stops after patience epochs without improvement', () => {
    const es = new EarlyStopping(2)
    expect(es.update(0, 0.5)).toEqual({ improved: true, stop: false })
    expect(es.update(1, 0.6)).toEqual({ improved: true, stop: false })
    expect(es.update(2, 0.6)).toEqual({ improved: false, stop: false })
    expect(es.update(3, 0.55)).toEqual({ improved: false, stop: true })
    expect(es.state).toEqual({ best: 0.6, bestEpoch: 1, badEpochs: 2 })
    const resumed = new EarlyStopping(2, 0, es.state)
    expect(resumed.update(4, 0.7).improved).toBe(true)
  })
})
