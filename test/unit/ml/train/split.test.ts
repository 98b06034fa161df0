import { describe, expect, it } from 'vitest'
import { apportion, splitDataset, type SplitItem } from '../../../../main/ml/train/split'
import { Rng } from '../../../../main/ml/train/rng'

function items(counts: number[]): SplitItem[] {
  const out: SplitItem[] = []
  counts.forEach((n, label) => {
    for (let i = 0; i < n; i++) out.push({ label, key: `${label}-${i}` })
  })
  return out
}

describe('Rng', () => {
  it('repeats the same sequence for a seed and resumes from its state', () => {
    const a = new Rng(42)
    const b = new Rng(42)
    const seqA = [a.nextUint32(), a.nextUint32()]
    expect([b.nextUint32(), b.nextUint32()]).toEqual(seqA)
    const c = Rng.fromState(a.state)
    expect(c.next()).toBe(a.next())
    expect(new Rng(43).nextUint32()).not.toBe(seqA[0])
  })
})

describe('splitDataset', () => {
  it('gives exact 80/10/10 sizes per class and overall', () => {
    const data = items([633, 299, 385, 610, 961])
    const s = splitDataset(data, { seed: 7 })
    const n = data.length // 2888
    expect(s.test.length).toBe(Math.round(n * 0.1))
    expect(s.dev.length).toBe(Math.round(n * 0.1))
    expect(s.train.length).toBe(n - 2 * Math.round(n * 0.1))
    const perClass = (idx: number[], label: number) =>
      idx.filter((i) => data[i].label === label).length
    expect(apportion([633, 299, 385, 610, 961], 0.1)).toEqual([63, 30, 39, 61, 96])
    for (let c = 0; c < 5; c++) {
      expect(perClass(s.test, c)).toBe([63, 30, 39, 61, 96][c])
    }
    expect(new Set([...s.train, ...s.dev, ...s.test]).size).toBe(n)
  })

  it('is deterministic for a seed and differs across seeds', () => {
    const data = items([50, 30])
    expect(splitDataset(data, { seed: 1 })).toEqual(splitDataset(data, { seed: 1 }))
    expect(splitDataset(data, { seed: 1 }).test).not.toEqual(splitDataset(data, { seed: 2 }).test)
  })

  it('keeps one copy of duplicated texts and counts conflicting labels', () => {
    const data: SplitItem[] = [
      { label: 0, key: 'a' },
      { label: 0, key: 'b' },
      { label: 0, key: 'a' },
      { label: 1, key: 'b' },
      { label: 1, key: 'c' },
    ]
    const s = splitDataset(data, { seed: 3 })
    expect(s.duplicates).toEqual([2, 3])
    expect(s.conflictingDuplicates).toBe(1)
    expect([...s.train, ...s.dev, ...s.test].sort()).toEqual([0, 1, 4])
  })

  it('never lets a group (patient) cross splits', () => {
    const data: SplitItem[] = []
    for (let p = 0; p < 60; p++) {
      for (let k = 0; k < 1 + (p % 4); k++) data.push({ label: p % 3, group: `patient-${p}` })
    }
    const s = splitDataset(data, { seed: 11 })
    const where = new Map<string, string>()
    for (const [name, idx] of Object.entries({ train: s.train, dev: s.dev, test: s.test })) {
      for (const i of idx) {
        const prev = where.get(data[i].group!)
        if (prev) expect(prev).toBe(name)
        where.set(data[i].group!, name)
      }
    }
    expect(s.train.length + s.dev.length + s.test.length).toBe(data.length)
    expect(s.test.length).toBeGreaterThan(0)
    expect(s.dev.length).toBeGreaterThan(0)
  })

  it('rejects fractions that do not sum to 1', () => {
    expect(() => splitDataset(items([3]), { seed: 1, fractions: [0.5, 0.1, 0.1] })).toThrow(
      /sum to 1/,
    )
  })
})
