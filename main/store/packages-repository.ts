// Annotation packages (issue #12 point 3) behind an async interface: one annotator's own rows for
// export, and the all-or-nothing merge of another installation's package by text content hash.
import type { Database } from 'better-sqlite3'
import type { PackageImportDto } from '../../preload/contract/packages'
import type { LabelDto } from '../../preload/contract/projects'
import {
  normaliseIds,
  REFERENCE_ANNOTATOR,
  resolveText,
  sameIds,
  writeAnnotatorRow,
} from './annotator-labels-repo'
import { writeAudit } from './audit'
import { labelsOf } from './projects-repo'

/** One of an annotator's own annotations, as a package carries it. */
export interface PackageExportRow {
  contentHash: string
  /** Label names in the project's label order; [] = they cleared the text. */
  labelNames: string[]
  /** When the annotator last changed it (ISO). */
  at: string
}

/** A package row matched to this project's labels; `line` is its 1-based line in the file. */
export interface PackageMergeRow {
  line: number
  contentHash: string
  labelIds: number[]
  at: string
}

export interface PackageMergeInput {
  projectId: number
  /** sha256 of the package file's bytes: the same bytes merge once. */
  packageHash: string
  annotator: string
  fileName: string
  rows: readonly PackageMergeRow[]
  /** Who imported it (the audit entry). */
  actor: string
}

export interface PackagesRepository {
  /** The annotator's own rows in the project, in text id order, labels by name. */
  exportRows(projectId: number, annotator: string): Promise<PackageExportRow[]>
  /**
   * Merges a package's rows into the annotator's own rows (origin 'package') in one transaction,
   * re-resolves the gold label of each text it changes, records the package and audits it. A
   * package already recorded for the project changes nothing (alreadyImported, its recorded counts).
   */
  merge(input: PackageMergeInput): Promise<PackageImportDto>
}

export interface PackageRecordRow {
  annotator: string
  rows: number
  merged: number
  unchanged: number
  conflicts: number
  missing_rows: string
}

/** One stored row of the annotator's as a package carries it: labels by name, in label order. */
export function toExportRow(
  labels: readonly LabelDto[],
  r: { content_hash: string; label_ids: string; at: string },
): PackageExportRow {
  const ids = new Set(JSON.parse(r.label_ids) as number[])
  return {
    contentHash: r.content_hash,
    labelNames: labels.filter((l) => ids.has(l.id)).map((l) => l.name),
    at: r.at,
  }
}

/** What an import recorded for the project reports again (nothing merged a second time). */
export function recordedImport(r: PackageRecordRow): PackageImportDto {
  return {
    annotator: r.annotator,
    rows: r.rows,
    merged: r.merged,
    unchanged: r.unchanged,
    conflicts: r.conflicts,
    missing: JSON.parse(r.missing_rows) as PackageImportDto['missing'],
    alreadyImported: true,
  }
}

/**
 * One package row against the text's stored rows: whether it disagrees with another named
 * annotator, and whether it replaces the annotator's own row (absent, or older and different).
 */
export function mergeDecision(
  labels: readonly number[],
  othersJson: readonly string[],
  own: { label_ids: string; at: string } | undefined,
  rowAt: string,
): { conflict: boolean; write: boolean } {
  // A cleared row ([]) takes no side, as in the gold-label vote.
  const others = othersJson
    .map((json) => JSON.parse(json) as number[])
    .filter((ids) => ids.length > 0)
  const conflict = labels.length > 0 && others.some((ids) => !sameIds(normaliseIds(ids), labels))
  if (own && sameIds(normaliseIds(JSON.parse(own.label_ids) as number[]), labels)) {
    return { conflict, write: false }
  }
  // Ours is as new or newer: the later decision stands.
  return { conflict, write: !own || Date.parse(own.at) < Date.parse(rowAt) }
}

/** What a merge that ran counted (the record, the audit entry and the answer carry them). */
export interface PackageMergeCounts {
  merged: number
  unchanged: number
  conflicts: number
  missing: PackageImportDto['missing']
}

/** The annotation_packages row's values in column order (project_id … imported_at). */
export function packageRecordValues(input: PackageMergeInput, c: PackageMergeCounts): unknown[] {
  return [
    input.projectId,
    input.packageHash,
    input.annotator,
    input.fileName,
    input.rows.length,
    c.merged,
    c.unchanged,
    c.missing.length,
    c.conflicts,
    JSON.stringify(c.missing),
    new Date().toISOString(),
  ]
}

