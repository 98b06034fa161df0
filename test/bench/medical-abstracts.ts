// medical-abstracts (../shared/datasets) with the same seeded, de-duplicated 80/10/10 split the app
// makes: the data of the fine-tuning benchmarks (train-bert.ts, batching-effect.ts).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { DEFAULT_SEED } from '../../main/ml/train/defaults'
import { splitDataset } from '../../main/ml/train/split'
import type { LabelledTexts } from '../../main/ml/train/trainer'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
// CTS_MEDICAL_ABSTRACTS: another copy of the CSV (test/bench/gpu/on-gpu.sh carries one to the GPU machine).
const DATA =
  process.env.CTS_MEDICAL_ABSTRACTS ??
  join(ROOT, '../shared/datasets/medical-abstracts/medical_tc_test.csv')

export interface Splits {
  labels: string[]
  train: LabelledTexts
  dev: LabelledTexts
  test: LabelledTexts
}

/** The five conditions (labels '1' … '5', indices 0 … 4) split as `cts train` splits them. */
export function medicalAbstracts(): Splits {
  const rows = parse(readFileSync(DATA), { columns: true }) as Record<string, string>[]
  const texts = rows.map((r) => r.medical_abstract)
  const labels = rows.map((r) => Number(r.condition_label) - 1)
  const split = splitDataset(
    labels.map((label, i) => ({ label, key: texts[i].trim() })),
    { seed: DEFAULT_SEED },
  )
  const pick = (idx: number[]) => ({
    texts: idx.map((i) => texts[i]),
    labels: idx.map((i) => labels[i]),
  })
  const names = ['1', '2', '3', '4', '5']
  return { labels: names, train: pick(split.train), dev: pick(split.dev), test: pick(split.test) }
}
