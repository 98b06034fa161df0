import { describe, expect, it } from 'vitest'
import { bootstrapIntervals } from '../../../main/ml/eval/bootstrap'
import { calibration } from '../../../main/ml/eval/calibration'
import { oneVsRestCurves } from '../../../main/ml/eval/curves'
import { argmaxRows, classificationReport } from '../../../main/ml/eval/metrics'
import { operatingTable, pointForSensitivity } from '../../../main/ml/eval/operating-point'
import { buildReportModel, rowNormalise } from '../../../main/reports/report-model'
import { sampleReportInput, THREE_LABELS } from '../../fixtures/eval/report-input'

describe('buildReportModel', () => {
  it('gathers run facts and computes every evaluation view from the same predictions', () => {
    const input = sampleReportInput({ labels: THREE_LABELS })
    const m = buildReportModel(input)
    const { yTrue, probs } = input.evaluation
    const pred = argmaxRows(probs.flat(), 3)
    expect(m.runId).toBe(42)
    expect(m.dataHash).toBe(input.run.dataHash)
    expect(m.dataset.labels).toEqual(THREE_LABELS)
    expect(m.classification).toEqual(classificationReport(yTrue, pred, [0, 1, 2]))
    expect(m.curves).toEqual(oneVsRestCurves(yTrue, probs))
    expect(m.calibration).toEqual(calibration(yTrue, probs))
    expect(m.intervals).toEqual(bootstrapIntervals(yTrue, pred, 3, { resamples: 300 }))
    expect(m.operatingPoint).toBeNull()
    expect(m.epochs[1]).toEqual({ epoch: 2, trainLoss: 0.42, devMacroF1: 0.75, devAccuracy: 0.79 })
    expect(m.model.hyperparameters).toMatchObject({
      batchSize: 16,
      learningRate: 2e-5,
      classWeights: true,
    })
    expect(m.generatedAt).toBe('2026-11-28T10:00:00.000Z')
  })

  it('adds the operating point for a binary task at the entered prevalence', () => {
    const input = sampleReportInput({})
    const m = buildReportModel({ ...input, targetSensitivity: 0.85 })
    const isPos = input.evaluation.yTrue.map((y) => y === 1)
    const table = operatingTable(
      isPos,
      input.evaluation.probs.map((p) => p[1]),
      0.1,
    )
    expect(m.operatingPoint).toMatchObject({
      positiveLabel: 1,
      prevalence: 0.1,
      targetSensitivity: 0.85,
      point: pointForSensitivity(table, 0.85),
    })
    // The user's target joins the usual ones, ascending.
    expect(m.operatingPoint!.table.map((r) => r.targetSensitivity)).toEqual([
      0.8, 0.85, 0.9, 0.95, 0.99,
    ])
    expect(m.operatingPoint!.table[4].point).toEqual(pointForSensitivity(table, 0.99))
    expect(m.operatingPoint!.point.sensitivity).toBeGreaterThanOrEqual(0.85)
  })

  it('row-normalises the confusion matrix, leaving empty rows at zero', () => {
    expect(
      rowNormalise([
        [3, 1],
        [0, 0],
      ]),
    ).toEqual([
      [0.75, 0.25],
      [0, 0],
    ])
  })

  it('rejects probability rows that do not match the labels', () => {
    const input = sampleReportInput({})
    expect(() =>
      buildReportModel({ ...input, evaluation: { yTrue: [0], probs: [[0.2, 0.3, 0.5]] } }),
    ).toThrow(/must have 2 values, one per label/)
  })
})
