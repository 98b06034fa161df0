// Exporting a run's evaluation report as self-contained HTML or PDF, in English or Chinese.
import { z } from 'zod'
import { idSchema } from './common'
import { deidOptionsSchema } from './deid'

export type ReportFormat = 'html' | 'pdf'
export type ReportLocaleDto = 'en' | 'zh-CN'

export const reportsArgs = {
  'reports/export': z
    .object({
      runId: idSchema,
      format: z.enum(['html', 'pdf']),
      locale: z.enum(['en', 'zh-CN']).default('en'),
      /** Binary tasks: expected prevalence for PPV/NPV (default: the test split's). */
      prevalence: z.number().gt(0).lt(1).optional(),
      /** Binary tasks: target sensitivity of the operating point (default 0.9). */
      targetSensitivity: z.number().min(0).max(1).optional(),
      /** Desktop: write the file here. Browser: omit, and the bytes come back. */
      path: z.string().min(1).optional(),
      /** De-identify (issue #15): free text in the report (project name, labels, notes) is masked. */
      deidentify: deidOptionsSchema.optional(),
    })
    .strict(),
}

export interface ReportExportDto {
  /** Where the file was written (when a path was given). */
  path?: string
  /** Suggested file name, e.g. run-3-report.pdf. */
  fileName: string
  /** The file's bytes when no path was given. */
  contentBase64?: string
  bytes: number
}

export interface ReportsResults {
  'reports/export': ReportExportDto
}
