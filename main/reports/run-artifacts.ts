// Reading what a report needs from a run folder: the test-set predictions artifact (true class and
// probabilities per text, no text) and per-split label counts from the run's dataset.json.
import { CtsError, TEST_PREDICTIONS_ARTIFACT } from '../shared'
import type { RunDto } from '../../preload/contract/training'
import type { DatasetSummary, ReportInput, SplitName } from './report-model'

export interface TestPredictions {
  split: SplitName
  /** True class index per evaluated text. */
  yTrue: number[]
  /** Model probabilities per text, one per label in the run's label order. */
  probs: number[][]
}

/** Validate a test-predictions artifact against the run's labels; errors say what is wrong. */
export function parseTestPredictions(json: string, numLabels: number): TestPredictions {
  let v: Partial<TestPredictions>
  try {
    v = JSON.parse(json) as Partial<TestPredictions>
  } catch {
    throw new CtsError('bad-input', `${TEST_PREDICTIONS_ARTIFACT} is not valid JSON.`)
  }
  const bad = (why: string) => new CtsError('bad-input', `${TEST_PREDICTIONS_ARTIFACT}: ${why}`)
  if (!Array.isArray(v.yTrue) || !Array.isArray(v.probs))
    throw bad('yTrue and probs must be arrays.')
  if (v.yTrue.length !== v.probs.length) {
    throw bad(`${v.yTrue.length} true labels but ${v.probs.length} probability rows.`)
  }
  v.yTrue.forEach((y, i) => {
    if (!Number.isInteger(y) || y < 0 || y >= numLabels) {
      throw bad(`text ${i + 1} has label ${y}, not one of the ${numLabels} labels.`)
    }
    const row = v.probs![i]
    if (!Array.isArray(row) || row.length !== numLabels || row.some((p) => !(p >= 0 && p <= 1))) {
      throw bad(`text ${i + 1} needs ${numLabels} probabilities between 0 and 1.`)
    }
  })
  return { split: v.split ?? 'test', yTrue: v.yTrue, probs: v.probs }
}

/** The label-index part of each split of a run's dataset.json (its texts are never read here). */
export interface SplitLabels {
  train: { labels: number[] }
  dev?: { labels: number[] }
  test: { labels: number[] }
}

/** Texts per label in each split, plus the duplicates removed before splitting. */
export function datasetSummary(
  labels: string[],
  splits: SplitLabels,
  duplicatesRemoved: number,
): DatasetSummary {
  const count = (ys: number[]) => {
    const c = new Array<number>(labels.length).fill(0)
    for (const y of ys) if (y >= 0 && y < labels.length) c[y]++
    return c
  }
  const out: DatasetSummary['splits'] = [{ split: 'train', counts: count(splits.train.labels) }]
  if (splits.dev) out.push({ split: 'dev', counts: count(splits.dev.labels) })
  out.push({ split: 'test', counts: count(splits.test.labels) })
  return { labels, splits: out, duplicatesRemoved }
}

/**
 * A report input from a run record, its dataset.json text and its test-predictions artifact text;
 * `extra` carries the user's choices (locale, prevalence, target sensitivity, intended use …).
 */
export function reportInputFromRun(
  run: RunDto,
  datasetJson: string,
  predictionsJson: string,
  extra: Omit<ReportInput, 'run' | 'dataset' | 'evaluation'> = {},
): ReportInput {
  const splits = JSON.parse(datasetJson) as SplitLabels
  const dup = run.config.duplicatesRemoved
  const predictions = parseTestPredictions(predictionsJson, run.labels.length)
  return {
    ...extra,
    run,
    dataset: datasetSummary(run.labels, splits, typeof dup === 'number' ? dup : 0),
    evaluation: predictions,
  }
}
