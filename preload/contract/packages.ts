// Annotation packages (issue #12 point 3): one annotator's labels as JSONL, exchanged between
// installations and merged by text content hash. Never patient text: hashes, labels, names, times.
import { z } from 'zod'
import { fileRefSchema, idSchema } from './common'
import { annotatorNameSchema } from './annotators'

export interface PackageExportDto {
  rows: number
  fileName: string
  /** Desktop: where it was written. */
  path?: string
  /** Browser: the bytes. */
  contentBase64?: string
}

export interface PackageImportDto {
  annotator: string
  /** Annotation rows in the package. */
  rows: number
  /** Rows that added or changed an annotation here. */
  merged: number
  /** Rows equal to what is here already (a package imported twice changes nothing). */
  unchanged: number
  /** Rows whose label differs from another annotator's on the same text (kept as their own). */
  conflicts: number
  /** Rows whose text is not in this project, by package line (1-based). */
  missing: { row: number; contentHash: string }[]
  /** This exact package was imported before (nothing changed). */
  alreadyImported: boolean
}

export const packagesArgs = {
  'packages/export': z
    .object({
      projectId: idSchema,
      /** Default: the current profile. */
      annotator: annotatorNameSchema.optional(),
      /** Desktop: write here. Browser: omit, and the bytes come back. */
      path: z.string().min(1).optional(),
    })
    .strict(),
  'packages/import': z.object({ projectId: idSchema, file: fileRefSchema }).strict(),
}

export interface PackagesResults {
  'packages/export': PackageExportDto
  'packages/import': PackageImportDto
}
