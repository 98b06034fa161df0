// One list of migrations, two backends: every migration applies to a fresh PostgreSQL database,
// and the tables, columns (in order), NOT NULL flags, types and indexes match SQLite's.
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate, type Migration } from '../../main/store/migrate'
import { migrations } from '../../main/store/migrations/index'
import { migratePg, pgSchemaVersion } from '../../main/store/pg/migrate-pg'
import { openPgDatabase, type PgDatabase } from '../../main/store/pg/pg-database'
import { createTestDatabase } from './pg-server'

interface Column {
  name: string
  type: string
  notNull: boolean
}

// SQLite's declared type → what the translation makes of it in PostgreSQL.
const PG_TYPE: Record<string, string> = {
  INTEGER: 'integer',
  TEXT: 'text',
  REAL: 'double precision',
  BLOB: 'bytea',
}

function sqliteSchema(): { tables: Record<string, Column[]>; indexes: string[] } {
  const db = new Database(':memory:')
  migrate(db, migrations)
  const names = (
    db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as { name: string }[]
  ).map((r) => r.name)
  const tables: Record<string, Column[]> = {}
  for (const name of names) {
    const cols = db.pragma(`table_info(${name})`) as {
      name: string
      type: string
      notnull: number
      pk: number
    }[]
    // A primary-key column never holds NULL in practice; PostgreSQL makes that NOT NULL explicit.
    tables[name] = cols.map((c) => ({
      name: c.name,
      type: PG_TYPE[c.type] ?? c.type,
      notNull: c.notnull === 1 || c.pk > 0,
    }))
  }
  const indexes = (
    db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as { name: string }[]
  ).map((r) => r.name)
  db.close()
  return { tables, indexes }
}

async function pgSchema(
  db: PgDatabase,
): Promise<{ tables: Record<string, Column[]>; indexes: string[] }> {
  const rows = await db.rows<{
    table_name: string
    column_name: string
    data_type: string
    is_nullable: string
  }>(
    `SELECT table_name, column_name, data_type, is_nullable
       FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name <> 'cts_schema_version'
      ORDER BY table_name, ordinal_position`,
  )
  const tables: Record<string, Column[]> = {}
  for (const r of rows) {
    ;(tables[r.table_name] ??= []).push({
      name: r.column_name,
      type: r.data_type,
      notNull: r.is_nullable === 'NO',
    })
  }
  // Indexes PostgreSQL creates for PRIMARY KEY / UNIQUE are SQLite's sqlite_autoindex_*: left out.
  const indexes = (
    await db.rows<{ indexname: string }>(
      `SELECT i.indexname FROM pg_indexes i
        WHERE i.schemaname = 'public'
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        ORDER BY i.indexname COLLATE "C"`,
    )
  ).map((r) => r.indexname)
  return { tables, indexes }
}

