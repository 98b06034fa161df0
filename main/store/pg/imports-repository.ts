// Imports on PostgreSQL: the same ImportsRepository as imports-repository.ts. Rows are staged in
// memory while the file streams in (no connection is held meanwhile); the commit copies them in
// batches into temporary tables and moves them into the project, all in ONE transaction.
import { REFERENCE_ANNOTATOR } from '../annotator-labels-repo'
import {
  importAuditDetails,
  type ImportCommit,
  type ImportsRepository,
  type ImportStage,
  type StagedRow,
} from '../imports-repository'
import { lockText, resolveText, writeAnnotatorRow } from './annotator-labels'
import { writeAuditPg } from './audit'
import { LONG_STATEMENT_MS, type PgDatabase, type PgQueryable } from './pg-database'
import { pgFindProject, pgInsertLabel, pgLabelsOf } from './projects-repository'

/** Rows per INSERT statement (column arrays through unnest) when the stage is copied to the server. */
export const STAGE_BATCH_ROWS = 500

/** An import of at least this many texts refreshes the planner's statistics afterwards. */
const ANALYZE_AFTER_ROWS = 10_000

// Temporary tables live on the transaction's connection and are dropped at its end (commit or
// rollback, also when the transaction is retried), so concurrent imports never see each other's.
const STAGE = 'cts_import_stage'
const STAGE_LABELS = 'cts_import_stage_labels'

interface Staged extends Omit<StagedRow, 'labels'> {
  seq: number
  /** Distinct label names of the row, in the order the row named them. */
  labels: string[]
}

/** Compares as SQLite's BINARY collation does: UTF-8 bytes. */
function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

class PgImportStage implements ImportStage {
  private readonly rows: Staged[] = []
  private readonly hashes = new Set<string>()

  constructor(private readonly db: PgDatabase) {}

  async addBatch(rows: StagedRow[]): Promise<number> {
    let duplicates = 0
    for (const r of rows) {
      // The first row with a text wins, as ON CONFLICT (hash) DO NOTHING in the SQLite stage.
      if (this.hashes.has(r.hash)) {
        duplicates += 1
        continue
      }
      this.hashes.add(r.hash)
      this.rows.push({ ...r, seq: this.rows.length + 1, labels: [...new Set(r.labels)] })
    }
    return duplicates
  }

  /**
   * Distinct label names in order of first appearance; names first seen on the same row in
   * UTF-8 byte order, exactly as the SQLite stage's GROUP BY name ORDER BY MIN(seq) answers.
   */
  async labelNames(): Promise<string[]> {
    const first = new Map<string, number>()
    for (const r of this.rows)
      for (const name of r.labels) if (!first.has(name)) first.set(name, r.seq)
    return [...first.entries()]
      .sort((a, b) => a[1] - b[1] || byUtf8(a[0], b[0]))
      .map(([name]) => name)
  }

  async commit(
    input: ImportCommit,
  ): Promise<{ importId: number; imported: number; duplicates: number } | 'changed'> {
    const result = await this.commitTx(input)
    if (result !== 'changed' && result.imported >= ANALYZE_AFTER_ROWS) {
      // Fresh statistics, so the next lists and counts are planned for the project's new size
      // (autovacuum would take up to a minute). Only an optimisation: the import is committed
      // already and must not be reported as failed if this does not run.
      await this.db
        .run('ANALYZE projects, labels, texts, annotation_labels, annotator_labels')
        .catch(() => undefined)
    }
    return result
  }

