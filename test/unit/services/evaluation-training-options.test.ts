// Training options the training form offers: the defaults with their explanations
// ('training/defaults') and the split choice (stratified ignores patients, grouped keeps them whole).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { callSchemas } from '../../../preload/contract'
import { BASELINE_DEFAULTS, BERT_DEFAULTS } from '../../../main/ml/train/defaults'
import { prepareSplits, type TrainingData } from '../../../main/services/training-service'
import { trainingDefaults } from '../../../main/services/training-defaults'

const sample = fileURLToPath(
  new URL('../../../resources/samples/symptoms-zh-en.csv', import.meta.url),
)
const rows = parse(readFileSync(sample), { columns: true }) as {
  text: string
  label: string
  patient_id: string
}[]
const labels = ['健康', '疾病']
const data: TrainingData = {
  labels,
  train: {
    texts: rows.map((r) => r.text),
    labels: rows.map((r) => labels.indexOf(r.label)),
    groups: rows.map((r) => r.patient_id),
    ids: rows.map((_, i) => i + 1),
  },
}
const patientOf = new Map(rows.map((r) => [r.text, r.patient_id]))

/** Patients whose texts sit in more than one split. */
function patientsAcrossSplits(s: ReturnType<typeof prepareSplits>): string[] {
  const where = new Map<string, Set<string>>()
  for (const name of ['train', 'dev', 'test'] as const) {
    for (const t of s[name].texts) {
      const p = patientOf.get(t)!
      where.set(p, (where.get(p) ?? new Set()).add(name))
    }
  }
  return [...where].filter(([, splits]) => splits.size > 1).map(([p]) => p)
}

describe('training/defaults', () => {
  it('serves both families’ defaults from their one home, with a line per option in both languages', () => {
    const d = trainingDefaults()
    expect(d.bert).toEqual({
      epochs: BERT_DEFAULTS.epochs,
      batchSize: BERT_DEFAULTS.batchSize,
      learningRate: BERT_DEFAULTS.learningRate,
      maxLength: BERT_DEFAULTS.maxLength,
    })
    expect(d.baseline.learningRate).toBe(BASELINE_DEFAULTS.learningRate)
    expect(d.splitFractions).toEqual([0.8, 0.1, 0.1])
    const options = Object.keys(callSchemas['training/start'].shape.config.shape)
    expect(Object.keys(d.help).sort()).toEqual(options.sort())
    for (const line of Object.values(d.help)) {
      expect(line.en).toMatch(/^[A-Z].{20,}\.$/)
      expect(line['zh-CN']).toMatch(/[\u4e00-\u9fff]/)
    }
  })
})

describe('training split', () => {
  it('keeps every patient’s texts in one split when grouped', () => {
    const s = prepareSplits(data, 42, 'grouped')
    expect(patientsAcrossSplits(s)).toEqual([])
    expect(s.train.texts.length + s.dev.texts.length + s.test.texts.length).toBe(rows.length)
    // Ids travel with their texts, so evaluation can point back at the project's rows.
    s.test.ids!.forEach((id, i) => expect(rows[id - 1].text).toBe(s.test.texts[i]))
  })

  it('splits texts, not patients, when stratified (this seed puts patients in two splits)', () => {
    const s = prepareSplits(data, 42, 'stratified')
    expect(patientsAcrossSplits(s).length).toBeGreaterThan(0)
    expect(s.test.texts).toHaveLength(16)
    expect(s.test.labels.filter((y) => y === 1)).toHaveLength(8)
  })

  it('groups by default when texts carry group ids, and asks for ids when grouping has none', () => {
    expect(prepareSplits(data, 42)).toEqual(prepareSplits(data, 42, 'grouped'))
    const noGroups = { ...data, train: { ...data.train, groups: undefined } }
    expect(() => prepareSplits(noGroups, 42, 'grouped')).toThrow(
      /A grouped split needs a group or patient id on the texts/,
    )
  })
})
