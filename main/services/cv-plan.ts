// What a cross-validation trains: the pool (the texts `cts train` would train and tune on — its
// held-out test split removed exactly as training-data.ts removes it, duplicates dropped), the
// seeded folds, and per fold × learning-curve fraction the training, dev and held-out indices.
import { CtsError } from '../shared'
import { assignFolds, nestedSubsets, type FoldItem } from '../ml/eval/cv-folds'
import { splitDataset } from '../ml/train/split'
import { hasGroupIds, type TrainingData } from './training-data'

export interface CvPool {
  texts: string[]
  labels: number[]
  groups: (string | undefined)[]
  /** Project text ids (absent for files). */
  ids?: number[]
}

export interface CvTask {
  fold: number
  fraction: number
  /** Indices into the pool. */
  train: number[]
  dev: number[]
  eval: number[]
}

export interface CvPlan {
  pool: CvPool
  /** Fold of each pool text. */
  fold: number[]
  split: 'stratified' | 'grouped'
  tasks: CvTask[]
  testExcluded: number
  duplicatesRemoved: number
}

export interface CvPlanOptions {
  k: number
  seed: number
  split?: 'stratified' | 'grouped'
  /** Ascending, ending with 1 (the cross-validation itself). */
  fractions: number[]
}

/**
 * Build the plan. The test split is the one prepareSplits (training-data.ts) holds out for the
 * same data, seed and mode — the given test texts, else its seeded 10 % — so CV never sees texts
 * a run of `cts train` is tested on. Each fold's dev texts are carved from its training texts the
 * way prepareSplits carves them when a test set is given (seeded 90/10, groups whole).
 */
export function planCrossValidation(data: TrainingData, o: CvPlanOptions): CvPlan {
  const t = data.train
  const hasGroups = hasGroupIds(data)
  if (o.split === 'grouped' && !hasGroups) {
    throw new CtsError(
      'bad-input',
      'A grouped cross-validation needs a group or patient id on the texts, and none has one: import them with a group column, or choose the stratified split.',
    )
  }
  const grouped = o.split !== 'stratified' && hasGroups
  const items = t.labels.map((label, i) => ({
    label,
    key: t.texts[i].normalize('NFC').trim(),
    group: grouped ? t.groups?.[i] || undefined : undefined,
  }))
  const s = splitDataset(items, { seed: o.seed, fractions: data.test ? [1, 0, 0] : undefined })
  const kept = data.test ? s.train : [...s.train, ...s.dev].sort((a, b) => a - b)
  const pool: CvPool = {
    texts: kept.map((i) => t.texts[i]),
    labels: kept.map((i) => t.labels[i]),
    groups: kept.map((i) => items[i].group),
    ...(t.ids ? { ids: kept.map((i) => t.ids![i]) } : {}),
  }
  // A given dev set is more training data for CV (each fold carves its own dev).
  if (data.dev) {
    pool.texts.push(...data.dev.texts)
    pool.labels.push(...data.dev.labels)
    pool.groups.push(...data.dev.texts.map(() => undefined))
    if (pool.ids) pool.ids.push(...(data.dev.ids ?? data.dev.texts.map(() => 0)))
  }
  const units = new Set(pool.groups.map((g, i) => g ?? `\u0000${i}`)).size
  if (units < o.k) {
    throw new CtsError(
      'bad-input',
      `${o.k}-fold cross-validation needs at least ${o.k} ${grouped ? 'patients (groups)' : 'texts'} outside the test split, and there are ${units}: label more texts or choose fewer folds.`,
    )
  }
  const foldItems: FoldItem[] = pool.labels.map((label, i) => ({ label, group: pool.groups[i] }))
  const fold = assignFolds(foldItems, o.k, o.seed)
  const tasks: CvTask[] = []
  for (let f = 0; f < o.k; f++) {
    const evalIdx = fold.flatMap((x, i) => (x === f ? [i] : []))
    const trainAll = fold.flatMap((x, i) => (x === f ? [] : [i]))
    const subsets = nestedSubsets(foldItems, trainAll, o.fractions, o.seed + f)
    o.fractions.forEach((fraction, fi) => {
      const subset = subsets[fi]
      const carve = splitDataset(
        subset.map((i) => foldItems[i]),
        { seed: o.seed, fractions: [0.9, 0.1, 0] },
      )
      tasks.push({
        fold: f,
        fraction,
        train: carve.train.map((j) => subset[j]),
        dev: carve.dev.map((j) => subset[j]),
        eval: evalIdx,
      })
    })
  }
  return {
    pool,
    fold,
    split: grouped ? 'grouped' : 'stratified',
    tasks,
    testExcluded: data.test ? data.test.texts.length : s.test.length,
    duplicatesRemoved: s.duplicates.length,
  }
}
