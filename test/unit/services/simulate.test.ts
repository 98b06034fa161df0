// The active-learning simulation (`cts simulate`'s service) on a small bilingual fixture: exact
// curve lengths and label counts, identical curves for the same seed, the seed sample stratified,
// and "labels to reach random's final score" read off the mean curves.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { SimulateResultDto } from '../../../preload/contract/simulate'
import {
  curveLabels,
  reachOf,
  seedSample,
  simulateFiles,
  withDefaults,
} from '../../../main/services/simulate'
import { REPO_ROOT } from '../cli/cts-process'

const FIXTURE = join(REPO_ROOT, 'test/fixtures/active')
const files = {
  train: join(FIXTURE, 'simulate-train.csv'),
  test: join(FIXTURE, 'simulate-test.csv'),
}

/** The result without its wall time, which is the only part allowed to differ between runs. */
const timeless = (r: SimulateResultDto) => ({ ...r, seconds: 0 })

describe('curveLabels', () => {
  it('steps from the seed size to the budget, the last step shortened to land on it', () => {
    expect(curveLabels(20, 20, 100)).toEqual([20, 40, 60, 80, 100])
    expect(curveLabels(10, 30, 75)).toEqual([10, 40, 70, 75])
    expect(curveLabels(50, 10, 50)).toEqual([50])
  })
})

describe('seedSample', () => {
  it('draws a seeded sample stratified by label, the same for the same seed', () => {
    // 60 / 30 / 10 texts of labels 0 / 1 / 2 → 6 / 3 / 1 of a 10-text sample.
    const labels = [...Array(60).fill(0), ...Array(30).fill(1), ...Array(10).fill(2)]
    const a = seedSample(labels, 3, 10, 7)
    expect(a).toHaveLength(10)
    expect(new Set(a).size).toBe(10)
    expect([0, 1, 2].map((y) => a.filter((i) => labels[i] === y).length)).toEqual([6, 3, 1])
    expect(seedSample(labels, 3, 10, 7)).toEqual(a)
    expect(seedSample(labels, 3, 10, 8)).not.toEqual(a)
  })
})

describe('reachOf', () => {
  const point = (labels: number, macroF1Mean: number) => ({
    labels,
    macroF1Mean,
    macroF1Sd: 0,
    runs: 3,
  })
  it("gives the labels each strategy's mean curve first reached random's final score with", () => {
    const reach = reachOf(
      {
        random: [point(10, 0.5), point(20, 0.6), point(30, 0.7), point(40, 0.8)],
        uncertainty: [point(10, 0.5), point(20, 0.7), point(30, 0.8), point(40, 0.85)],
        diversity: [point(10, 0.5), point(20, 0.6), point(30, 0.7), point(40, 0.79)],
      },
      40,
    )
    expect(reach).toEqual({
      randomFinalMacroF1: 0.8,
      strategies: {
        uncertainty: { labels: 30, ratio: 0.75 },
        diversity: { labels: null, ratio: null },
      },
    })
  })
  it('is null without a random curve to compare with', () => {
    expect(reachOf({ uncertainty: [point(10, 0.5)] }, 10)).toBeNull()
  })
})

describe('simulateFiles', () => {
  const config = withDefaults({
    strategies: ['uncertainty', 'diversity', 'random'],
    seedSize: 12,
    step: 12,
    budget: 48,
    repeats: 2,
    seed: 5,
  })

  it('gives one curve per strategy with exact label counts, identical for the same seed', async () => {
    const first = await simulateFiles(files, config)
    expect(first.settings).toMatchObject({
      strategies: ['uncertainty', 'diversity', 'random'],
      seedSize: 12,
      step: 12,
      budget: 48,
      repeats: 2,
      seed: 5,
      labels: ['cardiac', 'digestive', 'respiratory'],
      trainTexts: 300,
      testTexts: 90,
      skipped: { train: 0, test: 0 },
    })
    for (const s of ['uncertainty', 'diversity', 'random'] as const) {
      const curve = first.curves[s]!
      expect(curve.map((p) => p.labels)).toEqual([12, 24, 36, 48])
      expect(curve.map((p) => p.runs)).toEqual([2, 2, 2, 2])
      for (const p of curve) {
        expect(p.macroF1Mean).toBeGreaterThan(0)
        expect(p.macroF1Mean).toBeLessThanOrEqual(1)
        expect(p.macroF1Sd).toBeGreaterThanOrEqual(0)
      }
    }
    // Paired curves: every strategy starts from the same seed sample, so the first points agree.
    expect(first.curves.uncertainty![0]).toEqual(first.curves.random![0])
    expect(first.curves.diversity![0]).toEqual(first.curves.random![0])
    expect(first.reach!.randomFinalMacroF1).toBe(first.curves.random![3].macroF1Mean)

    const again = await simulateFiles(files, config)
    expect(timeless(again)).toEqual(timeless(first))
  }, 120_000)

  it('replays the random strategy alone exactly as it ran beside the others', async () => {
    const all = await simulateFiles(files, withDefaults({ ...config, strategies: ['random'] }))
    const other = await simulateFiles(
      files,
      withDefaults({ ...config, strategies: ['random'], seed: 6 }),
    )
    const both = await simulateFiles(
      files,
      withDefaults({ ...config, strategies: ['uncertainty', 'random'] }),
    )
    expect(all.curves.random).toEqual(both.curves.random)
    expect(all.reach).toEqual({
      randomFinalMacroF1: all.curves.random![3].macroF1Mean,
      strategies: {},
    })
    // Another seed, another sample: the repeat seeds 6, 7 share only seed 6 with 5, 6.
    expect(other.curves.random).not.toEqual(all.curves.random)
  }, 120_000)

  it('refuses a budget beyond the training texts, naming the argument', async () => {
    await expect(
      simulateFiles(files, withDefaults({ ...config, budget: 301 })),
    ).rejects.toMatchObject({
      code: 'bad-input',
      message:
        'The label budget must be from the seed size (12) to the number of training texts (300); got 301.',
      details: { issues: [{ path: ['config', 'budget'], fromSchema: false }] },
    })
  })
})
