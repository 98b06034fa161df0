import { describe, expect, it } from 'vitest'
import type { RunDto } from '../../../preload/contract/training'
import {
  datasetSummary,
  parseTestPredictions,
  reportInputFromRun,
} from '../../../main/reports/run-artifacts'
import { buildReportModel } from '../../../main/reports/report-model'

const run: RunDto = {
  id: 5,
  projectId: 1,
  modelKind: 'baseline',
  baseModel: 'baseline',
  labels: ['健康', '疾病'],
  config: { epochs: 2, duplicatesRemoved: 4 },
  dataHash: 'abc',
  seed: 1,
  provider: 'cpu',
  status: 'success',
  error: null,
  createdAt: '2026-11-28T09:00:00.000Z',
  finishedAt: '2026-11-28T09:01:00.000Z',
  trainSeconds: 3,
  evalSeconds: 1,
  test: null,
  epochs: [],
  bestEpoch: 2,
  stoppedEarly: false,
}

// The shape of a run's dataset.json (texts included there; only the label indices are read).
const datasetJson = JSON.stringify({
  labels: ['健康', '疾病'],
  train: { texts: ['a', 'b', 'c'], labels: [0, 1, 1] },
  dev: { texts: ['d'], labels: [0] },
  test: { texts: ['e', 'f', 'g', 'h'], labels: [0, 1, 0, 1] },
})
const predictions = JSON.stringify({
  yTrue: [0, 1, 0, 1],
  probs: [
    [0.9, 0.1],
    [0.2, 0.8],
    [0.4, 0.6],
    [0.7, 0.3],
  ],
})

describe('run artifacts → report input', () => {
  it('counts texts per label and split and keeps the duplicates count', () => {
    expect(
      datasetSummary(['x', 'y'], { train: { labels: [0, 1, 1] }, test: { labels: [1] } }, 2),
    ).toEqual({
      labels: ['x', 'y'],
      splits: [
        { split: 'train', counts: [1, 2] },
        { split: 'test', counts: [0, 1] },
      ],
      duplicatesRemoved: 2,
    })
  })

  it('builds a report input a report can be made from', () => {
    const input = reportInputFromRun(run, datasetJson, predictions, {
      locale: 'zh-CN',
      prevalence: 0.2,
    })
    expect(input.dataset.splits.map((s) => s.counts)).toEqual([
      [1, 2],
      [1, 0],
      [2, 2],
    ])
    expect(input.dataset.duplicatesRemoved).toBe(4)
    const m = buildReportModel(input)
    expect(m.classification.accuracy).toBe(0.5)
    expect(m.operatingPoint?.prevalence).toBe(0.2)
    expect(m.locale).toBe('zh-CN')
  })

  it('rejects a predictions artifact that does not fit the run, saying where', () => {
    expect(() => parseTestPredictions('{', 2)).toThrow(/not valid JSON/)
    expect(() => parseTestPredictions('{"yTrue":[0],"probs":[]}', 2)).toThrow(
      /1 true labels but 0 probability rows/,
    )
    expect(() => parseTestPredictions('{"yTrue":[0,3],"probs":[[1,0],[1,0]]}', 2)).toThrow(
      /text 2 has label 3/,
    )
    expect(() => parseTestPredictions('{"yTrue":[0],"probs":[[1.2,0]]}', 2)).toThrow(
      /text 1 needs 2 probabilities/,
    )
  })
})
