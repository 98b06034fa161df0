// Importing files into a project: preview, column mapping, import, and the text table.
import { z } from 'zod'
import { fileRefSchema, idSchema } from './common'
import { queueOrderSchema, type NextReasonDto } from './loop'
import { annotatorNameSchema } from './annotators'
import { deidOptionsSchema, type PhiType } from './deid'

export type ImportFormat = 'csv' | 'tsv' | 'xlsx' | 'jsonl' | 'json' | 'txt'

export const columnMappingSchema = z
  .object({
    text: z.string().min(1),
    label: z.string().optional(),
    id: z.string().optional(),
    group: z.string().optional(),
    /** A column saying which split each text belongs to (train / dev / test, EN or ZH). */
    split: z.string().optional(),
  })
  .strict()
export type ColumnMapping = z.infer<typeof columnMappingSchema>

export interface ImportPreviewDto {
  format: ImportFormat
  /** Encoding used for this preview (detected unless overridden). */
  encoding: string
  detectedEncoding: string
  delimiter?: string
  sheets?: string[]
  sheet?: string
  columns: string[]
  /** First rows as strings, for the mapping preview. */
  rows: string[][]
  suggestedMapping: ColumnMapping
  /** Distinct values of the suggested label column, offered for the label set. */
  labelsFound: string[]
}

export interface RejectedRowDto {
  /** 1-based row number as the user sees it in the file (header = row 1 for tabular files). */
  row: number
  reason: string
}

export interface ImportResultDto {
  imported: number
  duplicates: number
  rejected: number
  rejectedRows: RejectedRowDto[]
  /** Labels that were in the file and were added to the project's label set. */
  labelsAdded: string[]
  /** Labels in the file that are not in the label set and were not added (left unlabelled). */
  labelsUnknown: string[]
  /** Only for a de-identified import: texts read, texts with PHI, spans masked per kind. */
  deid?: { texts: number; textsWithPhi: number; counts: Record<PhiType, number> }
}

export interface TextRowDto {
  id: number
  text: string
  sourceRow: number | null
  externalId: string | null
  groupId: string | null
  labelIds: number[]
  split: TextSplit | null
  /**
   * Only when listed for an annotator in a project with a team: true on overlap texts while the
   * project blinds (labelIds are then the annotator's own only, and no suggestion is shown).
   */
  blinded?: boolean
  /** Only when listed for an annotator: whether labelIds are that annotator's own labels. */
  own?: boolean
}

/** The split a text was assigned in its imported file (training's 'explicit' split uses it). */
export type TextSplit = 'train' | 'dev' | 'test'

/** How many of a project's texts are in each imported split; `none` have no split. */
export interface SplitCountsDto {
  train: number
  dev: number
  test: number
  none: number
}

/** One text of the labelling queue and why it is there. */
export interface QueuedTextDto {
  textId: number
  reason: NextReasonDto
}

/** Most texts one `texts/next` call previews (`cts next --n`). */
export const MAX_NEXT_PREVIEW = 500

const importOptions = {
  projectId: idSchema,
  file: fileRefSchema,
  encoding: z.string().optional(),
  sheet: z.string().optional(),
}

export const datasetsArgs = {
  'datasets/preview': z.object(importOptions).strict(),
  'datasets/import': z
    .object({
      ...importOptions,
      mapping: columnMappingSchema,
      /** Add labels found in the file to the label set (default true). */
      addLabels: z.boolean().optional(),
      /** Record the file's labels as this annotator's (default: reference labels, made by nobody named). */
      annotator: annotatorNameSchema.optional(),
      /**
       * De-identify (issue #15): texts are masked before they are stored, so the stored text, its
       * content hash and duplicate detection are all of the masked text.
       */
      deidentify: deidOptionsSchema.optional(),
    })
    .strict(),
  'texts/list': z
    .object({
      projectId: idSchema,
      offset: z.number().int().min(0),
      limit: z.number().int().min(1).max(1000),
      search: z.string().max(500).optional(),
      labelId: idSchema.optional(),
      unlabelled: z.boolean().optional(),
      /** Labels as this annotator sees them: their own, blinded on overlap texts (see TextRowDto). */
      annotator: annotatorNameSchema.optional(),
    })
    .strict(),
  'texts/get': z.object({ textId: idSchema, annotator: annotatorNameSchema.optional() }).strict(),
  /** Labelled texts per imported split (what training's 'explicit' split would use). */
  'texts/splits': z.object({ projectId: idSchema }).strict(),
  /**
   * The id of the next text to label after `afterTextId` (unlabelled first), or null. `order`
   * picks the queue (default 'sequential': id order, as before); `n` > 1 also returns the first n
   * texts of the queue (a preview: `cts next --n`).
   */
  'texts/next': z
    .object({
      projectId: idSchema,
      afterTextId: idSchema.optional(),
      unlabelledOnly: z.boolean().optional(),
      order: queueOrderSchema.optional(),
      n: z.number().int().min(1).max(MAX_NEXT_PREVIEW).optional(),
      /** Only this annotator's share of the texts, and "unlabelled" means not labelled by them. */
      annotator: annotatorNameSchema.optional(),
    })
    .strict(),
}

export interface DatasetsResults {
  'datasets/preview': ImportPreviewDto
  'datasets/import': ImportResultDto
  'texts/list': { total: number; rows: TextRowDto[] }
  'texts/get': TextRowDto
  'texts/splits': SplitCountsDto
  'texts/next': {
    textId: number | null
    position: number
    total: number
    /** Why the queue chose it; absent when no `order` was asked (plain sequential). */
    reason?: NextReasonDto
    /** The first `n` texts of the queue, `textId` first; only when n > 1 was asked. */
    queue?: QueuedTextDto[]
  }
}
