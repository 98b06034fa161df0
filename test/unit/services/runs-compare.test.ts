// Comparing finished runs side by side and deleting a run only with confirmation (RunsService and
// the 'runs/compare' / 'runs/delete' calls), on hand-made run records: no training needed.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { EvaluationDto } from '../../../preload/contract'
import { callSchemas } from '../../../preload/contract'
import { fileURLToPath } from 'node:url'
import { ForkHost } from '../../../main/jobs/fork-host'
import { JobService } from '../../../main/jobs/job-service'
import { RunsService } from '../../../main/services/runs-service'
import { TrainingService } from '../../../main/services/training-service'
import { testModelChoice } from './model-choice-fixture'
import { openWorkspace, type Workspace } from '../../../main/store/workspace'
import { viaDispatch } from './call-helpers'

const open: { ws: Workspace; home: string }[] = []
afterEach(() => {
  for (const o of open.splice(0)) {
    o.ws.close()
    rmSync(o.home, { recursive: true, force: true })
  }
})

function setup() {
  const home = mkdtempSync(join(tmpdir(), 'cts-compare-'))
  const ws = openWorkspace(home)
  open.push({ ws, home })
  const runs = new RunsService(ws.repos, ws.runsDir)
  const jobs = new JobService({
    host: {
      spawn: () => {
        throw new Error('no jobs in this test')
      },
    },
    publish: () => {},
  })
  const training = new TrainingService(runs, jobs, ws.repos, {
    actor: 'dr-wang',
    modelChoice: testModelChoice(ws.repos),
  })
  return { ws, runs, handlers: viaDispatch(training.handlers()) }
}

const metrics = (acc: number, f1: Record<string, number>): EvaluationDto => {
  const f1s = Object.values(f1)
  return {
    accuracy: acc,
    macro_f1: f1s.reduce((a, b) => a + b, 0) / f1s.length,
    weighted_f1: acc - 0.01,
    per_class: Object.fromEntries(
      Object.entries(f1).map(([l, f]) => [l, { precision: f, recall: f, f1: f, support: 10 }]),
    ),
    confusion_matrix: [],
  }
}

async function finishedRun(
  runs: RunsService,
  labels: string[],
  test: EvaluationDto | null,
  dataHash = 'h1',
) {
  const id = await runs.create({
    modelKind: 'baseline',
    baseModel: 'baseline',
    labels,
    config: {},
    dataHash,
    seed: 1,
  })
  await runs.finish(
    id,
    test
      ? { status: 'success', test }
      : { status: 'error', error: { code: 'x', message: 'failed' } },
  )
  return id
}

describe('runs/compare', () => {
  it('puts metrics side by side with each run’s difference to the first', async () => {
    const { runs, handlers } = setup()
    const a = await finishedRun(runs, ['健康', '疾病'], metrics(0.8, { 健康: 0.75, 疾病: 0.85 }))
    const b = await finishedRun(
      runs,
      ['疾病', '健康'],
      metrics(0.9, { 健康: 0.8, 疾病: 0.95 }),
      'h2',
    )
    const c = await handlers['runs/compare']({ runIds: [a, b] })
    expect(c.labels).toEqual(['健康', '疾病'])
    expect(c.runs.map((r) => r.id)).toEqual([a, b])
    expect(c.metrics[1]).toEqual({
      runId: b,
      accuracy: 0.9,
      macro_f1: 0.875,
      weighted_f1: 0.89,
      per_class_f1: { 健康: 0.8, 疾病: 0.95 },
    })
    expect(c.differences[0]).toEqual({
      runId: a,
      accuracy: 0,
      macro_f1: 0,
      weighted_f1: 0,
      per_class_f1: { 健康: 0, 疾病: 0 },
    })
    const d = c.differences[1]
    expect(d.accuracy).toBeCloseTo(0.1, 12)
    expect(d.macro_f1).toBeCloseTo(0.075, 12)
    expect(d.per_class_f1.健康).toBeCloseTo(0.05, 12)
    expect(d.per_class_f1.疾病).toBeCloseTo(0.1, 12)
    expect(c.sameData).toBe(false)
  })

  it('refuses runs with different label sets, unfinished runs, and fewer than two runs', async () => {
    const { runs, handlers } = setup()
    const a = await finishedRun(runs, ['健康', '疾病'], metrics(0.8, { 健康: 0.8, 疾病: 0.8 }))
    const b = await finishedRun(
      runs,
      ['cardio', 'neuro'],
      metrics(0.7, { cardio: 0.7, neuro: 0.7 }),
    )
    const failed = await finishedRun(runs, ['健康', '疾病'], null)
    await expect(handlers['runs/compare']({ runIds: [a, b] })).rejects.toMatchObject({
      code: 'bad-input',
      message: `Runs ${a} and ${b} have different labels (健康, 疾病 vs cardio, neuro); only runs with the same labels can be compared.`,
    })
    await expect(handlers['runs/compare']({ runIds: [a, failed] })).rejects.toMatchObject({
      message: `Run ${failed} has no test metrics (it ended: error); compare finished runs only.`,
    })
    await expect(handlers['runs/compare']({ runIds: [a] })).rejects.toMatchObject({
      code: 'bad-input',
    })
    await expect(handlers['runs/compare']({ runIds: [a, a] })).rejects.toMatchObject({
      code: 'bad-input',
    })
  })
})

