// The runs, studies, text-sample and CV-record repositories on their own: guarded writes answer
// false (and write nothing) instead of overwriting, a run's deletion and its audit entry go
// together, and CV records keep their file format under <home>/cv.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CvResultDto } from '../../../preload/contract/cv'
import { openWorkspace, type Workspace } from '../../../main/store/workspace'

let home: string
let ws: Workspace
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'cts-runs-repos-'))
  ws = openWorkspace(home)
})
afterEach(() => {
  ws.close()
  rmSync(home, { recursive: true, force: true })
})

const newRun = { modelKind: 'baseline' as const, baseModel: 'baseline', labels: ['a', 'b'] }
const test = {
  accuracy: 0.5,
  macro_f1: 0.5,
  weighted_f1: 0.5,
  per_class: {},
  confusion_matrix: [],
}

describe('runs repository', () => {
  it('records an outcome once and a test score once, then answers false', async () => {
    const { runs } = ws.repos
    const id = await runs.create({ ...newRun, config: { epochs: 1 }, dataHash: 'h', seed: 3 })
    await runs.addEpoch(id, { epoch: 1, train_loss: 0.5, learning_rate: 0.01, seconds: 2 })
    expect(await runs.setTest(id, test, 1)).toBe(false) // still running
    expect(await runs.finish(id, { status: 'success', bestEpoch: 1, stoppedEarly: false })).toBe(
      true,
    )
    expect(await runs.finish(id, { status: 'error' })).toBe(false)
    expect(await runs.setTest(id, test, 1.5)).toBe(true)
    expect(await runs.setTest(id, test, 1.5)).toBe(false)
    expect(await runs.get(id)).toMatchObject({
      id,
      status: 'success',
      config: { epochs: 1 },
      seed: 3,
      evalSeconds: 1.5,
      test,
      bestEpoch: 1,
      stoppedEarly: false,
      epochs: [{ epoch: 1, train_loss: 0.5, learning_rate: 0.01, seconds: 2 }],
    })
    expect(await runs.get(id + 1)).toBeUndefined()
  })

  it('deletes a run with its epochs and writes the audit entry with it', async () => {
    const { runs } = ws.repos
    const id = await runs.create({ ...newRun, config: {}, dataHash: 'h', seed: 1 })
    const ens = await runs.create({
      ...newRun,
      modelKind: 'ensemble',
      config: { ensemble: { members: [{ runId: id }] } },
      dataHash: 'h',
      seed: 1,
    })
    await runs.addEpoch(id, { epoch: 1, train_loss: 0.5, learning_rate: 0.01, seconds: 2 })
    expect(await runs.ensembleConfigs()).toEqual([
      { id: ens, config: { ensemble: { members: [{ runId: id }] } } },
    ])
    await runs.delete(id, { actor: 'dr-li', projectId: null, details: { runId: id } })
    expect((await runs.list()).map((r) => r.id)).toEqual([ens])
    expect(ws.db.prepare('SELECT COUNT(*) FROM run_epochs').pluck().get()).toBe(0)
    expect(ws.db.prepare('SELECT actor, action, details FROM audit_log').all()).toEqual([
      { actor: 'dr-li', action: 'run.delete', details: JSON.stringify({ runId: id }) },
    ])
  })
})

describe('studies repository', () => {
  it('ends a running study once; a reopened one can end again', async () => {
    const { studies } = ws.repos
    const id = await studies.create({
      projectId: null,
      config: { recipe: 'auto' },
      budgetSeconds: 60,
      summary: { candidates: [] },
    })
    await studies.saveSummary(id, { candidates: [1] })
    await studies.finish(id, { status: 'cancelled', winnerRunId: null, error: null })
    await studies.finish(id, { status: 'error', winnerRunId: null, error: null })
    expect(await studies.get(id)).toMatchObject({
      id,
      status: 'cancelled',
      config: { recipe: 'auto' },
      budgetSeconds: 60,
      summary: { candidates: [1] },
    })
    await studies.reopen(id)
    expect(await studies.get(id)).toMatchObject({ status: 'running', finishedAt: null })
    const error = { code: 'x', message: 'failed' }
    await studies.finish(id, { status: 'error', winnerRunId: null, error })
    expect((await studies.list()).map((s) => [s.id, s.status, s.error])).toEqual([
      [id, 'error', error],
    ])
    expect(await studies.list(7)).toEqual([])
  })
})

describe('text sample and CV records', () => {
  it('samples by position in id order, and knows a missing project', async () => {
    const p = await ws.repos.projects.create({
      name: 'P',
      kind: 'binary',
      labels: ['x', 'y'],
      actor: 't',
    })
    if (typeof p !== 'object') throw new Error(`project not created: ${String(p)}`)
    const insert = ws.db.prepare(
      'INSERT INTO texts (project_id, text, content_hash) VALUES (?, ?, ?)',
    )
    for (const t of ['one', 'two', 'three']) insert.run(p.projectId, t, t)
    expect(await ws.repos.textSample.textSample(p.projectId, (n) => [n - 1, 0])).toEqual({
      texts: ['three', 'one'],
      total: 3,
    })
    expect(await ws.repos.textSample.textSample(p.projectId + 1, () => [])).toBeUndefined()
  })

  it('numbers CV records from 1 and keeps them as files, newest first', async () => {
    const { cvRecords } = ws.repos
    expect(await cvRecords.list()).toEqual([])
    const base = { projectId: null, status: 'running' } as Omit<CvResultDto, 'id'>
    const first = await cvRecords.create(base)
    const second = await cvRecords.create(base)
    expect([first.id, second.id]).toEqual([1, 2])
    await cvRecords.save({ ...first, status: 'success' })
    await cvRecords.saveOutOfFold(1, { fold: [0, 1] })
    expect((await cvRecords.list()).map((r) => [r.id, r.status])).toEqual([
      [2, 'running'],
      [1, 'success'],
    ])
    expect(JSON.parse(readFileSync(join(home, 'cv', '1.json'), 'utf8'))).toEqual({
      id: 1,
      projectId: null,
      status: 'success',
    })
    expect(existsSync(join(home, 'cv', '1-predictions.json'))).toBe(true)
    expect(await cvRecords.get(3)).toBeUndefined()
  })
})
