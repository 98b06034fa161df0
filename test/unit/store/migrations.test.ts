// Workspace opening and numbered migrations: fresh files, re-opens, failures and newer files.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CtsError } from '../../../preload/contract/common'
import type { Migration } from '../../../main/store/migrate'
import { migrations } from '../../../main/store/migrations/index'
import { openWorkspace, WORKSPACE_FILE } from '../../../main/store/workspace'

let home: string
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'cts-mig-'))
})
afterEach(() => rmSync(home, { recursive: true, force: true }))

const tableNames = (db: Database.Database) =>
  (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string
    }[]
  ).map((r) => r.name)

const m1: Migration = {
  version: 1,
  name: 'notes',
  up: (db) => db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)'),
}
const m2Failing: Migration = {
  version: 2,
  name: 'broken',
  up: (db) => {
    db.exec('CREATE TABLE half_done (id INTEGER PRIMARY KEY)')
    db.exec("UPDATE notes SET body = 'overwritten'")
    db.exec('ALTER TABLE no_such_table ADD COLUMN x TEXT')
  },
}
const m3: Migration = {
  version: 3,
  name: 'later',
  up: (db) => db.exec('CREATE TABLE later (id INTEGER)'),
}

describe('openWorkspace', () => {
  it('creates <home>/workspace.sqlite at the latest schema with WAL, foreign keys and synchronous=FULL', () => {
    const ws = openWorkspace(home)
    expect(ws.file).toBe(join(home, WORKSPACE_FILE))
    expect(ws.runsDir).toBe(join(home, 'runs'))
    expect(ws.migration).toEqual({
      from: 0,
      to: migrations.length,
      applied: migrations.map((m) => `${String(m.version).padStart(3, '0')}-${m.name}`),
    })
    expect(ws.migration.applied[0]).toBe('001-workspace')
    expect(ws.db.pragma('user_version', { simple: true })).toBe(migrations.length)
    expect(ws.db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(ws.db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(ws.db.pragma('synchronous', { simple: true })).toBe(2)
    expect(tableNames(ws.db)).toEqual(
      expect.arrayContaining([
        'annotation_history',
        'annotation_labels',
        'annotations',
        'audit_log',
        'imports',
        'labels',
        'projects',
        'texts',
      ]),
    )
    ws.close()
  })

  it('re-opening an up-to-date workspace applies nothing and keeps the data', () => {
    const first = openWorkspace(home)
    first.db
      .prepare("INSERT INTO projects (name, kind, created_at) VALUES ('p', 'binary', 'now')")
      .run()
    first.close()
    const again = openWorkspace(home)
    expect(again.migration).toEqual({ from: migrations.length, to: migrations.length, applied: [] })
    expect(again.db.prepare('SELECT name FROM projects').all()).toEqual([{ name: 'p' }])
    again.close()
  })

  it('a failing migration leaves user_version and the data exactly as before and says which step failed', () => {
    const ws = openWorkspace(home, { migrations: [m1] })
    ws.db.prepare('INSERT INTO notes (body) VALUES (?), (?)').run('first', '第二')
    ws.close()

    let thrown: unknown
    try {
      openWorkspace(home, { migrations: [m1, m2Failing, m3] })
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(CtsError)
    expect((thrown as CtsError).code).toBe('internal')
    expect((thrown as CtsError).message).toMatch(
      /^The workspace could not be upgraded to schema 2 \(broken\): no such table: no_such_table\. .*still at schema 1\.$/,
    )

    const raw = new Database(join(home, WORKSPACE_FILE))
    expect(raw.pragma('user_version', { simple: true })).toBe(1)
    expect(tableNames(raw)).toEqual(['notes'])
    expect(raw.prepare('SELECT id, body FROM notes ORDER BY id').all()).toEqual([
      { id: 1, body: 'first' },
      { id: 2, body: '第二' },
    ])
    raw.close()
  })

  it('a failure mid-sequence on a new file keeps the steps before it', () => {
    expect(() => openWorkspace(home, { migrations: [m1, m2Failing, m3] })).toThrow(
      /schema 2 \(broken\)/,
    )
    const raw = new Database(join(home, WORKSPACE_FILE))
    expect(raw.pragma('user_version', { simple: true })).toBe(1)
    expect(tableNames(raw)).toEqual(['notes'])
    raw.close()
  })

  it('refuses a workspace written by a newer version and leaves it untouched', () => {
    const raw = new Database(join(home, WORKSPACE_FILE))
    raw.exec('CREATE TABLE future (x INTEGER)')
    raw.pragma(`user_version = ${migrations.length + 1}`)
    raw.close()
    let thrown: unknown
    try {
      openWorkspace(home)
    } catch (err) {
      thrown = err
    }
    expect((thrown as CtsError).code).toBe('unsupported')
    expect((thrown as CtsError).message).toContain(
      `schema ${migrations.length + 1}; this version knows up to ${migrations.length}`,
    )
    const after = new Database(join(home, WORKSPACE_FILE))
    expect(after.pragma('user_version', { simple: true })).toBe(migrations.length + 1)
    expect(tableNames(after)).toEqual(['future'])
    after.close()
  })

  it('rejects a migration list whose numbers are not 1, 2, 3 …', () => {
    expect(() => openWorkspace(home, { migrations: [m1, m3] })).toThrow(
      /"later" is number 3, expected 2/,
    )
  })
})