describe('migratePg', () => {
  let drop: () => Promise<void>
  let db: PgDatabase
  beforeAll(async () => {
    const d = await createTestDatabase()
    drop = d.drop
    db = await openPgDatabase(d.url)
  })
  afterAll(async () => {
    await db?.close()
    await drop?.()
  })

  it('applies all migrations to a fresh database and records each version', async () => {
    const outcome = await migratePg(db, migrations)
    expect(outcome).toEqual({
      from: 0,
      to: migrations.length,
      applied: migrations.map((m) => `${String(m.version).padStart(3, '0')}-${m.name}`),
    })
    expect(migrations.length).toBe(12)
    const versions = await db.rows<{ version: number; name: string }>(
      'SELECT version, name FROM cts_schema_version ORDER BY version',
    )
    expect(versions).toEqual(migrations.map((m) => ({ version: m.version, name: m.name })))
  })

  it('produces the same tables, columns in order, types, NOT NULL flags and indexes as SQLite', async () => {
    const lite = sqliteSchema()
    const pg = await pgSchema(db)
    expect(Object.keys(pg.tables).sort()).toEqual(Object.keys(lite.tables).sort())
    expect(Object.keys(lite.tables)).toHaveLength(27)
    for (const table of Object.keys(lite.tables)) {
      expect({ table, columns: pg.tables[table] }).toEqual({ table, columns: lite.tables[table] })
    }
    expect([...pg.indexes].sort()).toEqual([...lite.indexes].sort())
  })

  it('assigns ids itself, keeps CHECKs (005 allows ensembles) and cascades like SQLite', async () => {
    const p = await db.row<{ id: number }>(
      "INSERT INTO projects (name, kind, created_at) VALUES ('Sepsis 败血症', 'binary', 'now') RETURNING id",
    )
    expect(p).toEqual({ id: 1 })
    const insertRun = (kind: string) =>
      db.row<{ id: number }>(
        `INSERT INTO runs (project_id, model_kind, base_model, config_json, labels_json, data_hash, seed, status, created_at)
         VALUES ($1, $2, 'm', '{}', '[]', 'h', 7, 'running', 'now') RETURNING id`,
        [p!.id, kind],
      )
    expect(await insertRun('ensemble')).toEqual({ id: 1 })
    await expect(insertRun('svm')).rejects.toMatchObject({
      sqlState: '23514',
      constraint: 'runs_model_kind_check',
    })
    await db.run(
      "INSERT INTO texts (project_id, text, content_hash) VALUES ($1, 'fièvre 发热', 'h1')",
      [p!.id],
    )
    await db.run('DELETE FROM projects WHERE id = $1', [p!.id])
    expect(await db.rows('SELECT id FROM texts')).toEqual([])
    expect(await db.rows('SELECT id, project_id FROM runs')).toEqual([{ id: 1, project_id: null }])
  })

  it('applies nothing to an up-to-date database', async () => {
    const latest = migrations.length
    expect(await migratePg(db, migrations)).toEqual({ from: latest, to: latest, applied: [] })
  })

  it('refuses a database written by a newer version, with the same words as SQLite', async () => {
    const future = migrations.length + 1
    await db.run(
      "INSERT INTO cts_schema_version (version, name, applied_at) VALUES ($1, 'future', 'now')",
      [future],
    )
    await expect(migratePg(db, migrations)).rejects.toMatchObject({
      code: 'unsupported',
      message: `This workspace was saved by a newer version of Clinical Text Studio (schema ${future}; this version knows up to ${future - 1}). Update the app to open it; the workspace was not changed.`,
    })
    await db.run('DELETE FROM cts_schema_version WHERE version = $1', [future])
  })
})

describe('migratePg on a failing or contended migration', () => {
  it('stops at a failing migration with everything before it committed and nothing of it', async () => {
    const d = await createTestDatabase()
    const db = await openPgDatabase(d.url)
    try {
      const list: Migration[] = [
        {
          version: 1,
          name: 'notes',
          sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);',
        },
        {
          version: 2,
          name: 'broken',
          sql: 'CREATE TABLE half_done (id INTEGER PRIMARY KEY); ALTER TABLE no_such_table ADD COLUMN x TEXT;',
        },
      ]
      await expect(migratePg(db, list)).rejects.toMatchObject({
        code: 'internal',
        message:
          'The workspace could not be upgraded to schema 2 (broken): The team workspace database refused a statement (SQLSTATE 42P01). Nothing was changed by this step; the workspace is still at schema 1.',
      })
      expect(await pgSchemaVersion(db)).toBe(1)
      expect(await db.row("SELECT to_regclass('half_done')::text AS t")).toEqual({ t: null })
      expect(await db.row("SELECT to_regclass('notes')::text AS t")).toEqual({ t: 'notes' })
    } finally {
      await db.close()
      await d.drop()
    }
  })

  it('applies each migration once when three clients open a new database at the same time', async () => {
    const d = await createTestDatabase()
    const dbs = await Promise.all([1, 2, 3].map(() => openPgDatabase(d.url, { max: 2 })))
    try {
      const outcomes = await Promise.all(dbs.map((x) => migratePg(x, migrations)))
      const latest = migrations.length
      expect(outcomes.map((o) => o.to)).toEqual([latest, latest, latest])
      const all = outcomes.flatMap((o) => o.applied).sort()
      expect(all).toEqual(migrations.map((m) => `${String(m.version).padStart(3, '0')}-${m.name}`))
      expect(await dbs[0]!.row('SELECT COUNT(*)::int AS n FROM cts_schema_version')).toEqual({
        n: latest,
      })
    } finally {
      await Promise.all(dbs.map((x) => x.close()))
      await d.drop()
    }
  })
})
