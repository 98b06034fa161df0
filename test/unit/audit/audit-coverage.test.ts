// Issue #15 point 4: training (start and outcome), prediction (a file, a typed text), model export
// and reports each append an audit entry with ids, counts and names — and never the text.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { AuditEntryDto, JobProgressDto } from '../../../preload/contract'
import { ForkHost } from '../../../main/jobs/fork-host'
import { JobService } from '../../../main/jobs/job-service'
import { auditTrail } from '../../../main/services/audit-service'
import { PredictionsService } from '../../../main/services/predictions-service'
import { ReportsService } from '../../../main/services/reports-service'
import { RunsService } from '../../../main/services/runs-service'
import { TrainingService } from '../../../main/services/training-service'
import { openWorkspace, type Workspace } from '../../../main/store/workspace'
import { writeBaselineBundle } from '../ml/infer/bundles'
import { testModelChoice } from '../services/model-choice-fixture'

const fixture = fileURLToPath(new URL('../../fixtures/train/bilingual-health.csv', import.meta.url))
const inputCsv = fileURLToPath(new URL('../../fixtures/predict/texts.csv', import.meta.url))
const realEntry = fileURLToPath(new URL('../../../main/jobs/job-entry.ts', import.meta.url))
const failingEntry = fileURLToPath(
  new URL('../../fixtures/jobs/test-job-entry.ts', import.meta.url),
)
const rows = parse(readFileSync(fixture), { columns: true }) as { text: string; label: string }[]
const labels = ['健康', '疾病']
const data = {
  projectId: undefined,
  labels,
  train: { texts: rows.map((r) => r.text), labels: rows.map((r) => labels.indexOf(r.label)) },
}
const config = { model: 'baseline', epochs: 3, batchSize: 8, seed: 5, device: 'cpu' as const }

const open: Workspace[] = []
const dirs: string[] = []
afterEach(() => {
  open.splice(0).forEach((w) => w.close())
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }))
})

function workspace() {
  const home = mkdtempSync(join(tmpdir(), 'cts-audit-cover-'))
  dirs.push(home)
  const ws = openWorkspace(home)
  open.push(ws)
  const runs = new RunsService(ws.repos, ws.runsDir)
  const audit = auditTrail(ws.repos, 'dr-wang')
  const entries = async (action: string): Promise<AuditEntryDto[]> =>
    (await ws.repos.audit.list({}, { offset: 0, limit: 100 })).entries
      .filter((e) => e.action === action)
      .reverse()
  /** No entry holds any of these texts (patient text never reaches the log). */
  const noText = (texts: string[]) => {
    const log = JSON.stringify(ws.db.prepare('SELECT * FROM audit_log').all())
    for (const t of texts) expect(log).not.toContain(t)
  }
  return { home, ws, runs, audit, entries, noText }
}

function trainingSetup(entry: string) {
  const w = workspace()
  const jobs = new JobService({ host: new ForkHost({ entry }), publish: () => {} })
  const service = new TrainingService(w.runs, jobs, w.ws.repos, {
    modelChoice: testModelChoice(w.ws.repos),
    audit: w.audit,
  })
  return { ...w, jobs, training: service }
}

async function finishedBaselineRun(runs: RunsService): Promise<number> {
  const runId = await runs.create({
    modelKind: 'baseline',
    baseModel: 'baseline',
    labels,
    config: { epochs: 3 },
    dataHash: 'sha256:feed',
    seed: 9,
  })
  writeBaselineBundle({ seed: 9, dir: runs.runDir(runId) })
  await runs.finish(runId, { status: 'success', provider: 'cpu', trainSeconds: 1 })
  return runId
}

