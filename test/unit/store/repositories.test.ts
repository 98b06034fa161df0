// The SQLite repositories' atomic writes: each check-and-write answers an outcome instead of
// writing when what the caller read has changed, and then writes nothing at all.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { contentHash } from '../../../main/store/content-hash'
import type { StagedRow } from '../../../main/store/imports-repository'
import { openWorkspace, type Workspace } from '../../../main/store/workspace'

let home: string
let ws: Workspace
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'cts-repos-'))
  ws = openWorkspace(home)
})
afterEach(() => {
  ws.close()
  rmSync(home, { recursive: true, force: true })
})

const count = (table: string) =>
  (ws.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n

function row(n: number, text: string, labels: string[]): StagedRow {
  return {
    row: n,
    text,
    hash: contentHash(text),
    externalId: null,
    groupId: null,
    split: null,
    labels,
  }
}

describe('SQLite repositories', () => {
  it('answers name-taken, unchanged and not-found without writing', async () => {
    const { projects } = ws.repos
    const a = await projects.create({ name: 'A', kind: 'binary', labels: ['x', 'y'], actor: 't' })
    expect(a).toEqual({ projectId: 1 })
    expect(await projects.create({ name: 'A', kind: 'multiclass', labels: [], actor: 't' })).toBe(
      'name-taken',
    )
    expect(await projects.rename({ projectId: 1, name: 'A', actor: 't' })).toBe('unchanged')
    expect(await projects.rename({ projectId: 9, name: 'B', actor: 't' })).toBe('not-found')
    expect(count('projects')).toBe(1)
    expect(count('labels')).toBe(2)
    expect(count('audit_log')).toBe(1)
  })

  it('adds a label or deletes a project only if what the caller read still holds', async () => {
    const { projects } = ws.repos
    await projects.create({ name: 'A', kind: 'multilabel', labels: ['x'], actor: 't' })
    const stale = { projectId: 1, name: 'y', expectedCount: 0, actor: 't' }
    expect(await projects.addLabel(stale)).toBe('changed')
    expect(await projects.addLabel({ ...stale, name: 'x', expectedCount: 1 })).toBe('changed')
    expect(await projects.addLabel({ ...stale, expectedCount: 1 })).toEqual({ labelId: 2 })
    expect(await projects.delete({ projectId: 1, name: 'B', actor: 't' })).toBe('changed')
    expect(count('projects')).toBe(1)
    expect(await projects.delete({ projectId: 1, name: 'A', actor: 't' })).toBe('deleted')
    expect(count('projects')).toBe(0)
    const actions = ws.db.prepare('SELECT action, details FROM audit_log ORDER BY id').all()
    expect(actions).toEqual([
      { action: 'project.create', details: '{"name":"A","kind":"multilabel","labels":["x"]}' },
      { action: 'label.add', details: '{"labelId":2,"name":"y"}' },
      { action: 'project.delete', details: '{"name":"A","texts":0}' },
    ])
  })

  it('commits an import only onto the label set it was decided for, else changes nothing', async () => {
    const { projects, imports, texts } = ws.repos
    await projects.create({ name: 'A', kind: 'multilabel', labels: ['x'], actor: 't' })
    const stage = await imports.stage()
    try {
      expect(
        await stage.addBatch([row(2, 'one', ['x']), row(3, 'two', ['new']), row(4, 'one', [])]),
      ).toBe(1)
      expect(await stage.labelNames()).toEqual(['x', 'new'])
      const commit = {
        projectId: 1,
        expectedLabelCount: 0,
        labelsToAdd: ['new'],
        fileName: 'f.csv',
        encoding: null,
        duplicates: 1,
        rejected: 0,
        actor: 't',
      }
      expect(await stage.commit(commit)).toBe('changed')
      expect([count('texts'), count('imports'), count('labels'), count('audit_log')]).toEqual([
        0, 0, 1, 1,
      ])
      expect(await stage.commit({ ...commit, expectedLabelCount: 1 })).toEqual({
        importId: 1,
        imported: 2,
        duplicates: 1,
      })
    } finally {
      await stage.drop()
    }
    const listed = await texts.list(1, {}, 0, 10)
    expect(listed.rows.map((r) => [r.text, r.labelIds])).toEqual([
      ['one', [1]],
      ['two', [2]],
    ])
    expect(ws.db.prepare('SELECT name FROM sqlite_temp_master').all()).toEqual([])
  })

  it('writes labels only for a text still in the given project', async () => {
    const { projects, annotations } = ws.repos
    await projects.create({ name: 'A', kind: 'binary', labels: ['x', 'y'], actor: 't' })
    ws.db
      .prepare("INSERT INTO texts (project_id, text, content_hash) VALUES (1, 'note', 'h')")
      .run()
    const set = { projectId: 2, textId: 1, labelIds: [1], annotator: 'dr' }
    expect(await annotations.set(set)).toBeUndefined()
    expect(await annotations.skip({ projectId: 2, textId: 1, actor: 'dr' })).toBe(false)
    expect(await annotations.set({ ...set, projectId: 1 })).toEqual({
      textId: 1,
      labelIds: [1],
      revision: 1,
    })
    expect(
      await annotations.step({ projectId: 1, action: 'undo', actor: 'dr', annotator: 'dr' }),
    ).toEqual({
      textId: 1,
      labelIds: [],
      revision: 2,
    })
    expect(count('annotation_labels')).toBe(0)
  })
})
