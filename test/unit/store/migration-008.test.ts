// Schema 8 (several annotators, issue #12) on a schema-7 workspace: every label and every recorded
// annotator name is kept, each user's labels become their own rows, import labels the reference
// row, the resolved gold labels equal the old ones, and a failed upgrade changes nothing.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { migrations } from '../../../main/store/migrations/index'
import { openWorkspace } from '../../../main/store/workspace'

const homes: string[] = []
afterEach(() => homes.splice(0).forEach((h) => rmSync(h, { recursive: true, force: true })))

const KEPT = [
  'labels',
  'texts',
  'imports',
  'annotations',
  'annotation_labels',
  'annotation_history',
  'audit_log',
  'label_reviews',
]
const snapshot = (db: Database.Database) => ({
  projects: db.prepare('SELECT id, name, kind, created_at FROM projects ORDER BY id').all(),
  ...Object.fromEntries(KEPT.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()])),
})
const gold = (db: Database.Database) => {
  const out = new Map<number, number[]>()
  for (const r of db
    .prepare('SELECT text_id, label_id FROM annotation_labels ORDER BY text_id, label_id')
    .all() as { text_id: number; label_id: number }[])
    out.set(r.text_id, [...(out.get(r.text_id) ?? []), r.label_id])
  return out
}

/** A schema-7 workspace: labels set by two OS users (one overwriting the other), import labels, a skip. */
function schema7(home: string): void {
  const v7 = openWorkspace(home, { migrations: migrations.slice(0, 7) })
  const db = v7.db
  db.exec(`
    INSERT INTO projects (id, name, kind, created_at) VALUES
      (1, '出院小结', 'multiclass', '2026-01-01T00:00:00.000Z'),
      (2, 'notes', 'multilabel', '2026-01-02T00:00:00.000Z');
    INSERT INTO labels (id, project_id, name, position, color) VALUES
      (1, 1, '健康', 1, '#111'), (2, 1, '疾病', 2, '#222'), (3, 1, 'other', 3, '#333'),
      (4, 2, 'fever', 1, '#444'), (5, 2, '咳嗽', 2, '#555');
    INSERT INTO imports (id, project_id, file_name, format, encoding, imported, duplicates, rejected, created_at)
      VALUES (1, 1, 'notes.csv', NULL, NULL, 6, 0, 0, '2026-01-03T00:00:00.000Z');
    INSERT INTO texts (id, project_id, text, content_hash, import_id) VALUES
      (1, 1, '患者无不适 no complaints', 'h1', 1),
      (2, 1, '发热三天 fever for three days', 'h2', 1),
      (3, 1, '咳嗽 cough', 'h3', 1),
      (4, 1, '复查 follow-up', 'h4', 1),
      (5, 1, '头痛 headache', 'h5', 1),
      (6, 1, '未标注 unlabelled', 'h6', 1),
      (7, 2, '发热咳嗽 fever and cough', 'h7', NULL),
      (8, 1, '外院转入 transferred', 'h8', 1);
    -- 1: import label, never touched. 2: 张伟 changed it. 3: 张伟, then O'Brien overwrote it.
    -- 4: O'Brien cleared an import label. 5: skipped, import label kept. 6: nothing.
    -- 7: multi-label set by 张伟. 8: an old row without an annotator name, label kept.
    INSERT INTO annotation_history (id, project_id, text_id, action, before_label_ids, after_label_ids,
        target_id, undo_state, annotator, created_at) VALUES
      (1, 1, 2, 'set', '[1]', '[2]', NULL, 0, '张伟', '2026-02-01T00:00:00.000Z'),
      (2, 1, 3, 'set', '[]', '[2]', NULL, 0, '张伟', '2026-02-02T00:00:00.000Z'),
      (3, 1, 3, 'set', '[2]', '[1]', NULL, 0, 'Dr O''Brien', '2026-02-03T00:00:00.000Z'),
      (4, 1, 4, 'set', '[3]', '[]', NULL, 0, 'Dr O''Brien', '2026-02-04T00:00:00.000Z'),
      (5, 2, 7, 'set', '[]', '[4,5]', NULL, 0, '张伟', '2026-02-05T00:00:00.000Z'),
      (6, 1, 8, 'set', '[]', '[3]', NULL, 0, 'x', '2026-02-06T00:00:00.000Z');
    INSERT INTO annotations (text_id, project_id, revision, skipped, annotator, updated_at) VALUES
      (2, 1, 1, 0, '张伟', '2026-02-01T00:00:00.000Z'),
      (3, 1, 3, 0, 'Dr O''Brien', '2026-02-03T00:00:00.000Z'),
      (4, 1, 4, 0, 'Dr O''Brien', '2026-02-04T00:00:00.000Z'),
      (5, 1, 0, 1, '张伟', '2026-02-04T12:00:00.000Z'),
      (7, 2, 5, 0, '张伟', '2026-02-05T00:00:00.000Z'),
      (8, 1, 6, 0, NULL, '2026-02-06T00:00:00.000Z');
    INSERT INTO annotation_labels (text_id, label_id) VALUES
      (1, 1), (2, 2), (3, 1), (5, 2), (7, 5), (7, 4), (8, 3);
    INSERT INTO label_reviews VALUES (3, 1, 3, 'keep', 'Dr O''Brien', '2026-02-07T00:00:00.000Z');
    INSERT INTO audit_log (at, actor, action, project_id, details)
      VALUES ('2026-02-01T00:00:00.000Z', '张伟', 'label.set', 1, '{"textId":2}');
  `)
  v7.close()
}

