// De-identification (issue #15 point 3): which kinds of protected health information (PHI) are
// found and masked, at import (opt-in) and in exports and reports (always offered).
import { z } from 'zod'
import { fileRefSchema, idSchema } from './common'

/** The kinds of PHI we detect; a masked span becomes its tag, e.g. "[PHONE]". */
export const PHI_TYPES = [
  'NAME',
  'PHONE',
  'ID_NUMBER',
  'MRN',
  'INSURANCE',
  'EMAIL',
  'URL',
  'IP',
  'DATE',
  'AGE',
  'ADDRESS',
] as const
export type PhiType = (typeof PHI_TYPES)[number]

export const deidOptionsSchema = z
  .object({
    /** Kinds to mask; default: all of PHI_TYPES. */
    types: z.array(z.enum(PHI_TYPES)).optional(),
    /** Dates keep their year ("2023-05-17" → "[DATE] 2023"); default false. */
    keepYear: z.boolean().optional(),
    /** The hospital's own medical-record-number patterns (JavaScript regular expressions). */
    mrnPatterns: z.array(z.string().min(1).max(500)).max(20).optional(),
    /** The hospital's own insurance-number patterns (JavaScript regular expressions). */
    insurancePatterns: z.array(z.string().min(1).max(500)).max(20).optional(),
  })
  .strict()
export type DeidOptions = z.infer<typeof deidOptionsSchema>

/** One found span: [start, end) in UTF-16 code units of the text. */
export interface PhiSpanDto {
  type: PhiType
  start: number
  end: number
}

export interface DeidExampleDto {
  type: PhiType
  /** The masked text around the span (never the PHI itself), e.g. "… call [PHONE] after …". */
  context: string
}

/** What de-identification would do to a file before it is imported. */
export interface DeidPreviewDto {
  /** Texts read from the file (the import preview's rows). */
  texts: number
  /** Texts with at least one span. */
  textsWithPhi: number
  /** Spans per kind, every kind listed (0 when none). */
  counts: Record<PhiType, number>
  /** Up to 3 masked examples per kind that was found. */
  examples: DeidExampleDto[]
}

export const deidArgs = {
  /** Runs de-identification over a file as datasets/import would read it; imports nothing. */
  'datasets/deid-preview': z
    .object({
      /** Checked to exist when given; `cts deid preview FILE` has no project. */
      projectId: idSchema.optional(),
      file: fileRefSchema,
      encoding: z.string().optional(),
      sheet: z.string().optional(),
      textColumn: z.string().min(1),
      options: deidOptionsSchema.optional(),
    })
    .strict(),
}

export interface DeidResults {
  'datasets/deid-preview': DeidPreviewDto
}
