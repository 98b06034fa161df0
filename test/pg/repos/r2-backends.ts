// The two backends R2's repository tests run against with the same assertions: an in-memory
// SQLite workspace and a fresh database on the test PostgreSQL, each with a tiny bilingual seed.
import type Database from 'better-sqlite3'
import {
  SqliteAnnotationsRepository,
  type AnnotationsRepository,
} from '../../../main/store/annotations-repository'
import {
  SqliteAnnotatorsRepository,
  type AnnotatorsRepository,
} from '../../../main/store/annotators-repository'
import { PgAnnotationsRepository } from '../../../main/store/pg/annotations-repository'
import { PgAnnotatorsRepository } from '../../../main/store/pg/annotators-repository'
import type { PgDatabase } from '../../../main/store/pg/pg-database'
import {
  openMigratedPg,
  openMigratedSqlite,
  pgSql,
  sqliteSql,
  type BackendName,
  type RawSql,
} from '../backends'

export { freshBackendEachTest, stopOwnServer, type BackendName } from '../backends'

/** `all`/`exec`: rows of a query written with `?` placeholders (turned into $1… for PostgreSQL). */
export interface R2Backend extends RawSql {
  annotations: AnnotationsRepository
  annotators: AnnotatorsRepository
  /** The PostgreSQL database (postgres only), for extra clients in concurrency tests. */
  pgUrl?: string
  /** The raw handles, for other repositories over the same seed (R4's loop tests). */
  sqliteDb?: Database.Database
  pgDb?: PgDatabase
  close(): Promise<void>
}

async function openSqlite(): Promise<R2Backend> {
  const db = openMigratedSqlite()
  return {
    annotations: new SqliteAnnotationsRepository(db),
    annotators: new SqliteAnnotatorsRepository(db),
    sqliteDb: db,
    ...sqliteSql(db),
    async close() {
      db.close()
    },
  }
}

async function openPostgres(): Promise<R2Backend> {
  const { db, url, close } = await openMigratedPg()
  return {
    annotations: new PgAnnotationsRepository(db),
    annotators: new PgAnnotatorsRepository(db),
    ...pgSql(db),
    pgUrl: url,
    pgDb: db,
    close,
  }
}

export function openBackend(name: BackendName): Promise<R2Backend> {
  return name === 'sqlite' ? openSqlite() : openPostgres()
}

export const LABELS = { yes: 1, no: 2, unsure: 3 } as const

/**
 * Project 1 "Husten / cough" (multiclass, labels 1–3) with texts 11–14, project 2 with text 21.
 * Explicit ids, so both backends assign the same ones.
 */
export async function seed(b: R2Backend, kind: 'multiclass' | 'multilabel' = 'multiclass') {
  const at = '2026-01-01T00:00:00.000Z'
  await b.exec('INSERT INTO projects (id, name, kind, created_at) VALUES (?, ?, ?, ?)', [
    1,
    'Husten / cough',
    kind,
    at,
  ])
  await b.exec('INSERT INTO projects (id, name, kind, created_at) VALUES (?, ?, ?, ?)', [
    2,
    'Fieber / fever',
    'binary',
    at,
  ])
  for (const [id, name, position] of [
    [1, 'ja', 0],
    [2, 'nein', 1],
    [3, 'unklar / unsure', 2],
  ] as const) {
    await b.exec(
      'INSERT INTO labels (id, project_id, name, position, color) VALUES (?, 1, ?, ?, ?)',
      [id, name, position, '#336699'],
    )
  }
  await b.exec(
    "INSERT INTO labels (id, project_id, name, position, color) VALUES (4, 2, 'yes', 0, '#993333')",
  )
  const texts: [number, number, string][] = [
    [11, 1, 'Patient hustet seit drei Tagen.'],
    [12, 1, 'No cough, afebrile.'],
    [13, 1, 'Trockener Husten, kein Fieber.'],
    [14, 1, 'Productive cough since Monday.'],
    [21, 2, 'Fieber 39,2 °C.'],
  ]
  for (const [id, project, text] of texts) {
    await b.exec('INSERT INTO texts (id, project_id, text, content_hash) VALUES (?, ?, ?, ?)', [
      id,
      project,
      text,
      `hash-${id}`,
    ])
  }
}

/** The audit log's actions (and actors) in order. */
export async function auditTrail(b: R2Backend): Promise<string[]> {
  const rows = await b.all<{ actor: string; action: string }>(
    'SELECT actor, action FROM audit_log ORDER BY id',
  )
  return rows.map((r) => `${r.actor}:${r.action}`)
}
