// Schema 3 (run outcome): a workspace saved at schema 2 upgrades with its runs and epochs intact,
// and finished runs then record their best epoch and whether early stopping ended them.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { migrations } from '../../../main/store/migrations/index'
import { openWorkspace } from '../../../main/store/workspace'
import { RunsService } from '../../../main/services/runs-service'

let home: string
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'cts-mig3-'))
})
afterEach(() => rmSync(home, { recursive: true, force: true }))

it('upgrades a schema-2 workspace to schema 3 keeping its runs, then records the run outcome', async () => {
  const old = openWorkspace(home, { migrations: migrations.slice(0, 2) })
  old.db
    .prepare(
      "INSERT INTO projects (id, name, kind, created_at) VALUES (1, '心衰', 'binary', 'then')",
    )
    .run()
  old.db
    .prepare(
      `INSERT INTO runs (id, project_id, model_kind, base_model, config_json, labels_json, data_hash,
         seed, provider, status, created_at, finished_at, train_seconds, eval_seconds)
       VALUES (1, 1, 'baseline', 'baseline', '{"epochs":3}', '["健康","疾病"]', 'h1', 7, 'cpu',
         'success', 't0', 't1', 2.5, 0.5)`,
    )
    .run()
  old.db
    .prepare(
      `INSERT INTO run_epochs (run_id, epoch, train_loss, learning_rate, seconds)
       VALUES (1, 1, 0.7, 0.001, 1), (1, 2, 0.4, 0.0005, 1.5)`,
    )
    .run()
  old.close()

  const ws = openWorkspace(home, { migrations: migrations.slice(0, 3) })
  expect(ws.migration).toEqual({ from: 2, to: 3, applied: ['003-run-outcome'] })
  const runs = new RunsService(ws.repos, ws.runsDir)
  const before = await runs.get(1)
  expect(before).toMatchObject({
    id: 1,
    projectId: 1,
    labels: ['健康', '疾病'],
    config: { epochs: 3 },
    seed: 7,
    status: 'success',
    trainSeconds: 2.5,
    bestEpoch: null,
    stoppedEarly: null,
  })
  expect(before.epochs.map((e) => [e.epoch, e.train_loss])).toEqual([
    [1, 0.7],
    [2, 0.4],
  ])

  const next = await runs.create({
    projectId: 1,
    modelKind: 'baseline',
    baseModel: 'baseline',
    labels: ['健康', '疾病'],
    config: { epochs: 10 },
    dataHash: 'h2',
    seed: 7,
  })
  expect(await runs.get(next)).toMatchObject({
    status: 'running',
    bestEpoch: null,
    stoppedEarly: null,
  })
  await runs.finish(next, { status: 'success', bestEpoch: 4, stoppedEarly: true })
  expect(await runs.get(next)).toMatchObject({
    status: 'success',
    bestEpoch: 4,
    stoppedEarly: true,
  })
  ws.close()
})
