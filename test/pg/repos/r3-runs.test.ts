// The runs and studies repositories on both backends with the same assertions: every method, the
// guarded writes that answer false, a run's deletion with its audit entry, and run ids that are
// never handed out again after a deletion (SQLite AUTOINCREMENT; PostgreSQL's identity sequence).
import { afterAll, describe, expect, it } from 'vitest'
import type { LabelProvenanceDto } from '../../../preload/contract/agreement'
import {
  auditTrail,
  freshBackendEachTest,
  openBackend,
  seed,
  stopOwnServer,
  type BackendName,
  type R3Backend,
} from './r3-backends'

afterAll(stopOwnServer)

const evaluation = {
  accuracy: 0.75,
  macro_f1: 0.5,
  weighted_f1: 0.625,
  per_class: {},
  confusion_matrix: [
    [1, 0],
    [1, 2],
  ],
}
const base = { modelKind: 'baseline' as const, baseModel: 'baseline', labels: ['ja', '不确定'] }
const provenance = {
  annotators: ['ana', '王医生'],
  policy: { tiePolicy: 'exclude', tieAnnotator: null },
} as unknown as LabelProvenanceDto

describe.each<BackendName>(['sqlite', 'postgres'])('runs repository (%s)', (backend) => {
  let b: R3Backend
  freshBackendEachTest(
    () => openBackend(backend),
    (x) => (b = x),
    seed,
  )

  it('records a run, its epochs, outcome and test score once each', async () => {
    const id = await b.runs.create({
      ...base,
      projectId: 1,
      config: { epochs: 2, lr: 0.01 },
      dataHash: 'h1',
      seed: 42,
      labelProvenance: provenance,
    })
    expect(id).toBe(1)
    await b.runs.addEpoch(id, { epoch: 2, train_loss: 0.25, learning_rate: 0.005, seconds: 1.5 })
    await b.runs.addEpoch(id, {
      epoch: 1,
      train_loss: 0.5,
      learning_rate: 0.01,
      seconds: 2,
      dev: evaluation,
    })
    const running = await b.runs.get(id)
    expect(running).toMatchObject({
      id,
      projectId: 1,
      status: 'running',
      config: { epochs: 2, lr: 0.01 },
      labels: ['ja', '不确定'],
      labelProvenance: provenance,
      finishedAt: null,
      test: null,
      bestEpoch: null,
      stoppedEarly: null,
      provider: null,
      error: null,
    })
    expect(running!.epochs).toEqual([
      { epoch: 1, train_loss: 0.5, learning_rate: 0.01, seconds: 2, dev: evaluation },
      { epoch: 2, train_loss: 0.25, learning_rate: 0.005, seconds: 1.5 },
    ])
    expect(running).not.toHaveProperty('studyId')
    expect(await b.runs.setTest(id, evaluation, 1)).toBe(false) // still running
    expect(
      await b.runs.finish(id, {
        status: 'success',
        provider: 'cpu',
        trainSeconds: 12.5,
        evalSeconds: 0.5,
        bestEpoch: 1,
        stoppedEarly: true,
      }),
    ).toBe(true)
    expect(await b.runs.finish(id, { status: 'error' })).toBe(false)
    expect(await b.runs.setTest(id, evaluation, 1.25)).toBe(true)
    expect(await b.runs.setTest(id, evaluation, 9)).toBe(false)
    const done = await b.runs.get(id)
    expect(done).toMatchObject({
      status: 'success',
      provider: 'cpu',
      trainSeconds: 12.5,
      evalSeconds: 1.75,
      test: evaluation,
      bestEpoch: 1,
      stoppedEarly: true,
      dataHash: 'h1',
      seed: 42,
    })
    expect(done!.finishedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/)
    expect(await b.runs.get(id + 1)).toBeUndefined()
  })

  it('records an error, keeps the provider when none is given, and reopens', async () => {
    const id = await b.runs.create({ ...base, config: {}, dataHash: 'h', seed: 1 })
    await b.runs.finish(id, {
      status: 'error',
      provider: 'cuda',
      error: { code: 'internal', message: '显存不足 / out of memory' },
      stoppedEarly: false,
    })
    expect(await b.runs.get(id)).toMatchObject({
      projectId: null,
      status: 'error',
      provider: 'cuda',
      error: { code: 'internal', message: '显存不足 / out of memory' },
      stoppedEarly: false,
      labelProvenance: null,
    })
    await b.runs.reopen(id)
    expect(await b.runs.get(id)).toMatchObject({
      status: 'running',
      error: null,
      finishedAt: null,
      bestEpoch: null,
      stoppedEarly: null,
      provider: 'cuda',
    })
    expect(await b.runs.finish(id, { status: 'cancelled' })).toBe(true)
    expect(await b.runs.get(id)).toMatchObject({ status: 'cancelled', provider: 'cuda' })
  })

  it("lists all runs or one project's, oldest first, with their epochs and study", async () => {
    const study = await b.studies.create({
      projectId: 1,
      config: {},
      budgetSeconds: 60,
      summary: {},
    })
    const a = await b.runs.create({ ...base, projectId: 1, config: {}, dataHash: 'a', seed: 1 })
    const c = await b.runs.create({ ...base, projectId: 2, config: {}, dataHash: 'c', seed: 1 })
    const d = await b.runs.create({
      ...base,
      projectId: 1,
      studyId: study,
      config: {},
      dataHash: 'd',
      seed: 1,
    })
    await b.runs.addEpoch(d, { epoch: 1, train_loss: 1, learning_rate: 0.1, seconds: 1 })
    await b.runs.addEpoch(a, { epoch: 1, train_loss: 2, learning_rate: 0.2, seconds: 2 })
    expect((await b.runs.list()).map((r) => [r.id, r.projectId, r.epochs.length])).toEqual([
      [a, 1, 1],
      [c, 2, 0],
      [d, 1, 1],
    ])
    const one = await b.runs.list(1)
    expect(one.map((r) => r.id)).toEqual([a, d])
    expect(one[1]).toMatchObject({ studyId: study, epochs: [{ epoch: 1, train_loss: 1 }] })
    expect(await b.runs.list(99)).toEqual([])
  })

  it('reads every ensemble config in id order', async () => {
    await b.runs.create({ ...base, config: { x: 1 }, dataHash: 'a', seed: 1 })
    const e1 = await b.runs.create({
      ...base,
      modelKind: 'ensemble',
      config: { members: [1], weights: [1] },
      dataHash: 'e',
      seed: 1,
    })
    const e2 = await b.runs.create({
      ...base,
      modelKind: 'ensemble',
      config: { members: [1, 2] },
      dataHash: 'e',
      seed: 1,
    })
    expect(await b.runs.ensembleConfigs()).toEqual([
      { id: e1, config: { members: [1], weights: [1] } },
      { id: e2, config: { members: [1, 2] } },
    ])
  })

  it('deletes a run with its epochs and audits it; a later run never reuses its id', async () => {
    const first = await b.runs.create({ ...base, config: {}, dataHash: 'a', seed: 1 })
    const newest = await b.runs.create({
      ...base,
      projectId: 1,
      config: {},
      dataHash: 'b',
      seed: 1,
    })
    await b.runs.addEpoch(newest, { epoch: 1, train_loss: 1, learning_rate: 0.1, seconds: 1 })
    await b.runs.delete(newest, { actor: '王医生', projectId: 1, details: { runId: newest } })
    expect(await b.runs.get(newest)).toBeUndefined()
    expect(await b.all('SELECT * FROM run_epochs')).toEqual([])
    expect(await auditTrail(b)).toEqual(['王医生:run.delete'])
    const [entry] = await b.all<{ project_id: number; details: string }>(
      'SELECT project_id, details FROM audit_log',
    )
    expect(entry).toEqual({ project_id: 1, details: JSON.stringify({ runId: newest }) })
    expect(await b.audit.verify()).toMatchObject({ entries: 1, intact: true })
    const next = await b.runs.create({ ...base, config: {}, dataHash: 'c', seed: 1 })
    expect([first, newest, next]).toEqual([1, 2, 3])
  })
})

