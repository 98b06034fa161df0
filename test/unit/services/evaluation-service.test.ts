// 'runs/evaluation' end to end through the app's handlers: a project imported from the bilingual
// sample, a tiny grouped baseline run, then the view assembled from its frozen test predictions.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EvaluationViewDto, RunDto } from '../../../preload/contract'
import { boot, type Backend } from '../../../main/root/boot'
import { servicesCaller } from './call-helpers'

const sample = fileURLToPath(
  new URL('../../../resources/samples/symptoms-zh-en.csv', import.meta.url),
)
const rows = parse(readFileSync(sample), { columns: true }) as {
  id: string
  text: string
  label: string
  patient_id: string
}[]
const patientOf = new Map(rows.map((r) => [r.text, r.patient_id]))

let home: string
let services: Backend
let run: RunDto
let view: EvaluationViewDto

const { call, finished } = servicesCaller(() => services)

const artifact = (name: string) => readFileSync(join(home, 'runs', String(run.id), name), 'utf8')

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'cts-eval-'))
  services = await boot({ home })
  const project = await call('projects/create', { name: 'symptoms', kind: 'binary' })
  await call('datasets/import', {
    projectId: project.id,
    file: { path: sample },
    mapping: { text: 'text', label: 'label', id: 'id', group: 'patient_id' },
  })
  const started = await call('training/start', {
    projectId: project.id,
    config: {
      model: 'baseline',
      epochs: 4,
      batchSize: 16,
      seed: 7,
      device: 'cpu',
      split: 'grouped',
    },
  })
  run = await finished(started.runId)
  view = await call('runs/evaluation', { runId: run.id })
}, 120_000)

afterAll(async () => {
  await services?.shutdown()
  rmSync(home, { recursive: true, force: true })
})