describe('runs/delete', () => {
  it('needs confirm: true, then removes the record and folder and writes the audit log', async () => {
    const { ws, runs, handlers } = setup()
    const keep = await finishedRun(runs, ['健康', '疾病'], metrics(0.8, { 健康: 0.8, 疾病: 0.8 }))
    const gone = await finishedRun(runs, ['健康', '疾病'], metrics(0.9, { 健康: 0.9, 疾病: 0.9 }))
    await runs.addEpoch(gone, { epoch: 1, train_loss: 0.5, learning_rate: 0.01, seconds: 1 })
    runs.writeArtifact(gone, 'metrics.json', '{}')
    expect(callSchemas['runs/delete'].safeParse({ runId: gone }).success).toBe(false)
    expect(callSchemas['runs/delete'].safeParse({ runId: gone, confirm: false }).success).toBe(
      false,
    )
    // @ts-expect-error confirm must be the literal true
    await expect(handlers['runs/delete']({ runId: gone, confirm: 'yes' })).rejects.toMatchObject({
      code: 'bad-input',
    })
    expect(existsSync(runs.runDir(gone))).toBe(true)

    expect(await handlers['runs/delete']({ runId: gone, confirm: true })).toEqual({ deleted: gone })
    expect(existsSync(runs.runDir(gone))).toBe(false)
    expect((await runs.list()).map((r) => r.id)).toEqual([keep])
    expect(
      ws.db.prepare('SELECT COUNT(*) AS n FROM run_epochs WHERE run_id = ?').get(gone),
    ).toEqual({ n: 0 })
    const audit = ws.db
      .prepare("SELECT actor, action, details FROM audit_log WHERE action = 'run.delete'")
      .all() as { actor: string; action: string; details: string }[]
    expect(audit).toHaveLength(1)
    expect(audit[0].actor).toBe('dr-wang')
    expect(JSON.parse(audit[0].details)).toMatchObject({
      runId: gone,
      baseModel: 'baseline',
      status: 'success',
    })
    await expect(handlers['runs/delete']({ runId: gone, confirm: true })).rejects.toMatchObject({
      code: 'not-found',
    })
    // Ids are never reused, so a new run cannot inherit the deleted one's history.
    expect(await finishedRun(runs, ['健康', '疾病'], null)).toBe(gone + 1)
  })

  it('refuses to delete a run while its job is training, and deletes it once it ended', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cts-compare-'))
    const ws = openWorkspace(home)
    open.push({ ws, home })
    const runs = new RunsService(ws.repos, ws.runsDir)
    const entry = fileURLToPath(new URL('../../../main/jobs/job-entry.ts', import.meta.url))
    const jobs = new JobService({ host: new ForkHost({ entry }), publish: () => {} })
    const training = new TrainingService(runs, jobs, ws.repos, {
      modelChoice: testModelChoice(ws.repos),
    })
    const texts = [
      '胸痛 气短',
      'chest pain',
      '体检 正常',
      'routine checkup',
      '发热 咳嗽',
      'all normal',
    ]
    const started = await training.start(
      { labels: ['健康', '疾病'], train: { texts, labels: [1, 1, 0, 0, 1, 0] } },
      { model: 'baseline', epochs: 1, device: 'cpu' },
    )
    await expect(
      training.handlers()['runs/delete']({ runId: started.runId, confirm: true }),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: `Run ${started.runId} is still training: cancel it first.`,
    })
    await started.done
    await training.handlers()['runs/delete']({ runId: started.runId, confirm: true })
    expect(await runs.list()).toEqual([])
  }, 60_000)
})