describe.each<BackendName>(['sqlite', 'postgres'])('studies repository (%s)', (backend) => {
  let b: R3Backend
  freshBackendEachTest(
    () => openBackend(backend),
    (x) => (b = x),
    seed,
  )

  it('creates, lists, summarises, finishes once and reopens a study', async () => {
    const config = { recipe: 'auto', models: ['baseline', 'bert'], 备注: '夜间' }
    const s1 = await b.studies.create({
      projectId: 1,
      config,
      budgetSeconds: 90.5,
      summary: { candidates: [] },
    })
    const s2 = await b.studies.create({
      projectId: null,
      config: {},
      budgetSeconds: 10,
      summary: null,
    })
    const got = await b.studies.get(s1)
    expect(got).toEqual({
      id: s1,
      projectId: 1,
      status: 'running',
      config,
      budgetSeconds: 90.5,
      error: null,
      createdAt: got!.createdAt,
      finishedAt: null,
      winnerRunId: null,
      summary: { candidates: [] },
    })
    expect(got!.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/)
    expect((await b.studies.get(s2))!.summary).toBeNull()
    expect(await b.studies.get(99)).toBeUndefined()
    expect((await b.studies.list()).map((s) => s.id)).toEqual([s1, s2])
    expect((await b.studies.list(1)).map((s) => s.id)).toEqual([s1])
    expect(await b.studies.list(2)).toEqual([])

    await b.studies.saveSummary(s1, { candidates: [{ runId: 1, f1: 0.5 }] })
    const run = await b.runs.create({
      ...base,
      projectId: 1,
      studyId: s1,
      config: {},
      dataHash: 'h',
      seed: 1,
    })
    await b.studies.finish(s1, { status: 'success', winnerRunId: run, error: null })
    // A study that is not running keeps how it ended.
    await b.studies.finish(s1, {
      status: 'error',
      winnerRunId: null,
      error: { code: 'x', message: 'y' },
    })
    const ended = await b.studies.get(s1)
    expect(ended).toMatchObject({
      status: 'success',
      winnerRunId: run,
      error: null,
      summary: { candidates: [{ runId: 1, f1: 0.5 }] },
    })
    expect(ended!.finishedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/)

    await b.studies.finish(s2, {
      status: 'error',
      winnerRunId: null,
      error: { code: 'cancelled', message: '已取消 / cancelled' },
    })
    expect(await b.studies.get(s2)).toMatchObject({
      status: 'error',
      error: { code: 'cancelled', message: '已取消 / cancelled' },
    })
    await b.studies.reopen(s2)
    expect(await b.studies.get(s2)).toMatchObject({
      status: 'running',
      error: null,
      finishedAt: null,
    })
  })
})