/** What a merge that ran reports (alreadyImported false). */
export function mergedImport(input: PackageMergeInput, c: PackageMergeCounts): PackageImportDto {
  return {
    annotator: input.annotator,
    rows: input.rows.length,
    merged: c.merged,
    unchanged: c.unchanged,
    conflicts: c.conflicts,
    missing: c.missing,
    alreadyImported: false,
  }
}

/** The 'package.import' audit entry's details. */
export function packageAuditDetails(
  input: PackageMergeInput,
  counts: { merged: number; unchanged: number; conflicts: number; missing: number },
): Record<string, unknown> {
  return {
    annotator: input.annotator,
    fileName: input.fileName,
    packageHash: input.packageHash,
    rows: input.rows.length,
    ...counts,
  }
}

export class SqlitePackagesRepository implements PackagesRepository {
  constructor(private readonly db: Database) {}

  async exportRows(projectId: number, annotator: string): Promise<PackageExportRow[]> {
    return this.db.transaction(() => {
      const labels = labelsOf(this.db, projectId)
      const rows = this.db
        .prepare(
          `SELECT t.content_hash, al.label_ids, al.at
             FROM annotator_labels al JOIN texts t ON t.id = al.text_id
            WHERE al.project_id = ? AND al.annotator = ?
            ORDER BY t.id`,
        )
        .all(projectId, annotator) as { content_hash: string; label_ids: string; at: string }[]
      return rows.map((r) => toExportRow(labels, r))
    })()
  }

  async merge(input: PackageMergeInput): Promise<PackageImportDto> {
    const db = this.db
    return db
      .transaction((): PackageImportDto => {
        const recorded = db
          .prepare(
            `SELECT annotator, rows, merged, unchanged, conflicts, missing_rows
               FROM annotation_packages WHERE project_id = ? AND package_hash = ?`,
          )
          .get(input.projectId, input.packageHash) as PackageRecordRow | undefined
        if (recorded) return recordedImport(recorded)
        const findText = db.prepare(
          'SELECT id FROM texts WHERE project_id = ? AND content_hash = ?',
        )
        const ownRow = db.prepare(
          'SELECT label_ids, at FROM annotator_labels WHERE text_id = ? AND annotator = ?',
        )
        // Other NAMED annotators only: the reference labels of an import are no one's opinion.
        const otherRows = db
          .prepare(
            'SELECT label_ids FROM annotator_labels WHERE text_id = ? AND annotator NOT IN (?, ?)',
          )
          .pluck()
        const missing: PackageImportDto['missing'] = []
        let merged = 0
        let unchanged = 0
        let conflicts = 0
        for (const row of input.rows) {
          const text = findText.get(input.projectId, row.contentHash) as { id: number } | undefined
          if (!text) {
            missing.push({ row: row.line, contentHash: row.contentHash })
            continue
          }
          const labels = normaliseIds(row.labelIds)
          const decision = mergeDecision(
            labels,
            otherRows.all(text.id, REFERENCE_ANNOTATOR, input.annotator) as string[],
            ownRow.get(text.id, input.annotator) as { label_ids: string; at: string } | undefined,
            row.at,
          )
          if (decision.conflict) conflicts += 1
          if (decision.write) {
            writeAnnotatorRow(db, {
              projectId: input.projectId,
              textId: text.id,
              annotator: input.annotator,
              labelIds: labels,
              origin: 'package',
              at: row.at,
            })
            resolveText(db, input.projectId, text.id)
            merged += 1
          } else unchanged += 1
        }
        const counts = { merged, unchanged, conflicts, missing }
        db.prepare(
          `INSERT INTO annotation_packages (project_id, package_hash, annotator, file_name, rows,
             merged, unchanged, missing, conflicts, missing_rows, imported_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(...packageRecordValues(input, counts))
        writeAudit(
          db,
          input.actor,
          'package.import',
          input.projectId,
          packageAuditDetails(input, { merged, unchanged, conflicts, missing: missing.length }),
        )
        return mergedImport(input, counts)
      })
      .immediate()
  }
}
