// Seeded k-fold assignment for cross-validation (stratified, or grouped by patient) and the nested,
// stratified training subsets of the learning curve. Pure functions: the CV service and tests.
import { Rng } from '../train/rng'
import { majorityLabel, strataOf } from '../train/split'

export interface FoldItem {
  label: number
  /** Group / patient id: items sharing one always land in the same fold. */
  group?: string
}

/** Smallest and largest k the CV accepts (a fold must still hold texts). */
export const MIN_FOLDS = 2
export const MAX_FOLDS = 20
export const DEFAULT_FOLDS = 5
/** Learning-curve fractions of each fold's training texts (1 is the cross-validation itself). */
export const CURVE_FRACTIONS = [0.1, 0.25, 0.5, 1]

/** Units: one per group, or one per ungrouped item, in first-appearance order. */
function unitsOf(items: FoldItem[]): number[][] {
  const units: number[][] = []
  const byGroup = new Map<string, number[]>()
  items.forEach((item, i) => {
    const g = item.group
    if (g === undefined || g === '') {
      units.push([i])
      return
    }
    let u = byGroup.get(g)
    if (!u) {
      u = []
      byGroup.set(g, u)
      units.push(u)
    }
    u.push(i)
  })
  return units
}

/**
 * The fold (0 … k − 1) of every item. Without groups: stratified — each class shuffled (seeded)
 * and dealt round-robin with one counter running across classes, so fold sizes are
 * ⌈n/k⌉ for the first n mod k folds and ⌊n/k⌋ for the rest, and each class differs by at most one
 * text between folds. With groups: each group (patient) whole; groups in seeded order, largest
 * first, each to the fold with the fewest texts, then the fewest of its majority label.
 */
export function assignFolds(items: FoldItem[], k: number, seed: number): number[] {
  if (!Number.isInteger(k) || k < MIN_FOLDS || k > MAX_FOLDS) {
    throw new Error(`k must be a whole number from ${MIN_FOLDS} to ${MAX_FOLDS} (got ${k})`)
  }
  const units = unitsOf(items)
  if (units.length < k) {
    throw new Error(`${k} folds need at least ${k} texts or groups (got ${units.length})`)
  }
  const rng = new Rng(seed)
  const fold = new Array<number>(items.length).fill(-1)
  const grouped = units.some((u) => u.length > 1)
  if (!grouped) {
    const classes = [...new Set(items.map((i) => i.label))].sort((a, b) => a - b)
    let next = 0
    for (const c of classes) {
      const members = rng.shuffle(items.flatMap((it, i) => (it.label === c ? [i] : [])))
      for (const i of members) fold[i] = next++ % k
    }
    return fold
  }
  const order = rng.shuffle(units.map((_, i) => i))
  // Stable: equal sizes keep their seeded order.
  order.sort((a, b) => units[b].length - units[a].length)
  const size = new Array<number>(k).fill(0)
  const perLabel = new Map<number, number[]>()
  for (const ui of order) {
    const u = units[ui]
    const label = majorityLabel(u.map((i) => items[i].label))
    const counts = perLabel.get(label) ?? new Array<number>(k).fill(0)
    perLabel.set(label, counts)
    let best = 0
    for (let f = 1; f < k; f++) {
      if (size[f] < size[best] || (size[f] === size[best] && counts[f] < counts[best])) best = f
    }
    for (const i of u) fold[i] = best
    size[best] += u.length
    counts[best] += u.length
  }
  return fold
}

/**
 * Nested, stratified subsets of `indices` (a fold's training texts) at each fraction: each class's
 * units are shuffled once (seeded) and every subset takes a prefix of that order, so a smaller
 * subset is always inside a larger one. Per-class sizes are round(n × fraction), at least one
 * text per class (rounded per class, not by largest remainder, so sizes never shrink as the
 * fraction grows); groups stay whole.
 */
export function nestedSubsets(
  items: FoldItem[],
  indices: number[],
  fractions: number[],
  seed: number,
): number[][] {
  const units = unitsOf(indices.map((i) => items[i])).map((u) => u.map((j) => indices[j]))
  const strata = strataOf(units, items)
  const classes = [...strata.keys()].sort((a, b) => a - b)
  const rng = new Rng(seed)
  const ordered = classes.map((c) => rng.shuffle([...strata.get(c)!]))
  const sizes = ordered.map((us) => us.reduce((s, u) => s + u.length, 0))
  return fractions.map((fraction) => {
    if (!(fraction > 0 && fraction <= 1)) throw new Error(`fraction ${fraction} is not in (0, 1]`)
    const out: number[] = []
    ordered.forEach((us, ci) => {
      const want = Math.max(1, Math.round(sizes[ci] * fraction))
      let taken = 0
      for (const u of us) {
        if (taken >= want) break
        out.push(...u)
        taken += u.length
      }
    })
    return out.sort((a, b) => a - b)
  })
}
