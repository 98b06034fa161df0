// The two backends R1's repository tests run with the same assertions: an in-memory SQLite
// workspace and a fresh database on the test PostgreSQL, each exposing the projects, texts,
// imports, textSample and queue repositories and a raw query for checks.
import { contentHash } from '../../../main/store/content-hash'
import {
  SqliteImportsRepository,
  type ImportsRepository,
  type StagedRow,
} from '../../../main/store/imports-repository'
import { PgImportsRepository } from '../../../main/store/pg/imports-repository'
import { PgProjectsRepository } from '../../../main/store/pg/projects-repository'
import { PgQueueRepository } from '../../../main/store/pg/queue-repository'
import { PgTextSampleRepository } from '../../../main/store/pg/text-sample-repository'
import { PgTextsRepository } from '../../../main/store/pg/texts-repository'
import {
  SqliteProjectsRepository,
  type ProjectsRepository,
} from '../../../main/store/projects-repository'
import { SqliteQueueRepository, type QueueRepository } from '../../../main/store/queue-repository'
import {
  SqliteTextSampleRepository,
  type TextSampleRepository,
} from '../../../main/store/text-sample-repository'
import { SqliteTextsRepository, type TextsRepository } from '../../../main/store/texts-repository'
import {
  openMigratedPg,
  openMigratedSqlite,
  pgSql,
  sqliteSql,
  type BackendName,
  type RawSql,
} from '../backends'

export { BACKENDS, freshBackendEachTest, stopOwnServer, type BackendName } from '../backends'

/** `all`/`exec`: rows of a query written with `?` placeholders (turned into $1… for PostgreSQL). */
export interface R1Backend extends RawSql {
  projects: ProjectsRepository
  texts: TextsRepository
  imports: ImportsRepository
  textSample: TextSampleRepository
  queue: QueueRepository
  close(): Promise<void>
}

function openSqlite(): R1Backend {
  const db = openMigratedSqlite()
  return {
    projects: new SqliteProjectsRepository(db),
    texts: new SqliteTextsRepository(db),
    imports: new SqliteImportsRepository(db),
    textSample: new SqliteTextSampleRepository(db),
    queue: new SqliteQueueRepository(db),
    ...sqliteSql(db),
    async close() {
      db.close()
    },
  }
}

async function openPostgres(): Promise<R1Backend> {
  const { db, close } = await openMigratedPg()
  return {
    projects: new PgProjectsRepository(db),
    texts: new PgTextsRepository(db),
    imports: new PgImportsRepository(db),
    textSample: new PgTextSampleRepository(db),
    queue: new PgQueueRepository(db),
    ...pgSql(db),
    close,
  }
}

export async function openBackend(name: BackendName): Promise<R1Backend> {
  return name === 'sqlite' ? openSqlite() : openPostgres()
}

export async function count(b: R1Backend, table: string): Promise<number> {
  const rows = await b.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)
  return Number(rows[0]!.n)
}

/** The audit log's actions and details in order. */
export async function auditTrail(b: R1Backend): Promise<{ action: string; details: unknown }[]> {
  const rows = await b.all<{ action: string; details: string }>(
    'SELECT action, details FROM audit_log ORDER BY id',
  )
  return rows.map((r) => ({ action: r.action, details: JSON.parse(r.details) as unknown }))
}

export function staged(
  row: number,
  text: string,
  labels: string[] = [],
  extra: Partial<StagedRow> = {},
): StagedRow {
  return {
    row,
    text,
    hash: contentHash(text),
    externalId: null,
    groupId: null,
    split: null,
    labels,
    ...extra,
  }
}

/** Imports `rows` into the project with every new label the file names; returns the result. */
export async function importRows(
  b: R1Backend,
  projectId: number,
  rows: StagedRow[],
  opts: { annotator?: string; actor?: string } = {},
) {
  const stage = await b.imports.stage()
  try {
    const duplicates = await stage.addBatch(rows)
    const names = await stage.labelNames()
    const existing = await b.projects.labels(projectId)
    const labelsToAdd = names.filter((n) => !existing.some((l) => l.name === n))
    return await stage.commit({
      projectId,
      expectedLabelCount: existing.length,
      labelsToAdd,
      fileName: 'notes.csv',
      encoding: 'utf-8',
      duplicates,
      rejected: 0,
      actor: opts.actor ?? 'tester',
      annotator: opts.annotator,
    })
  } finally {
    await stage.drop()
  }
}
