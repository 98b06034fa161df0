// Cross-validation folds and learning-curve subsets: exact stratified fold sizes, patients never
// split across folds, the same seed giving the same folds, nested and stratified subsets.
import { describe, expect, it } from 'vitest'
import { assignFolds, nestedSubsets, type FoldItem } from '../../../../main/ml/eval/cv-folds'

/** 23 texts of class 0, 12 of class 1, 7 of class 2 (42 in all). */
const labels = [...Array(23).fill(0), ...Array(12).fill(1), ...Array(7).fill(2)] as number[]
const items: FoldItem[] = labels.map((label) => ({ label }))

const count = (xs: number[], v: number) => xs.filter((x) => x === v).length

describe('assignFolds (stratified)', () => {
  it('gives folds of exactly 9, 9, 8, 8, 8 texts and each class within one text of even', () => {
    const fold = assignFolds(items, 5, 42)
    expect([0, 1, 2, 3, 4].map((f) => count(fold, f))).toEqual([9, 9, 8, 8, 8])
    for (const c of [0, 1, 2]) {
      const per = [0, 1, 2, 3, 4].map(
        (f) => fold.filter((x, i) => x === f && labels[i] === c).length,
      )
      expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(1)
      expect(per.reduce((a, b) => a + b, 0)).toBe(count(labels, c))
    }
    // Class 0 has 23 texts: 5, 5, 5, 4, 4 (the counter starts at fold 0).
    expect(
      [0, 1, 2, 3, 4].map((f) => fold.filter((x, i) => x === f && labels[i] === 0).length),
    ).toEqual([5, 5, 5, 4, 4])
  })

  it('is reproducible with a seed and differs with another', () => {
    expect(assignFolds(items, 5, 42)).toEqual(assignFolds(items, 5, 42))
    expect(assignFolds(items, 5, 42)).not.toEqual(assignFolds(items, 5, 43))
  })

  it('refuses k outside 2 … 20 and more folds than texts', () => {
    expect(() => assignFolds(items, 1, 42)).toThrow('k must be a whole number from 2 to 20 (got 1)')
    expect(() => assignFolds(items, 21, 42)).toThrow('from 2 to 20 (got 21)')
    expect(() => assignFolds(items.slice(0, 3), 4, 42)).toThrow(
      '4 folds need at least 4 texts or groups (got 3)',
    )
  })
})

describe('assignFolds (grouped by patient)', () => {
  // 12 patients with 1 … 4 texts each (30 texts); a patient's texts share its label mostly.
  const sizes = [4, 4, 3, 3, 3, 2, 2, 2, 2, 2, 2, 1]
  const grouped: FoldItem[] = sizes.flatMap((n, p) =>
    Array.from({ length: n }, (_, j) => ({ label: (p + (j === 3 ? 1 : 0)) % 2, group: `P${p}` })),
  )

  it('never splits a patient and balances folds to 10, 10, 10 texts', () => {
    const fold = assignFolds(grouped, 3, 7)
    const foldOf = new Map<string, Set<number>>()
    grouped.forEach((it, i) =>
      foldOf.set(it.group!, (foldOf.get(it.group!) ?? new Set()).add(fold[i])),
    )
    for (const s of foldOf.values()) expect(s.size).toBe(1)
    expect([0, 1, 2].map((f) => count(fold, f))).toEqual([10, 10, 10])
  })

  it('is reproducible with a seed', () => {
    expect(assignFolds(grouped, 3, 7)).toEqual(assignFolds(grouped, 3, 7))
  })

  it('keeps texts without a group id as their own units', () => {
    const mixed: FoldItem[] = [...grouped, { label: 0 }, { label: 1, group: '' }]
    const fold = assignFolds(mixed, 4, 1)
    expect(fold.every((f) => f >= 0 && f < 4)).toBe(true)
    expect(Math.max(...[0, 1, 2, 3].map((f) => count(fold, f)))).toBeLessThanOrEqual(9)
  })
})

describe('nestedSubsets', () => {
  const train = labels.map((_, i) => i).filter((i) => i % 5 !== 0) // 33 texts: 18, 10, 5 per class
  const fractions = [0.1, 0.25, 0.5, 1]
  const subsets = nestedSubsets(items, train, fractions, 3)

  it('is nested: every smaller subset lies inside the next larger one, 100 % is all', () => {
    for (let i = 1; i < subsets.length; i++) {
      const larger = new Set(subsets[i])
      expect(subsets[i - 1].every((x) => larger.has(x))).toBe(true)
    }
    expect(subsets[3]).toEqual(train)
  })

  it('is stratified: each class at round(n × fraction), at least one', () => {
    const perClass = (s: number[]) => [0, 1, 2].map((c) => s.filter((i) => labels[i] === c).length)
    expect(perClass(train)).toEqual([18, 10, 5])
    expect(perClass(subsets[0])).toEqual([2, 1, 1])
    expect(perClass(subsets[1])).toEqual([5, 3, 1])
    expect(perClass(subsets[2])).toEqual([9, 5, 3])
  })

  it('is seeded', () => {
    expect(nestedSubsets(items, train, fractions, 3)).toEqual(subsets)
    expect(nestedSubsets(items, train, fractions, 4)[1]).not.toEqual(subsets[1])
  })

  it('keeps a patient whole', () => {
    const g: FoldItem[] = Array.from({ length: 20 }, (_, i) => ({
      label: i < 10 ? 0 : 1,
      group: `P${Math.floor(i / 2)}`,
    }))
    const [half] = nestedSubsets(g, [...Array(20).keys()], [0.5], 9)
    const groups = new Set(half.map((i) => g[i].group))
    for (const p of groups) expect(half.filter((i) => g[i].group === p)).toHaveLength(2)
  })
})
