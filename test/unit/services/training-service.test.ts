import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { afterEach, describe, expect, it } from 'vitest'
import { ForkHost } from '../../../main/jobs/fork-host'
import { JobService } from '../../../main/jobs/job-service'
import type { JobProgressDto } from '../../../preload/contract/jobs'
import { RunsService } from '../../../main/services/runs-service'
import {
  TrainingService,
  prepareSplits,
  resolveHyper,
} from '../../../main/services/training-service'
import { testModelChoice } from './model-choice-fixture'
import { openWorkspace, type Workspace } from '../../../main/store/workspace'
import { BASELINE_DEFAULTS } from '../../../main/ml/train/defaults'
import { BASELINE_C_GRID } from '../../../main/ml/models/baseline-fit'
import { writeTinyBertFolder } from '../ml/infer/bundles'

const fixture = fileURLToPath(new URL('../../fixtures/train/bilingual-health.csv', import.meta.url))
const rows = parse(readFileSync(fixture), { columns: true }) as { text: string; label: string }[]
const labels = ['健康', '疾病']
const data = {
  labels,
  train: { texts: rows.map((r) => r.text), labels: rows.map((r) => labels.indexOf(r.label)) },
}
const config = { model: 'baseline', epochs: 3, batchSize: 8, seed: 5, device: 'cpu' as const }
const entry = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/jobs/${name}`, import.meta.url))
const realEntry = fileURLToPath(new URL('../../../main/jobs/job-entry.ts', import.meta.url))

const open: Workspace[] = []
const dirs: string[] = []
afterEach(() => {
  open.splice(0).forEach((w) => w.close())
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }))
})

function setup(jobEntry: string) {
  const home = mkdtempSync(join(tmpdir(), 'cts-training-'))
  dirs.push(home)
  const ws = openWorkspace(home)
  open.push(ws)
  const runs = new RunsService(ws.repos, ws.runsDir)
  const events: JobProgressDto[] = []
  const jobs = new JobService({
    host: new ForkHost({ entry: jobEntry }),
    publish: (_e, p) => events.push(p),
  })
  return {
    ws,
    runs,
    events,
    training: new TrainingService(runs, jobs, ws.repos, {
      modelChoice: testModelChoice(ws.repos),
    }),
  }
}

describe('TrainingService', () => {
  it('resolves the baseline defaults from their one home', () => {
    expect(resolveHyper({ model: 'baseline' })).toMatchObject({
      learningRate: BASELINE_DEFAULTS.learningRate,
      batchSize: BASELINE_DEFAULTS.batchSize,
      seed: 42,
    })
    expect(resolveHyper({ model: 'default' })).toMatchObject({
      learningRate: 2e-5,
      batchSize: 16,
      epochs: 5,
      maxLength: 128,
    })
  })

  it('holds out dev and test splits by default and de-duplicates', () => {
    const dup = {
      labels,
      train: {
        texts: [...data.train.texts, data.train.texts[0]],
        labels: [...data.train.labels, data.train.labels[0]],
      },
    }
    const s = prepareSplits(dup, 1)
    expect(s.duplicates).toBe(1)
    expect([s.train.texts.length, s.dev.texts.length, s.test.texts.length]).toEqual([26, 3, 3])
  })

  it('trains a run in a job process and records epochs, metrics and artifacts', async () => {
    const { runs, events, training } = setup(realEntry)
    const started = await training.start(data, config)
    const run = await started.done
    // Every progress event names the run, so a reloaded window can link the job back to it.
    const progress = events.filter((e) => e.jobId === started.jobId)
    expect(progress.length).toBeGreaterThan(1)
    expect(progress.every((e) => e.kind === 'train' && e.runId === started.runId)).toBe(true)
    expect(run).toMatchObject({
      id: started.runId,
      status: 'success',
      provider: 'cpu',
      modelKind: 'baseline',
      labels,
    })
    expect(run.epochs.map((e) => e.epoch)).toEqual(run.epochs.map((_, i) => i + 1))
    expect(run.epochs.length).toBeGreaterThan(0)
    expect(run.test!.confusion_matrix.flat().reduce((a, b) => a + b, 0)).toBe(3)
    expect(Object.keys(run.test!.per_class)).toEqual(labels)
    expect(readdirSync(runs.runDir(run.id)).sort()).toEqual([
      'baseline-vocab.bin',
      'dataset-summary.json',
      'dataset.json',
      'metrics.json',
      'model.json',
      'model.onnx',
      'test-predictions.json',
    ])
    expect((await runs.list()).map((r) => r.id)).toEqual([run.id])
    // How training ended is recorded from the job's result.
    const result = JSON.parse(runs.readArtifact(run.id, 'metrics.json').toString('utf8')) as {
      bestEpoch: number
      stoppedEarly: boolean
      baselineSearch: { c: number; chosen: boolean; converged: boolean }[]
    }
    // The baseline is fitted once per C of its grid, to convergence, and records the search.
    expect(run.epochs.map((e) => e.epoch)).toEqual([1])
    expect(result.baselineSearch.map((t) => t.c)).toEqual([...BASELINE_C_GRID])
    expect(result.baselineSearch.filter((t) => t.chosen)).toHaveLength(1)
    expect(result.baselineSearch.every((t) => t.converged)).toBe(true)
    expect(run.bestEpoch).toBe(result.bestEpoch)
    expect(run.stoppedEarly).toBe(result.stoppedEarly)
    expect(run.bestEpoch).toBeGreaterThanOrEqual(1)
    expect(run.bestEpoch).toBeLessThanOrEqual(run.epochs.length)
    expect(() => runs.writeArtifact(run.id, 'model.onnx', 'x')).toThrow(/not overwritten/)
  })

  it('resumes a run whose job process was killed and ends as an uninterrupted run', async () => {
    // A fine-tune: the trainer's checkpoints are what a resume continues from (the baseline's
    // fit takes seconds and simply starts again).
    const modelDir = writeTinyBertFolder()
    dirs.push(dirname(modelDir))
    const bert = { ...config, model: modelDir }
    const reference = await (await setup(realEntry).training.start(data, bert)).done
    const { runs, training } = setup(entry('crashing-train-entry.ts'))
    const crashed = await (await training.start(data, bert)).done
    expect(crashed.status).toBe('error')
    expect(crashed.error?.code).toBe('job-crashed')
    expect(existsSync(join(runs.runDir(crashed.id), 'checkpoints', 'last.ckpt'))).toBe(true)
    const resumed = await (await training.resume(crashed.id)).done
    expect(resumed.status).toBe('success')
    expect(resumed.epochs.map((e) => e.train_loss)).toEqual(
      reference.epochs.map((e) => e.train_loss),
    )
    expect(resumed.test).toEqual(reference.test)
  })
})
