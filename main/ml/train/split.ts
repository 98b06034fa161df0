// Seeded, stratified train/dev/test split that is aware of duplicates (identical texts are kept
// once) and of groups (all texts of one patient land in the same split).
import { Rng } from './rng'

export interface SplitItem {
  label: number
  /** Content key (e.g. a hash of the normalised text): items sharing a key are duplicates. */
  key?: string
  /** Group / patient id: items sharing a group never cross splits. */
  group?: string
}

export interface SplitOptions {
  seed: number
  /** Fractions of train, dev and test; defaults to 80/10/10. */
  fractions?: [number, number, number]
}

export interface SplitResult {
  /** Item indices (ascending) of each split. */
  train: number[]
  dev: number[]
  test: number[]
  /** Indices dropped as later copies of an earlier item with the same key. */
  duplicates: number[]
  /** How many of those duplicates carried a different label than the copy that was kept. */
  conflictingDuplicates: number
}

export const DEFAULT_SPLIT_FRACTIONS: [number, number, number] = [0.8, 0.1, 0.1]

/**
 * Split items: first copy of each key kept, units = groups (or single items), units stratified by
 * their majority label. Per-class targets use largest remainders so the dev and test sizes are
 * exactly round(N × fraction) over the de-duplicated N when there are no groups.
 */
export function splitDataset(items: SplitItem[], options: SplitOptions): SplitResult {
  const fractions = options.fractions ?? DEFAULT_SPLIT_FRACTIONS
  const sum = fractions[0] + fractions[1] + fractions[2]
  if (fractions.some((f) => f < 0) || Math.abs(sum - 1) > 1e-9) {
    throw new Error(
      `split fractions must be non-negative and sum to 1 (got ${fractions.join(', ')})`,
    )
  }
  const rng = new Rng(options.seed)

  const kept: number[] = []
  const duplicates: number[] = []
  let conflictingDuplicates = 0
  const firstByKey = new Map<string, number>()
  items.forEach((item, i) => {
    if (item.key !== undefined) {
      const first = firstByKey.get(item.key)
      if (first !== undefined) {
        duplicates.push(i)
        if (items[first].label !== item.label) conflictingDuplicates++
        return
      }
      firstByKey.set(item.key, i)
    }
    kept.push(i)
  })

  // Units: one per group, or one per ungrouped item, in first-appearance order.
  const units: number[][] = []
  const unitOfGroup = new Map<string, number[]>()
  for (const i of kept) {
    const g = items[i].group
    if (g === undefined) {
      units.push([i])
    } else {
      let u = unitOfGroup.get(g)
      if (!u) {
        u = []
        unitOfGroup.set(g, u)
        units.push(u)
      }
      u.push(i)
    }
  }

  const strata = strataOf(units, items)
  const classes = [...strata.keys()].sort((a, b) => a - b)
  const classSizes = classes.map((c) => strata.get(c)!.reduce((s, u) => s + u.length, 0))
  const testTargets = apportion(classSizes, fractions[2])
  const devTargets = apportion(
    classSizes,
    fractions[1],
    classSizes.map((n, i) => n - testTargets[i]),
  )

  const out: [number[], number[], number[]] = [[], [], []]
  classes.forEach((c, ci) => {
    const stratumUnits = rng.shuffle([...strata.get(c)!])
    const targets = [
      classSizes[ci] - devTargets[ci] - testTargets[ci],
      devTargets[ci],
      testTargets[ci],
    ]
    const filled = [0, 0, 0]
    for (const u of stratumUnits) {
      // The split with the largest remaining deficit takes the unit; ties go to test, then dev, so
      // small classes still reach the held-out splits.
      let best = 2
      for (const s of [1, 0]) if (targets[s] - filled[s] > targets[best] - filled[best]) best = s
      out[best].push(...u)
      filled[best] += u.length
    }
  })
  const asc = (a: number, b: number) => a - b
  return {
    train: out[0].sort(asc),
    dev: out[1].sort(asc),
    test: out[2].sort(asc),
    duplicates,
    conflictingDuplicates,
  }
}

/**
 * Per-class counts summing to round(total × fraction) by largest remainder, each at most its
 * class's capacity (defaults to the class size).
 */
export function apportion(sizes: number[], fraction: number, capacity = sizes): number[] {
  const total = sizes.reduce((s, n) => s + n, 0)
  const want = Math.round(total * fraction)
  const ideal = sizes.map((n) => n * fraction)
  const base = ideal.map((v, i) => Math.min(Math.floor(v), capacity[i]))
  let left = want - base.reduce((s, n) => s + n, 0)
  const order = ideal
    .map((v, i) => ({ i, frac: v - Math.floor(v) }))
    .sort((a, b) => b.frac - a.frac || a.i - b.i)
  for (const { i } of order) {
    if (left <= 0) break
    if (base[i] < capacity[i]) {
      base[i]++
      left--
    }
  }
  return base
}

/** The most frequent label (ties: the smallest), which stratifies a group of texts. */
export function majorityLabel(labels: number[]): number {
  const counts = new Map<number, number>()
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1)
  let best = labels[0]
  for (const [l, n] of counts) {
    const bn = counts.get(best)!
    if (n > bn || (n === bn && l < best)) best = l
  }
  return best
}

/** Units (lists of item indices) by the majority label of their items, in the given order. */
export function strataOf(units: number[][], items: { label: number }[]): Map<number, number[][]> {
  const strata = new Map<number, number[][]>()
  for (const u of units) {
    const label = majorityLabel(u.map((i) => items[i].label))
    const list = strata.get(label) ?? []
    list.push(u)
    strata.set(label, list)
  }
  return strata
}
