// Schema 5 rebuilds the runs table so a run may be an ensemble: every run, its epochs, the study
// winners pointing at runs and the id sequence (deleted ids are never reused) survive the rebuild.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { migrations } from '../../../main/store/migrations/index'
import { openWorkspace } from '../../../main/store/workspace'

const homes: string[] = []
afterEach(() => homes.splice(0).forEach((h) => rmSync(h, { recursive: true, force: true })))

const insertRun = `INSERT INTO runs (model_kind, base_model, config_json, labels_json, data_hash,
  seed, status, created_at, study_id, best_epoch) VALUES (?, 'm', '{}', '["a","b"]', 'h', 1,
  'success', 't', ?, 2)`

describe('migration 005 (ensemble runs)', () => {
  it('keeps runs, epochs, study winners and the id sequence, and admits model_kind ensemble', () => {
    const home = mkdtempSync(join(tmpdir(), 'cts-m005-'))
    homes.push(home)
    const v4 = openWorkspace(home, { migrations: migrations.slice(0, 4) })
    v4.db
      .prepare(
        `INSERT INTO studies (recipe, config_json, budget_seconds, status, created_at)
           VALUES ('auto', '{}', 60, 'success', 't')`,
      )
      .run()
    for (const kind of ['baseline', 'bert', 'bert']) v4.db.prepare(insertRun).run(kind, 1)
    v4.db.prepare('DELETE FROM runs WHERE id = 3').run() // the sequence stays at 3
    v4.db.prepare('UPDATE studies SET winner_run_id = 2 WHERE id = 1').run()
    v4.db
      .prepare(
        `INSERT INTO run_epochs (run_id, epoch, train_loss, dev_macro_f1, seconds)
           VALUES (2, 1, 0.5, 0.75, 3), (2, 2, 0.25, 0.875, 3)`,
      )
      .run()
    expect(() => v4.db.prepare(insertRun).run('ensemble', 1)).toThrow(/CHECK constraint failed/)
    v4.close()

    // Pinned to schema 5: later migrations have their own tests.
    const ws = openWorkspace(home, { migrations: migrations.slice(0, 5) })
    expect(ws.migration).toEqual({ from: 4, to: 5, applied: ['005-ensemble-runs'] })
    expect(
      ws.db.prepare('SELECT id, model_kind, study_id, best_epoch FROM runs ORDER BY id').all(),
    ).toEqual([
      { id: 1, model_kind: 'baseline', study_id: 1, best_epoch: 2 },
      { id: 2, model_kind: 'bert', study_id: 1, best_epoch: 2 },
    ])
    expect(
      ws.db.prepare('SELECT run_id, epoch, dev_macro_f1 FROM run_epochs ORDER BY epoch').all(),
    ).toEqual([
      { run_id: 2, epoch: 1, dev_macro_f1: 0.75 },
      { run_id: 2, epoch: 2, dev_macro_f1: 0.875 },
    ])
    expect(ws.db.prepare('SELECT winner_run_id FROM studies').pluck().get()).toBe(2)
    const id = Number(ws.db.prepare(insertRun).run('ensemble', 1).lastInsertRowid)
    expect(id).toBe(4)
    expect(ws.db.pragma('foreign_key_check')).toEqual([])
    // The rebuilt table still cascades: deleting a run deletes its epochs.
    ws.db.prepare('DELETE FROM runs WHERE id = 2').run()
    expect(ws.db.prepare('SELECT COUNT(*) FROM run_epochs').pluck().get()).toBe(0)
    ws.close()
  })
})
