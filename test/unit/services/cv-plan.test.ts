// The cross-validation plan: the test split `cts train` would hold out never enters the pool, each
// fold's train / dev / held-out texts are disjoint, patients stay in one fold, and the learning
// curve's training subsets are nested per fold.
import { describe, expect, it } from 'vitest'
import { planCrossValidation } from '../../../main/services/cv-plan'
import { prepareSplits, type TrainingData } from '../../../main/services/training-data'

const n = 60
const data: TrainingData = {
  projectId: 1,
  labels: ['a', 'b', 'c'],
  train: {
    texts: Array.from({ length: n }, (_, i) => `text ${i}`),
    labels: Array.from({ length: n }, (_, i) => i % 3),
    groups: Array.from({ length: n }, (_, i) => `P${Math.floor(i / 3)}`),
    ids: Array.from({ length: n }, (_, i) => 100 + i),
  },
}
const fractions = [0.1, 0.25, 0.5, 1]

describe('planCrossValidation', () => {
  it('keeps out exactly the test texts prepareSplits holds out for the same seed and mode', () => {
    for (const split of ['stratified', 'grouped'] as const) {
      const plan = planCrossValidation(data, { k: 5, seed: 42, split, fractions })
      const test = prepareSplits(data, 42, split).test
      expect(plan.testExcluded).toBe(test.texts.length)
      expect(plan.pool.texts.length + test.texts.length).toBe(n)
      const pool = new Set(plan.pool.ids)
      expect(test.ids!.some((id) => pool.has(id))).toBe(false)
    }
  })

  it('keeps given test texts out and uses all the training texts', () => {
    const withTest = { ...data, test: { texts: ['t1', 't2'], labels: [0, 1] } }
    const plan = planCrossValidation(withTest, { k: 5, seed: 42, fractions })
    expect(plan.pool.texts).toHaveLength(n)
    expect(plan.pool.texts).not.toContain('t1')
    expect(plan.testExcluded).toBe(2)
  })

  it('groups by patient by default: no patient in two folds, nor in train and held-out', () => {
    const plan = planCrossValidation(data, { k: 4, seed: 3, fractions })
    expect(plan.split).toBe('grouped')
    const foldsOf = new Map<string, Set<number>>()
    plan.pool.groups.forEach((g, i) =>
      foldsOf.set(g!, (foldsOf.get(g!) ?? new Set()).add(plan.fold[i])),
    )
    for (const s of foldsOf.values()) expect(s.size).toBe(1)
    for (const t of plan.tasks) {
      const held = new Set(t.eval.map((i) => plan.pool.groups[i]))
      expect([...t.train, ...t.dev].some((i) => held.has(plan.pool.groups[i]))).toBe(false)
    }
  })

  it('plans k × fractions trainings with disjoint train, dev and held-out texts', () => {
    const plan = planCrossValidation(data, { k: 5, seed: 42, split: 'stratified', fractions })
    expect(plan.tasks).toHaveLength(20)
    const all = plan.pool.texts.length
    for (const t of plan.tasks) {
      const seen = new Set([...t.train, ...t.dev, ...t.eval])
      expect(seen.size).toBe(t.train.length + t.dev.length + t.eval.length)
      if (t.fraction === 1) expect(seen.size).toBe(all)
    }
    // Every pool text is held out exactly once at 100 %.
    const held = plan.tasks.filter((t) => t.fraction === 1).flatMap((t) => t.eval)
    expect([...held].sort((a, b) => a - b)).toEqual([...Array(all).keys()])
    // Per fold the training subsets (train + dev) grow and are nested.
    for (let f = 0; f < 5; f++) {
      const sets = plan.tasks
        .filter((t) => t.fold === f)
        .map((t) => new Set([...t.train, ...t.dev]))
      for (let i = 1; i < sets.length; i++) {
        expect([...sets[i - 1]].every((x) => sets[i].has(x))).toBe(true)
        expect(sets[i].size).toBeGreaterThan(sets[i - 1].size)
      }
    }
    expect(planCrossValidation(data, { k: 5, seed: 42, split: 'stratified', fractions })).toEqual(
      plan,
    )
  })

  it('refuses a grouped CV without group ids, and more folds than patients', () => {
    const noGroups = { ...data, train: { ...data.train, groups: undefined } }
    expect(() =>
      planCrossValidation(noGroups, { k: 5, seed: 1, split: 'grouped', fractions }),
    ).toThrow('A grouped cross-validation needs a group or patient id')
    expect(() => planCrossValidation(data, { k: 20, seed: 1, fractions })).toThrow(
      '20-fold cross-validation needs at least 20 patients (groups) outside the test split, and there are 18',
    )
  })
})