describe('runs/evaluation', () => {
  it('keeps the test predictions, in the run label order, pointing at the project texts', async () => {
    expect(run.status).toBe('success')
    expect(run.config.split).toBe('grouped')
    const preds = JSON.parse(artifact('test-predictions.json'))
    const dataset = JSON.parse(artifact('dataset.json'))
    expect(preds.split).toBe('test')
    expect(preds.yTrue).toEqual(dataset.test.labels)
    expect(preds.probs).toHaveLength(dataset.test.texts.length)
    for (const p of preds.probs) {
      expect(p).toHaveLength(run.labels.length)
      expect(p.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 5)
    }
    for (const [i, textId] of (preds.textIds as number[]).entries()) {
      const t = await call('texts/get', { textId })
      expect(t.text).toBe(dataset.test.texts[i])
    }
  })

  it('never puts one patient in two splits when the split is grouped', () => {
    const dataset = JSON.parse(artifact('dataset.json'))
    const seen = new Map<string, string>()
    for (const split of ['train', 'dev', 'test'] as const) {
      for (const text of dataset[split].texts as string[]) {
        const patient = patientOf.get(text)!
        expect(seen.get(patient) ?? split).toBe(split)
        seen.set(patient, split)
      }
    }
    expect(new Set(seen.values())).toEqual(new Set(['train', 'dev', 'test']))
  })

  it('writes a dataset summary whose counts add up to the splits', () => {
    const summary = JSON.parse(artifact('dataset-summary.json'))
    const dataset = JSON.parse(artifact('dataset.json'))
    expect(summary.labels).toEqual(run.labels)
    for (const s of summary.splits as { split: 'train' | 'dev' | 'test'; counts: number[] }[]) {
      const labels = dataset[s.split].labels as number[]
      expect(s.counts).toEqual(run.labels.map((_, k) => labels.filter((y) => y === k).length))
    }
  })

  it('assembles a classification report and confusion matrix that agree with each other', () => {
    const n = view.total
    const cm = view.confusion.counts
    expect(view.labels).toEqual(run.labels)
    expect(cm.flat().reduce((a, b) => a + b, 0)).toBe(n)
    view.report.perClass.forEach((c, k) => {
      expect(c.label).toBe(run.labels[k])
      expect(cm[k].reduce((a, b) => a + b, 0)).toBe(c.support)
      const predicted = cm.reduce((a, r) => a + r[k], 0)
      expect(c.recall).toBeCloseTo(c.support ? cm[k][k] / c.support : 0, 12)
      expect(c.precision).toBeCloseTo(predicted ? cm[k][k] / predicted : 0, 12)
      const rowSum = view.confusion.rowNormalised[k].reduce((a, b) => a + b, 0)
      expect(rowSum).toBeCloseTo(c.support ? 1 : 0, 12)
    })
    const correct = cm.reduce((a, r, k) => a + r[k], 0)
    expect(view.report.accuracy).toBeCloseTo(correct / n, 12)
    expect(view.report.macro.f1).toBeCloseTo(
      view.report.perClass.reduce((a, c) => a + c.f1, 0) / run.labels.length,
      12,
    )
    expect(view.report.macro.support).toBe(n)
    // The job computed its test metrics on its own; the view recomputes them from the artifact.
    expect(view.report.accuracy).toBeCloseTo(run.test!.accuracy, 12)
    expect(view.report.macro.f1).toBeCloseTo(run.test!.macro_f1, 12)
    expect(view.report.weighted.f1).toBeCloseTo(run.test!.weighted_f1, 12)
    expect(cm).toEqual(run.test!.confusion_matrix)
  })

  it('lists every misclassified test text, most confident first, with its text and labels', () => {
    const cm = view.confusion.counts
    const wrong = view.total - cm.reduce((a, r, k) => a + r[k], 0)
    expect(view.misclassifiedTotal).toBe(wrong)
    // The seeded run gets some test texts wrong, so the list below is really exercised.
    expect(wrong).toBeGreaterThan(1)
    expect(view.misclassified).toHaveLength(wrong)
    const dataset = JSON.parse(artifact('dataset.json'))
    for (const [i, m] of view.misclassified.entries()) {
      expect(m.trueLabel).not.toBe(m.predictedLabel)
      expect(m.confidence).toBeGreaterThanOrEqual(1 / run.labels.length)
      if (i > 0) expect(m.confidence).toBeLessThanOrEqual(view.misclassified[i - 1].confidence)
      const at = (dataset.test.texts as string[]).indexOf(m.text)
      expect(run.labels[dataset.test.labels[at]]).toBe(m.trueLabel)
      expect(typeof m.textId).toBe('number')
    }
  })

  it('gives curves, calibration, intervals and the binary operating point', () => {
    expect(view.curves.perClass.map((c) => c.label)).toEqual(run.labels)
    for (const c of view.curves.perClass) {
      expect(c.roc.fpr).toHaveLength(c.roc.tpr.length)
      expect(c.pr.recall).toHaveLength(c.pr.precision.length)
      expect(c.positives + c.negatives).toBe(view.total)
    }
    expect(view.calibration.bins.reduce((a, b) => a + b.count, 0)).toBe(view.total)
    expect(view.calibration.ece).toBeGreaterThanOrEqual(0)
    expect(view.intervals.level).toBe(0.95)
    expect(view.intervals.macroF1.estimate).toBeCloseTo(view.report.macro.f1, 12)
    expect(view.intervals.macroF1.lower).toBeLessThanOrEqual(view.intervals.macroF1.upper)
    expect(view.intervals.recall.map((r) => r.label)).toEqual(run.labels)
    const op = view.operatingPoint!
    expect(op.positiveLabel).toBe(run.labels[1])
    expect(op.targetSensitivity).toBe(0.9)
    expect(op.point.sensitivity).toBeGreaterThanOrEqual(0.9)
    expect(op.point.tp + op.point.fn).toBe(view.report.perClass[1].support)
    expect(op.table.length).toBe(Math.min(op.tableRows, 200))
    expect(op.table).toContainEqual(op.point)
  })

  it('recomputes PPV and NPV at the prevalence the user enters', async () => {
    const low = await call('runs/evaluation', {
      runId: run.id,
      prevalence: 0.05,
      targetSensitivity: 0.8,
    })
    const p = low.operatingPoint!.point
    const s = p.sensitivity
    const sp = p.specificity
    expect(low.operatingPoint!.prevalence).toBe(0.05)
    expect(p.ppv).toBeCloseTo((s * 0.05) / (s * 0.05 + (1 - sp) * 0.95), 12)
    expect(p.npv).toBeCloseTo((sp * 0.95) / (sp * 0.95 + (1 - s) * 0.05), 12)
  })

  it('names the problem when the positive label or the run is wrong', async () => {
    await expect(
      call('runs/evaluation', { runId: run.id, positiveLabel: 'flu' }),
    ).rejects.toMatchObject({
      code: 'bad-input',
      message: `"flu" is not a label of this run; its labels are ${run.labels.join(', ')}.`,
    })
    await expect(call('runs/evaluation', { runId: 999 })).rejects.toMatchObject({
      code: 'not-found',
    })
  })
})
