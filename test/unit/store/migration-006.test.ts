// Schema 6 adds the model-in-the-loop tables to a workspace at schema 5 and touches nothing else:
// every project, text, label, annotation, history entry and audit row is kept byte for byte.
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
  'projects',
  'labels',
  'texts',
  'annotations',
  'annotation_labels',
  'annotation_history',
  'audit_log',
]
const snapshot = (db: Database.Database) =>
  Object.fromEntries(KEPT.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()]))
const LOOP_TABLES = [
  'loop_audit_texts',
  'loop_models',
  'loop_settings',
  'loop_shown',
  'loop_suggestions',
]

describe('migration 006 (model in the loop)', () => {
  it('keeps every label of a schema-5 workspace and adds empty loop tables', () => {
    const home = mkdtempSync(join(tmpdir(), 'cts-m006-'))
    homes.push(home)
    const v5 = openWorkspace(home, { migrations: migrations.slice(0, 5) })
    const db = v5.db
    db.prepare(
      "INSERT INTO projects (id, name, kind, created_at) VALUES (1, 'p', 'multilabel', 't')",
    ).run()
    db.prepare(
      "INSERT INTO labels (id, project_id, name, position, color) VALUES (1, 1, '健康', 1, '#111'), (2, 1, '疾病', 2, '#222')",
    ).run()
    for (let i = 1; i <= 5; i++) {
      db.prepare('INSERT INTO texts (id, project_id, text, content_hash) VALUES (?, 1, ?, ?)').run(
        i,
        `note ${i} 记录`,
        `h${i}`,
      )
    }
    const setLabels = (textId: number, ids: number[], rev: number) => {
      db.prepare(
        `INSERT INTO annotation_history (project_id, text_id, action, before_label_ids,
           after_label_ids, annotator, created_at) VALUES (1, ?, 'set', '[]', ?, 'a', 't')`,
      ).run(textId, JSON.stringify(ids))
      db.prepare(
        `INSERT INTO annotations (text_id, project_id, revision, annotator, updated_at)
           VALUES (?, 1, ?, 'a', 't')`,
      ).run(textId, rev)
      for (const l of ids) db.prepare('INSERT INTO annotation_labels VALUES (?, ?)').run(textId, l)
    }
    setLabels(1, [1], 1)
    setLabels(2, [2], 2)
    setLabels(3, [1, 2], 3)
    db.prepare(
      "INSERT INTO audit_log (at, actor, action, project_id, details) VALUES ('t', 'a', 'label.set', 1, '{}')",
    ).run()
    const before = snapshot(db)
    expect(before.annotation_labels).toHaveLength(4)
    v5.close()

    // Up to schema 6 only: 008 adds a column to projects (and backfills annotator rows).
    const ws = openWorkspace(home, { migrations: migrations.slice(0, 6) })
    expect(ws.migration.from).toBe(5)
    expect(ws.migration.applied[0]).toBe('006-model-in-the-loop')
    expect(snapshot(ws.db)).toEqual(before)
    for (const t of LOOP_TABLES)
      expect(ws.db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get()).toBe(0)
    expect(ws.db.pragma('foreign_key_check')).toEqual([])
    // Deleting the project takes its loop rows with it (cascade), as it takes its labels.
    ws.db
      .prepare(
        "INSERT INTO loop_settings (project_id, enabled, threshold, show_suggestions, audit_rate, mix_every, updated_at) VALUES (1, 1, 10, 1, 0.1, 10, 't')",
      )
      .run()
    ws.db.prepare("INSERT INTO loop_audit_texts VALUES (4, 1, 't')").run()
    ws.db.prepare('DELETE FROM projects WHERE id = 1').run()
    expect(ws.db.prepare('SELECT COUNT(*) FROM loop_settings').pluck().get()).toBe(0)
    expect(ws.db.prepare('SELECT COUNT(*) FROM loop_audit_texts').pluck().get()).toBe(0)
    ws.close()
  })

  it('is transactional: a failure inside leaves the workspace at schema 5 with its labels', () => {
    const home = mkdtempSync(join(tmpdir(), 'cts-m006-'))
    homes.push(home)
    const v5 = openWorkspace(home, { migrations: migrations.slice(0, 5) })
    v5.db
      .prepare("INSERT INTO projects (id, name, kind, created_at) VALUES (1, 'p', 'binary', 't')")
      .run()
    v5.db.prepare("INSERT INTO labels VALUES (1, 1, 'A', 1, '#111')").run()
    v5.db
      .prepare("INSERT INTO texts (id, project_id, text, content_hash) VALUES (1, 1, 'x', 'h')")
      .run()
    v5.db.prepare('INSERT INTO annotation_labels VALUES (1, 1)').run()
    // A table the migration wants to create already exists: its CREATE fails midway.
    v5.db.exec('CREATE TABLE loop_suggestions (x INTEGER)')
    const before = snapshot(v5.db)
    v5.close()
    expect(() => openWorkspace(home, { migrations: migrations.slice(0, 6) })).toThrow(
      /could not be upgraded to schema 6 .*still at schema 5/,
    )
    const again = openWorkspace(home, { migrations: migrations.slice(0, 5) })
    expect(again.db.pragma('user_version', { simple: true })).toBe(5)
    expect(snapshot(again.db)).toEqual(before)
    expect(
      again.db.prepare("SELECT name FROM sqlite_master WHERE name = 'loop_settings'").all(),
    ).toEqual([])
    again.close()
  })
})
