// The bilingual health fixture as training data, and the small baseline config the K-steps-per-call
// tests train it with (the CPU test and the one on a provider reported as CUDA).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { baselineConfig } from '../../../../main/ml/models/baseline-adapter'

const fixture = fileURLToPath(
  new URL('../../../fixtures/train/bilingual-health.csv', import.meta.url),
)
const rows = parse(readFileSync(fixture), { columns: true }) as { text: string; label: string }[]
const labelNames = ['健康', '疾病']

export const data = {
  texts: rows.map((r) => r.text),
  labels: rows.map((r) => labelNames.indexOf(r.label)),
}

export const config = baselineConfig({
  numClasses: 2,
  seed: 7,
  maxFeatures: 64,
  dropout: 0.1,
  buckets: 4096,
  dim: 16,
})
