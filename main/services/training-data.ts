// The texts a run trains on and their held-out splits: stratified or grouped by patient, seeded,
// or explicit (each text's imported split); de-duplicated; the data snapshot hash of the run.
import { createHash } from 'node:crypto'
import { CtsError } from '../shared'
import { splitDataset } from '../ml/train/split'
import type { LabelledTexts } from '../ml/train/trainer'
import type { LabelProvenanceDto } from '../../preload/contract/agreement'
import type { RunLabelSnapshotDto } from '../../preload/contract/training'

/** Project text ids travel with the texts so evaluation can point back at them. */
export type WithIds = { ids?: number[] }

export interface TrainingData {
  projectId?: number | null
  labels: string[]
  train: LabelledTexts & WithIds & { groups?: (string | undefined)[] }
  dev?: LabelledTexts & WithIds
  test?: LabelledTexts & WithIds
  /** Explicit split: labelled texts left out because their import gave them no split. */
  leftOut?: number
  /**
   * A project's annotators, gold-label policy and agreement, read with its labelled texts (the
   * run records it); absent for texts from files.
   */
  labelProvenance?: LabelProvenanceDto | null
  /** Where in the project's label history the texts were read (the run records it). */
  labelSnapshot?: RunLabelSnapshotDto | null
}

export type SplitMode = 'stratified' | 'grouped' | 'explicit'

/** The explicit split needs texts to train and to test on (dev may be empty: carved from train). */
export function checkExplicitSplit(counts: { train: number; test: number; none: number }): void {
  const empty = counts.train === 0 ? 'train' : counts.test === 0 ? 'test' : null
  if (!empty) return
  const without = counts.none > 0 ? ` (${counts.none} labelled texts have no split)` : ''
  throw new CtsError(
    'bad-input',
    `Explicit split: no texts are marked ${empty}${without}. Import a file whose split column marks labelled texts train and test, or choose the stratified or grouped split.`,
  )
}

/**
 * Held-out splits: the given ones, else seeded stratified 80/10/10 (or 90/10 for dev only: also
 * how the explicit split gets a dev set when no text is marked dev).
 * 'grouped' keeps each group id's texts in one split (the default when any text has one);
 * 'stratified' ignores group ids.
 */
export function prepareSplits(
  data: TrainingData,
  seed: number,
  mode?: SplitMode,
  /**
   * Seed and auto recipes: with a dev file but no test file, only test (10 %) is held out of the
   * training texts; the reference recipe also draws an unused 10 % dev there (kept for parity).
   */
  opts: { allTrainWithDevFile?: boolean } = {},
): {
  train: LabelledTexts & WithIds
  dev: LabelledTexts & WithIds
  test: LabelledTexts & WithIds
  duplicates: number
} {
  const t = data.train
  const hasGroups = t.groups?.some((g) => g !== undefined && g !== '') ?? false
  if (mode === 'explicit') {
    const test = data.test?.texts.length ?? 0
    checkExplicitSplit({ train: t.texts.length, test, none: data.leftOut ?? 0 })
  }
  if (mode === 'grouped' && !hasGroups) {
    throw new CtsError(
      'bad-input',
      'A grouped split needs a group or patient id on the texts, and none has one: import them with a group column, or choose the stratified split.',
    )
  }
  const grouped = mode !== 'stratified'
  const items = t.labels.map((label, i) => ({
    label,
    key: t.texts[i].normalize('NFC').trim(),
    group: grouped ? t.groups?.[i] || undefined : undefined,
  }))
  const pick = (idx: number[]) => ({
    texts: idx.map((i) => t.texts[i]),
    labels: idx.map((i) => t.labels[i]),
    ...(t.ids ? { ids: idx.map((i) => t.ids![i]) } : {}),
  })
  if (data.test && data.dev) {
    const s = splitDataset(items, { seed, fractions: [1, 0, 0] })
    return { train: pick(s.train), dev: data.dev, test: data.test, duplicates: s.duplicates.length }
  }
  if (data.test) {
    const s = splitDataset(items, { seed, fractions: [0.9, 0.1, 0] })
    return {
      train: pick(s.train),
      dev: pick(s.dev),
      test: data.test,
      duplicates: s.duplicates.length,
    }
  }
  if (data.dev && opts.allTrainWithDevFile) {
    const s = splitDataset(items, { seed, fractions: [0.9, 0, 0.1] })
    return {
      train: pick(s.train),
      dev: data.dev,
      test: pick(s.test),
      duplicates: s.duplicates.length,
    }
  }
  const s = splitDataset(items, { seed })
  return {
    train: pick(s.train),
    dev: data.dev ?? pick(s.dev),
    test: pick(s.test),
    duplicates: s.duplicates.length,
  }
}

export function hasGroupIds(data: TrainingData): boolean {
  return data.train.groups?.some((g) => g !== undefined && g !== '') ?? false
}

export function dataSnapshotHash(labels: string[], splits: Record<string, LabelledTexts>): string {
  const h = createHash('sha256')
  h.update(JSON.stringify(labels))
  for (const [name, s] of Object.entries(splits)) {
    h.update(`\u0000${name}\u0000`)
    s.texts.forEach((text, i) => h.update(`${s.labels[i]}\u0001${text}\u0002`))
  }
  return h.digest('hex')
}