  private async commitTx(
    input: ImportCommit,
  ): Promise<{ importId: number; imported: number; duplicates: number } | 'changed'> {
    return this.db.tx(
      async (q) => {
        // The project's row lock serialises imports and label-set changes of one project.
        if (!(await pgFindProject(q, input.projectId, 'no key update'))) return 'changed' as const
        if ((await pgLabelsOf(q, input.projectId)).length !== input.expectedLabelCount)
          return 'changed' as const
        for (const name of input.labelsToAdd) await pgInsertLabel(q, input.projectId, name)
        const importId = (await q.row<{ id: number }>(
          `INSERT INTO imports (project_id, file_name, format, encoding, imported, duplicates, rejected, created_at)
         VALUES ($1, $2, NULL, $3, 0, 0, $4, $5) RETURNING id`,
          [
            input.projectId,
            input.fileName,
            input.encoding,
            input.rejected,
            new Date().toISOString(),
          ],
        ))!.id
        await this.copyStage(q)
        const staged = this.rows.length
        const imported = await commitInto(q, input.projectId, importId, input.annotator)
        const duplicates = input.duplicates + (staged - imported)
        await q.run('UPDATE imports SET imported = $1, duplicates = $2 WHERE id = $3', [
          imported,
          duplicates,
          importId,
        ])
        await writeAuditPg(
          q,
          input.actor,
          'import',
          input.projectId,
          importAuditDetails(input, { importId, imported, duplicates }),
        )
        if (input.deid) {
          await writeAuditPg(q, input.actor, 'deid.import', input.projectId, {
            importId,
            ...input.deid,
          })
        }
        return { importId, imported, duplicates }
      },
      { queryTimeoutMs: LONG_STATEMENT_MS },
    )
  }