describe("the audit log's coverage", () => {
  it("records a training run's start and its completion with counts, never text", async () => {
    const { training, entries, noText } = trainingSetup(realEntry)
    const started = await training.start(data, config)
    const run = await started.done
    expect(run.status).toBe('success')
    const train = await entries('train')
    expect(train.map((e) => [e.actor, e.projectId, e.details])).toEqual([
      [
        'dr-wang',
        null,
        {
          event: 'started',
          runId: run.id,
          model: 'baseline',
          modelKind: 'baseline',
          labels: 2,
          texts: { train: 26, dev: 3, test: 3 },
        },
      ],
      [
        'dr-wang',
        null,
        {
          event: 'completed',
          runId: run.id,
          model: 'baseline',
          modelKind: 'baseline',
          labels: 2,
          epochs: 1,
          macroF1: run.test!.macro_f1,
        },
      ],
    ])
    noText(rows.map((r) => r.text))
  }, 60_000)

  it('records a failed run with its error code, and a cancelled run', async () => {
    const failing = trainingSetup(failingEntry)
    const failed = await (await failing.training.start(data, config)).done
    expect(failed.status).toBe('error')
    expect((await failing.entries('train')).map((e) => e.details)).toEqual([
      expect.objectContaining({ event: 'started', runId: failed.id }),
      {
        event: 'failed',
        runId: failed.id,
        model: 'baseline',
        modelKind: 'baseline',
        labels: 2,
        error: 'bad-input',
      },
    ])
    // The failing job's message names a row; the log keeps only its code.
    failing.noText(['Row 17'])

    const cancelling = trainingSetup(realEntry)
    const started = await cancelling.training.start(data, config)
    cancelling.jobs.cancel(started.jobId)
    const cancelled = await started.done
    expect(cancelled.status).toBe('cancelled')
    expect((await cancelling.entries('train')).map((e) => e.details.event)).toEqual([
      'started',
      'cancelled',
    ])
    expect((await cancelling.entries('train'))[1].details).toEqual({
      event: 'cancelled',
      runId: cancelled.id,
      model: 'baseline',
      modelKind: 'baseline',
      labels: 2,
    })
  }, 60_000)

  it('records a file prediction (texts, input and output file) and a typed text', async () => {
    const { runs, audit, entries, noText, home } = workspace()
    const runId = await finishedBaselineRun(runs)
    const finals: JobProgressDto[] = []
    const jobs = new JobService({
      host: new ForkHost({ entry: realEntry }),
      publish: (_e, s) => void (s.status !== 'running' && finals.push(s)),
    })
    const service = new PredictionsService(runs, jobs, audit)
    try {
      const typed = 'Fever and cough, 患者发热'
      await service.predictText(runId, typed)
      await service.predictFile({
        runId,
        file: { path: inputCsv },
        format: 'csv',
        path: join(home, 'ward-predictions.csv'),
      })
      await vi.waitFor(() => expect(finals).toHaveLength(1), { timeout: 30_000 })
      await vi.waitFor(async () => expect(await entries('predict')).toHaveLength(2))
      expect((await entries('predict')).map((e) => [e.actor, e.details])).toEqual([
        ['dr-wang', { runId, texts: 1, input: 'typed text' }],
        [
          'dr-wang',
          {
            runId,
            texts: 5,
            skipped: 1,
            input: 'texts.csv',
            output: 'ward-predictions.csv',
            format: 'csv',
          },
        ],
      ])
      noText([typed, 'Patient has fever'])
    } finally {
      await service.dispose()
      jobs.dispose()
    }
  }, 40_000)

  it('records a model export, to a folder and as a zip', async () => {
    const { runs, audit, entries, home } = workspace()
    const runId = await finishedBaselineRun(runs)
    const service = new PredictionsService(runs, { start: () => ({}) as never }, audit)
    await service.exportModel(runId, join(home, 'exported'))
    await service.exportModel(runId)
    const details = { runId, model: 'baseline', modelKind: 'baseline', files: 5 }
    expect((await entries('model.export')).map((e) => e.details)).toEqual([
      { ...details, fileName: 'exported' },
      { ...details, fileName: `run-${runId}-model.zip` },
    ])
  }, 30_000)

  it('records a report with its run, format, language and size', async () => {
    const { runs, audit, entries, ws, home } = workspace()
    const runId = await runs.create({
      modelKind: 'baseline',
      baseModel: 'baseline',
      labels,
      config: { epochs: 3 },
      dataHash: 'abc123',
      seed: 9,
    })
    const test = { texts: ['胸痛伴气短', 'routine checkup normal'], labels: [1, 0] }
    runs.writeArtifact(runId, 'dataset.json', JSON.stringify({ train: test, test }))
    runs.writeArtifact(
      runId,
      'test-predictions.json',
      JSON.stringify({
        split: 'test',
        yTrue: test.labels,
        probs: [
          [0.1, 0.9],
          [0.8, 0.2],
        ],
        textIds: [null, null],
      }),
    )
    await runs.finish(runId, { status: 'success', provider: 'cpu', trainSeconds: 1 })
    const reports = new ReportsService(runs, { store: ws.repos, audit })
    const written = await reports.export({
      runId,
      format: 'html',
      locale: 'zh-CN',
      path: join(home, 'report.html'),
    })
    expect((await entries('report')).map((e) => e.details)).toEqual([
      {
        runId,
        format: 'html',
        locale: 'zh-CN',
        fileName: `run-${runId}-report-zh-CN.html`,
        bytes: written.bytes,
        deidentified: false,
      },
    ])
  })
})
