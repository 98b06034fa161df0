// CvService end to end on the real job process: a cancelled cross-validation is recorded as
// cancelled with its scratch folder gone; a finished one is listed, estimated beforehand, and its
// pooled macro-F1 equals the metrics of the stored out-of-fold predictions; bad configs exit early.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { afterEach, describe, expect, it } from 'vitest'
import { ForkHost } from '../../../main/jobs/fork-host'
import { JobService } from '../../../main/jobs/job-service'
import { classificationReport } from '../../../main/ml/eval/metrics'
import { CvService } from '../../../main/services/cv-service'
import { RunsService } from '../../../main/services/runs-service'
import { TrainingService } from '../../../main/services/training-service'
import { testModelChoice } from './model-choice-fixture'
import { viaDispatch } from './call-helpers'
import { openWorkspace, type Workspace } from '../../../main/store/workspace'

const sample = fileURLToPath(
  new URL('../../../resources/samples/symptoms-zh-en.csv', import.meta.url),
)
const rows = parse(readFileSync(sample), { columns: true, bom: true }) as Record<string, string>[]
const labels = ['健康', '疾病']
const data = {
  labels,
  train: {
    texts: rows.map((r) => r.text),
    labels: rows.map((r) => labels.indexOf(r.label)),
    groups: rows.map((r) => r.patient_id),
  },
}
const realEntry = fileURLToPath(new URL('../../../main/jobs/job-entry.ts', import.meta.url))

const open: Workspace[] = []
const dirs: string[] = []
afterEach(() => {
  open.splice(0).forEach((w) => w.close())
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }))
})

function setup() {
  const home = mkdtempSync(join(tmpdir(), 'cts-cv-'))
  dirs.push(home)
  const ws = openWorkspace(home)
  open.push(ws)
  const runs = new RunsService(ws.repos, ws.runsDir)
  const jobs = new JobService({ host: new ForkHost({ entry: realEntry }), publish: () => {} })
  const cv = new CvService(
    home,
    jobs,
    new TrainingService(runs, jobs, ws.repos, { modelChoice: testModelChoice(ws.repos) }),
    runs,
    ws.repos,
  )
  return { home, cv, jobs }
}

describe('CvService', () => {
  it('records a cancelled cross-validation and removes its scratch folder', async () => {
    const { home, cv, jobs } = setup()
    const started = await cv.start(data, { k: 3 })
    jobs.cancel(started.jobId)
    const r = await started.done
    expect(r.status).toBe('cancelled')
    expect((await cv.get(started.cvId)).status).toBe('cancelled')
    expect(existsSync(join(home, 'cv', `${started.cvId}-work`))).toBe(false)
    expect(await cv.list()).toHaveLength(1)
  })

  it('stores pooled metrics equal to those of its out-of-fold predictions', async () => {
    const { home, cv } = setup()
    const estimate = await cv.estimate(data, { k: 3, curve: false })
    expect(estimate).toMatchObject({ trainings: 3, basis: 'rule-of-thumb' })
    expect(estimate.seconds).toBeGreaterThan(0)
    const started = await cv.start(data, { k: 3, curve: false, seed: 7 })
    const r = await started.done
    expect(r.status).toBe('success')
    expect(r).toMatchObject({ k: 3, seed: 7, split: 'grouped', curve: null })
    const preds = JSON.parse(
      readFileSync(join(home, 'cv', `${started.cvId}-predictions.json`), 'utf8'),
    ) as { yTrue: number[]; yPred: Record<string, number[]>; fold: number[] }
    const report = classificationReport(preds.yTrue, preds.yPred['1'], [0, 1])
    expect(r.pooled!.macroF1.estimate).toBe(report.macro.f1)
    expect(r.pooled!.accuracy).toBe(report.accuracy)
    expect(r.pooled!.confusion).toEqual(report.confusion)
    expect(r.folds.map((f) => f.evalTexts)).toEqual(
      [0, 1, 2].map((f) => preds.fold.filter((x) => x === f).length),
    )
    expect(await cv.latest(999)).toBeNull()
  })

  it('refuses a grouped CV of texts without ids before starting a job', async () => {
    const { cv } = setup()
    const noGroups = { ...data, train: { ...data.train, groups: undefined } }
    await expect(cv.start(noGroups, { split: 'grouped' })).rejects.toThrow(
      'A grouped cross-validation needs a group or patient id',
    )
    // A bad setting is refused once, at the dispatch boundary, with a message naming it.
    await expect(
      viaDispatch(cv.handlers())['cv/start']({ projectId: 1, config: { k: 1 } }),
    ).rejects.toThrow('k:')
    expect(await cv.list()).toEqual([])
  })
})