  /** Creates the temporary stage tables on the transaction's connection and fills them. */
  private async copyStage(q: PgQueryable): Promise<void> {
    await q.run(
      `CREATE TEMP TABLE ${STAGE} (
         seq INTEGER PRIMARY KEY, row INTEGER NOT NULL, text TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,
         external_id TEXT, group_id TEXT, split TEXT) ON COMMIT DROP`,
    )
    await q.run(
      `CREATE TEMP TABLE ${STAGE_LABELS} (
         seq INTEGER NOT NULL, name TEXT NOT NULL, PRIMARY KEY (seq, name)) ON COMMIT DROP`,
    )
    // One statement per batch, each column one array parameter: the server parses 7 parameters
    // instead of 7 per row.
    for (let start = 0; start < this.rows.length; start += STAGE_BATCH_ROWS) {
      const batch = this.rows.slice(start, start + STAGE_BATCH_ROWS)
      await q.run(
        `INSERT INTO ${STAGE} (seq, row, text, hash, external_id, group_id, split)
         SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
        [
          batch.map((r) => r.seq),
          batch.map((r) => r.row),
          batch.map((r) => r.text),
          batch.map((r) => r.hash),
          batch.map((r) => r.externalId),
          batch.map((r) => r.groupId),
          batch.map((r) => r.split),
        ],
      )
    }
    const labels = this.rows.flatMap((r) => r.labels.map((name) => ({ seq: r.seq, name })))
    for (let start = 0; start < labels.length; start += STAGE_BATCH_ROWS) {
      const batch = labels.slice(start, start + STAGE_BATCH_ROWS)
      await q.run(
        `INSERT INTO ${STAGE_LABELS} (seq, name) SELECT * FROM unnest($1::int[], $2::text[])`,
        [batch.map((l) => l.seq), batch.map((l) => l.name)],
      )
    }
    // Temporary tables are never analysed by autovacuum: give the planner their sizes.
    await q.run(`ANALYZE ${STAGE}, ${STAGE_LABELS}`)
  }

  async drop(): Promise<void> {
    this.rows.length = 0
    this.hashes.clear()
  }
}

/**
 * Inserts the staged texts the project does not hold yet and their labels; the file's labels
 * become `annotator`'s own (see import-staging.ts commitInto, which this mirrors). Answers how
 * many texts were imported.
 */
async function commitInto(
  q: PgQueryable,
  projectId: number,
  importId: number,
  annotator?: string,
): Promise<number> {
  const who = annotator ?? REFERENCE_ANNOTATOR
  const now = new Date().toISOString()
  const { rowCount: imported } = await q.run(
    `INSERT INTO texts (project_id, text, content_hash, source_row, external_id, group_id, split, import_id)
     SELECT $1, s.text, s.hash, s.row, s.external_id, s.group_id, s.split, $2
       FROM ${STAGE} s
      WHERE NOT EXISTS (SELECT 1 FROM texts t WHERE t.project_id = $1 AND t.content_hash = s.hash)
      ORDER BY s.seq`,
    [projectId, importId],
  )
  await q.run(
    `INSERT INTO annotation_labels (text_id, label_id)
     SELECT t.id, l.id
       FROM ${STAGE_LABELS} sl
       JOIN ${STAGE} s ON s.seq = sl.seq
       JOIN texts t ON t.project_id = $1 AND t.content_hash = s.hash AND t.import_id = $2
       JOIN labels l ON l.project_id = $1 AND l.name = sl.name
      WHERE NOT EXISTS (
        SELECT 1 FROM ${STAGE_LABELS} x
         WHERE x.seq = sl.seq
           AND x.name NOT IN (SELECT name FROM labels WHERE project_id = $1))`,
    [projectId, importId],
  )
  // label_ids written as JSON.stringify writes them ([1,2], no spaces), as on SQLite.
  await q.run(
    `INSERT INTO annotator_labels (text_id, project_id, annotator, label_ids, origin, at)
     SELECT t.id, $1, $3, '[' || string_agg(al.label_id::text, ',' ORDER BY al.label_id) || ']',
            'import', $4
       FROM texts t JOIN annotation_labels al ON al.text_id = t.id
      WHERE t.import_id = $2 AND t.project_id = $1
      GROUP BY t.id`,
    [projectId, importId, who, now],
  )
  if (who !== REFERENCE_ANNOTATOR) await addToHeldTexts(q, projectId, importId, who, now)
  return imported
}

/** A named annotator's file labels on texts the project held before this import. */
async function addToHeldTexts(
  q: PgQueryable,
  projectId: number,
  importId: number,
  who: string,
  now: string,
): Promise<void> {
  const heldTexts = async () =>
    q.rows<{ textId: number; labelId: number }>(
      `SELECT t.id AS "textId", l.id AS "labelId"
         FROM ${STAGE_LABELS} sl
         JOIN ${STAGE} s ON s.seq = sl.seq
         JOIN texts t ON t.project_id = $1 AND t.content_hash = s.hash
         JOIN labels l ON l.project_id = $1 AND l.name = sl.name
        WHERE t.import_id IS DISTINCT FROM $2
          AND NOT EXISTS (SELECT 1 FROM annotator_labels x WHERE x.text_id = t.id AND x.annotator = $3)
          AND NOT EXISTS (
            SELECT 1 FROM ${STAGE_LABELS} x
             WHERE x.seq = sl.seq
               AND x.name NOT IN (SELECT name FROM labels WHERE project_id = $1))
        ORDER BY t.id, l.id`,
      [projectId, importId, who],
    )
  const candidates = new Set((await heldTexts()).map((r) => r.textId))
  // Lock the texts (in id order, as every label write locks a text first), then read again: a row
  // the annotator wrote meanwhile must not be overwritten.
  for (const textId of [...candidates].sort((a, b) => a - b)) await lockText(q, textId)
  const byText = new Map<number, number[]>()
  for (const r of await heldTexts())
    byText.set(r.textId, [...(byText.get(r.textId) ?? []), r.labelId])
  for (const [textId, labelIds] of byText) {
    await writeAnnotatorRow(q, {
      projectId,
      textId,
      annotator: who,
      labelIds,
      origin: 'import',
      at: now,
    })
    await resolveText(q, projectId, textId)
  }
}

export class PgImportsRepository implements ImportsRepository {
  constructor(private readonly db: PgDatabase) {}

  async stage(): Promise<ImportStage> {
    return new PgImportStage(this.db)
  }
}