describe('migration 008 (several annotators)', () => {
  it('keeps every label and name; each user’s labels become their rows; gold stays as it was', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cts-m008-'))
    homes.push(home)
    schema7(home)
    const v7 = openWorkspace(home, { migrations: migrations.slice(0, 7) })
    const before = snapshot(v7.db)
    const goldBefore = gold(v7.db)
    v7.close()

    let ws = openWorkspace(home, { migrations: migrations.slice(0, 8) })
    expect(ws.migration).toEqual({ from: 7, to: 8, applied: ['008-annotators'] })
    expect(snapshot(ws.db)).toEqual(before)
    expect(ws.db.pragma('foreign_key_check')).toEqual([])
    expect(
      ws.db
        .prepare(
          'SELECT text_id, project_id, annotator, label_ids, origin, at FROM annotator_labels ORDER BY text_id, annotator',
        )
        .all(),
    ).toEqual([
      {
        text_id: 1,
        project_id: 1,
        annotator: '',
        label_ids: '[1]',
        origin: 'import',
        at: '2026-01-03T00:00:00.000Z',
      },
      {
        text_id: 2,
        project_id: 1,
        annotator: '张伟',
        label_ids: '[2]',
        origin: 'local',
        at: '2026-02-01T00:00:00.000Z',
      },
      {
        text_id: 3,
        project_id: 1,
        annotator: "Dr O'Brien",
        label_ids: '[1]',
        origin: 'local',
        at: '2026-02-03T00:00:00.000Z',
      },
      {
        text_id: 4,
        project_id: 1,
        annotator: "Dr O'Brien",
        label_ids: '[]',
        origin: 'local',
        at: '2026-02-04T00:00:00.000Z',
      },
      {
        text_id: 5,
        project_id: 1,
        annotator: '',
        label_ids: '[2]',
        origin: 'import',
        at: '2026-01-03T00:00:00.000Z',
      },
      {
        text_id: 7,
        project_id: 2,
        annotator: '张伟',
        label_ids: '[4,5]',
        origin: 'local',
        at: '2026-02-05T00:00:00.000Z',
      },
      // No recorded name on the row: the labels are kept as reference labels.
      {
        text_id: 8,
        project_id: 1,
        annotator: '',
        label_ids: '[3]',
        origin: 'import',
        at: '2026-01-03T00:00:00.000Z',
      },
    ])
    for (const t of [
      'annotator_profiles',
      'workspace_settings',
      'adjudications',
      'annotation_packages',
    ])
      expect(ws.db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get()).toBe(0)
    expect(ws.db.prepare('SELECT annotation_settings FROM projects').pluck().all()).toEqual([
      null,
      null,
    ])

    // The repositories are today's code: bring the workspace to the current schema first.
    ws.close()
    ws = openWorkspace(home)
    // Resolving from the rows gives exactly the old gold labels, and rewriting them changes nothing.
    const { annotators } = ws.repos
    const resolved = new Map<number, number[]>()
    for (const p of [1, 2])
      for (const [id, r] of await annotators.resolution(p))
        if (r.labelIds.length > 0) resolved.set(id, r.labelIds)
    expect(resolved).toEqual(goldBefore)
    expect(await annotators.resolutionCounts(1)).toEqual({
      adjudicated: 0,
      agreed: 0,
      majority: 0,
      single: 2,
      'tie-annotator': 0,
      excluded: 0,
      reference: 3,
      none: 2,
    })
    await annotators.setSettings(1, await annotators.settings(1), 'lead')
    expect(gold(ws.db)).toEqual(goldBefore)
    expect((await annotators.profiles()).map((p) => [p.name, p.createdAt, p.annotations])).toEqual([
      ["Dr O'Brien", null, 1],
      ['张伟', null, 2],
    ])

    // Old history rows stay valid: O'Brien's undo on text 3 restores the label before his change.
    expect(
      await ws.repos.annotations.step({
        projectId: 1,
        action: 'undo',
        actor: "Dr O'Brien",
        annotator: "Dr O'Brien",
      }),
    ).toEqual({ textId: 4, labelIds: [3], revision: 7 })
    expect(gold(ws.db).get(4)).toEqual([3])
    ws.close()
  })

  it('is transactional: a failure inside leaves the workspace at schema 7 with its labels', () => {
    const home = mkdtempSync(join(tmpdir(), 'cts-m008-'))
    homes.push(home)
    schema7(home)
    const v7 = openWorkspace(home, { migrations: migrations.slice(0, 7) })
    // A table the migration creates last already exists: its CREATE fails after the backfill-free steps.
    v7.db.exec('CREATE TABLE annotation_packages (x INTEGER)')
    const before = snapshot(v7.db)
    v7.close()
    expect(() => openWorkspace(home, { migrations: migrations.slice(0, 8) })).toThrow(
      /could not be upgraded to schema 8 .*still at schema 7/,
    )
    const again = openWorkspace(home, { migrations: migrations.slice(0, 7) })
    expect(again.db.pragma('user_version', { simple: true })).toBe(7)
    expect(snapshot(again.db)).toEqual(before)
    expect(
      again.db
        .prepare(
          "SELECT name FROM sqlite_master WHERE name IN ('annotator_labels', 'adjudications')",
        )
        .all(),
    ).toEqual([])
    expect(
      (again.db.prepare('PRAGMA table_info(projects)').all() as { name: string }[]).map(
        (c) => c.name,
      ),
    ).toEqual(['id', 'name', 'kind', 'created_at'])
    again.close()
  })
})
