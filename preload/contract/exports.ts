// Exporting texts with their labels.
import { z } from 'zod'
import { idSchema } from './common'
import { deidOptionsSchema } from './deid'

export const exportsArgs = {
  'exports/texts': z
    .object({
      projectId: idSchema,
      format: z.enum(['csv', 'xlsx', 'jsonl']),
      /** Desktop: write here. Browser: omit, and the bytes come back. */
      path: z.string().min(1).optional(),
      /** De-identify (issue #15): the exported texts are masked ("[PHONE]" …). */
      deidentify: deidOptionsSchema.optional(),
    })
    .strict(),
}

export interface ExportsResults {
  'exports/texts': { rows: number; path?: string; fileName: string; contentBase64?: string }
}
