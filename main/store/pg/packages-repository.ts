// Annotation packages on PostgreSQL: the same PackagesRepository as SQLite — one annotator's rows
// out, and the all-or-nothing merge of a package (one transaction, the same counts and audit).
import type { PackageImportDto } from '../../../preload/contract/packages'
import { normaliseIds, REFERENCE_ANNOTATOR } from '../annotator-labels-repo'
import {
  mergeDecision,
  mergedImport,
  packageAuditDetails,
  packageRecordValues,
  recordedImport,
  toExportRow,
  type PackageExportRow,
  type PackageMergeInput,
  type PackageRecordRow,
  type PackagesRepository,
} from '../packages-repository'
import { resolveText, writeAnnotatorRow } from './annotator-labels'
import { writeAuditPg } from './audit'
import type { PgDatabase } from './pg-database'
import { pgLabelsOf } from './projects-repository'

interface StoredRow {
  text_id: number
  annotator: string
  label_ids: string
  at: string
}

export class PgPackagesRepository implements PackagesRepository {
  constructor(private readonly db: PgDatabase) {}

  async exportRows(projectId: number, annotator: string): Promise<PackageExportRow[]> {
    return this.db.tx(
      async (q) => {
        const labels = await pgLabelsOf(q, projectId)
        const rows = await q.rows<{ content_hash: string; label_ids: string; at: string }>(
          `SELECT t.content_hash, al.label_ids, al.at
             FROM annotator_labels al JOIN texts t ON t.id = al.text_id
            WHERE al.project_id = $1 AND al.annotator = $2
            ORDER BY t.id`,
          [projectId, annotator],
        )
        return rows.map((r) => toExportRow(labels, r))
      },
      { isolation: 'repeatable read' },
    )
  }

  async merge(input: PackageMergeInput): Promise<PackageImportDto> {
    return this.db.tx(async (q): Promise<PackageImportDto> => {
      // The same package imported twice at once (two clients): the second waits here and then
      // finds the first one's record, as SQLite's immediate transaction orders them.
      await q.run("SELECT pg_advisory_xact_lock(hashtext('cts.package'), hashtext($1))", [
        `${input.projectId}:${input.packageHash}`,
      ])
      const recorded = await q.row<PackageRecordRow>(
        `SELECT annotator, rows, merged, unchanged, conflicts, missing_rows
           FROM annotation_packages WHERE project_id = $1 AND package_hash = $2`,
        [input.projectId, input.packageHash],
      )
      if (recorded) return recordedImport(recorded)

      // The package's texts, locked in id order (the order every multi-text writer locks in), so
      // a label written at the same time on one of them lands before or after the merge, whole.
      const hashes = [...new Set(input.rows.map((r) => r.contentHash))]
      const texts = await q.rows<{ id: number; content_hash: string }>(
        `SELECT id, content_hash FROM texts WHERE project_id = $1 AND content_hash = ANY($2::text[])
          ORDER BY id FOR NO KEY UPDATE`,
        [input.projectId, hashes],
      )
      const textOf = new Map(texts.map((t) => [t.content_hash, t.id]))
      const own = new Map<number, { label_ids: string; at: string }>()
      const others = new Map<number, string[]>()
      const stored = await q.rows<StoredRow>(
        `SELECT text_id, annotator, label_ids, at FROM annotator_labels
          WHERE text_id = ANY($1::int[])`,
        [texts.map((t) => t.id)],
      )
      for (const r of stored) {
        if (r.annotator === input.annotator) own.set(r.text_id, r)
        // Other NAMED annotators only: the reference labels of an import are no one's opinion.
        else if (r.annotator !== REFERENCE_ANNOTATOR) {
          others.set(r.text_id, [...(others.get(r.text_id) ?? []), r.label_ids])
        }
      }

      const missing: PackageImportDto['missing'] = []
      let merged = 0
      let unchanged = 0
      let conflicts = 0
      for (const row of input.rows) {
        const textId = textOf.get(row.contentHash)
        if (textId === undefined) {
          missing.push({ row: row.line, contentHash: row.contentHash })
          continue
        }
        const labels = normaliseIds(row.labelIds)
        const decision = mergeDecision(labels, others.get(textId) ?? [], own.get(textId), row.at)
        if (decision.conflict) conflicts += 1
        if (decision.write) {
          await writeAnnotatorRow(q, {
            projectId: input.projectId,
            textId,
            annotator: input.annotator,
            labelIds: labels,
            origin: 'package',
            at: row.at,
          })
          // A later line for the same text compares with what this one wrote.
          own.set(textId, { label_ids: JSON.stringify(labels), at: row.at })
          await resolveText(q, input.projectId, textId)
          merged += 1
        } else unchanged += 1
      }
      const counts = { merged, unchanged, conflicts, missing }
      await q.run(
        `INSERT INTO annotation_packages (project_id, package_hash, annotator, file_name, rows,
           merged, unchanged, missing, conflicts, missing_rows, imported_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        packageRecordValues(input, counts),
      )
      await writeAuditPg(
        q,
        input.actor,
        'package.import',
        input.projectId,
        packageAuditDetails(input, { merged, unchanged, conflicts, missing: missing.length }),
      )
      return mergedImport(input, counts)
    })
  }
}
