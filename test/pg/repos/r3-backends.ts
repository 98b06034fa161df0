// The two backends R3's repository tests (audit, runs, studies, API tokens, packages) run against
// with the same assertions: an in-memory SQLite workspace and a fresh database on the test server.
import {
  SqliteApiTokensRepository,
  type ApiTokensRepository,
} from '../../../main/store/api-tokens-repository'
import { SqliteAuditRepository, type AuditRepository } from '../../../main/store/audit-repository'
import {
  SqlitePackagesRepository,
  type PackagesRepository,
} from '../../../main/store/packages-repository'
import { PgApiTokensRepository } from '../../../main/store/pg/api-tokens-repository'
import { PgAuditRepository } from '../../../main/store/pg/audit-repository'
import { PgPackagesRepository } from '../../../main/store/pg/packages-repository'
import { PgRunsRepository } from '../../../main/store/pg/runs-repository'
import { PgStudiesRepository } from '../../../main/store/pg/studies-repository'
import { SqliteRunsRepository, type RunsRepository } from '../../../main/store/runs-repository'
import {
  SqliteStudiesRepository,
  type StudiesRepository,
} from '../../../main/store/studies-repository'
import {
  openMigratedPg,
  openMigratedSqlite,
  pgSql,
  sqliteSql,
  type BackendName,
  type RawSql,
} from '../backends'

export { freshBackendEachTest, stopOwnServer, type BackendName } from '../backends'

/** `all`/`exec`: rows of a query written with `?` placeholders ($1… on PostgreSQL). */
export interface R3Backend extends RawSql {
  name: BackendName
  audit: AuditRepository
  runs: RunsRepository
  studies: StudiesRepository
  apiTokens: ApiTokensRepository
  packages: PackagesRepository
  /** The PostgreSQL database (postgres only), for more clients in the concurrency tests. */
  pgUrl?: string
  close(): Promise<void>
}

async function openSqlite(): Promise<R3Backend> {
  const db = openMigratedSqlite()
  return {
    name: 'sqlite',
    audit: new SqliteAuditRepository(db),
    runs: new SqliteRunsRepository(db),
    studies: new SqliteStudiesRepository(db),
    apiTokens: new SqliteApiTokensRepository(db),
    packages: new SqlitePackagesRepository(db),
    ...sqliteSql(db),
    async close() {
      db.close()
    },
  }
}

async function openPostgres(): Promise<R3Backend> {
  const { db, url, close } = await openMigratedPg()
  return {
    name: 'postgres',
    audit: new PgAuditRepository(db),
    runs: new PgRunsRepository(db),
    studies: new PgStudiesRepository(db),
    apiTokens: new PgApiTokensRepository(db),
    packages: new PgPackagesRepository(db),
    ...pgSql(db),
    pgUrl: url,
    close,
  }
}

export function openBackend(name: BackendName): Promise<R3Backend> {
  return name === 'sqlite' ? openSqlite() : openPostgres()
}

/**
 * Project 1 "Husten / 咳嗽" (multiclass; labels 1 ja, 2 nein, 3 不确定) with texts 11–13, project 2
 * with text 21. Explicit ids, so both backends assign the same ones.
 */
export async function seed(b: R3Backend): Promise<void> {
  const at = '2026-01-01T00:00:00.000Z'
  await b.exec(
    "INSERT INTO projects (id, name, kind, created_at) VALUES (1, 'Husten / 咳嗽', 'multiclass', ?)",
    [at],
  )
  await b.exec(
    "INSERT INTO projects (id, name, kind, created_at) VALUES (2, 'Fieber / 发热', 'binary', ?)",
    [at],
  )
  for (const [id, name, position] of [
    [1, 'ja', 0],
    [2, 'nein', 1],
    [3, '不确定', 2],
  ] as const) {
    await b.exec(
      'INSERT INTO labels (id, project_id, name, position, color) VALUES (?, 1, ?, ?, ?)',
      [id, name, position, '#336699'],
    )
  }
  for (const [id, project, text] of [
    [11, 1, 'Patient hustet seit drei Tagen.'],
    [12, 1, '咳嗽三天，无发热。'],
    [13, 1, 'Trockener Husten, kein Fieber.'],
    [21, 2, 'Fieber 39,2 °C.'],
  ] as const) {
    await b.exec('INSERT INTO texts (id, project_id, text, content_hash) VALUES (?, ?, ?, ?)', [
      id,
      project,
      text,
      `hash-${id}`,
    ])
  }
}

/** The audit log as `actor:action` in id order. */
export async function auditTrail(b: R3Backend): Promise<string[]> {
  const rows = await b.all<{ actor: string; action: string }>(
    'SELECT actor, action FROM audit_log ORDER BY id',
  )
  return rows.map((r) => `${r.actor}:${r.action}`)
}
