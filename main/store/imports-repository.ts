// Imports behind an async interface: a stage that rows stream into while the file is read, and the
// one-transaction commit that moves it into the project (all or nothing), with its audit entry.
import type { Database } from 'better-sqlite3'
import { writeAudit } from './audit'
import { ImportStaging, type StagedRow } from './import-staging'
import { findProject, insertLabel, labelsOf } from './projects-repo'

export type { StagedRow }

export interface ImportCommit {
  projectId: number
  /** The number of labels the project had when `labelsToAdd` was decided. */
  expectedLabelCount: number
  /** Label names from the file that join the project's label set, in order. */
  labelsToAdd: string[]
  fileName: string
  encoding: string | null
  /** Rows that repeated a text already staged from this file. */
  duplicates: number
  rejected: number
  actor: string
  /**
   * Who made the file's labels (issue #12): they become this annotator's own labels. Undefined:
   * reference labels, made by nobody named (they never count in agreement).
   */
  annotator?: string
  /** De-identified import (issue #15): the 'deid.import' entry's details (counts, never text). */
  deid?: Record<string, unknown>
}

/** The 'import' audit entry's details (the annotator only when the file was theirs). */
export function importAuditDetails(
  input: ImportCommit,
  result: { importId: number; imported: number; duplicates: number },
): Record<string, unknown> {
  return {
    importId: result.importId,
    fileName: input.fileName,
    imported: result.imported,
    duplicates: result.duplicates,
    rejected: input.rejected,
    labelsAdded: input.labelsToAdd,
    ...(input.annotator !== undefined ? { annotator: input.annotator } : {}),
  }
}

export interface ImportStage {
  /** Stages rows; returns how many repeated a text already staged from this file. */
  addBatch(rows: StagedRow[]): Promise<number>
  /** Distinct staged label names in order of first appearance. */
  labelNames(): Promise<string[]>
  /**
   * In one transaction: adds `labelsToAdd`, inserts the staged texts the project does not hold
   * yet with their labels, records the import and audits it. 'changed' (nothing written) when
   * the project was deleted or its label set changed since `expectedLabelCount` was read.
   * `duplicates` in the result also counts staged texts the project already held.
   */
  commit(
    input: ImportCommit,
  ): Promise<{ importId: number; imported: number; duplicates: number } | 'changed'>
  /** Frees the stage; safe to call more than once and after the workspace closed. */
  drop(): Promise<void>
}

export interface ImportsRepository {
  /** A fresh, empty stage. */
  stage(): Promise<ImportStage>
}

class SqliteImportStage implements ImportStage {
  constructor(
    private readonly db: Database,
    private readonly staging: ImportStaging,
  ) {}

  async addBatch(rows: StagedRow[]): Promise<number> {
    return this.staging.addBatch(rows)
  }

  async labelNames(): Promise<string[]> {
    return this.staging.labelNames()
  }

  async commit(
    input: ImportCommit,
  ): Promise<{ importId: number; imported: number; duplicates: number } | 'changed'> {
    const db = this.db
    return db
      .transaction(() => {
        if (!findProject(db, input.projectId)) return 'changed' as const
        if (labelsOf(db, input.projectId).length !== input.expectedLabelCount)
          return 'changed' as const
        for (const name of input.labelsToAdd) insertLabel(db, input.projectId, name)
        const importId = Number(
          db
            .prepare(
              `INSERT INTO imports (project_id, file_name, format, encoding, imported, duplicates, rejected, created_at)
               VALUES (?, ?, NULL, ?, 0, 0, ?, ?)`,
            )
            .run(
              input.projectId,
              input.fileName,
              input.encoding,
              input.rejected,
              new Date().toISOString(),
            ).lastInsertRowid,
        )
        const staged = this.staging.stagedCount()
        const { imported } = this.staging.commitInto(input.projectId, importId, input.annotator)
        const duplicates = input.duplicates + (staged - imported)
        db.prepare('UPDATE imports SET imported = ?, duplicates = ? WHERE id = ?').run(
          imported,
          duplicates,
          importId,
        )
        writeAudit(
          db,
          input.actor,
          'import',
          input.projectId,
          importAuditDetails(input, { importId, imported, duplicates }),
        )
        if (input.deid) {
          writeAudit(db, input.actor, 'deid.import', input.projectId, { importId, ...input.deid })
        }
        return { importId, imported, duplicates }
      })
      .immediate()
  }

  async drop(): Promise<void> {
    this.staging.drop()
  }
}

export class SqliteImportsRepository implements ImportsRepository {
  constructor(private readonly db: Database) {}

  async stage(): Promise<ImportStage> {
    return new SqliteImportStage(this.db, new ImportStaging(this.db))
  }
}
