// Annotations: set, undo/redo (history is kept), skip, counts.
import { z } from 'zod'
import { idSchema } from './common'
import { annotatorNameSchema } from './annotators'

export interface AnnotationDto {
  textId: number
  labelIds: number[]
  /** Monotonic id of the history entry that made this state; committed before it is returned. */
  revision: number
}

export interface LabelStatsDto {
  total: number
  labelled: number
  skipped: number
  perLabel: { labelId: number; count: number }[]
}

export const labelsArgs = {
  'labels/set': z
    .object({
      textId: idSchema,
      labelIds: z.array(idSchema).max(50),
      /** Default: the current profile (else the operating-system user). */
      annotator: annotatorNameSchema.optional(),
    })
    .strict(),
  'labels/skip': z.object({ textId: idSchema }).strict(),
  /** Undo/redo walk `annotator`'s own changes (default: the current profile). */
  'labels/undo': z
    .object({ projectId: idSchema, annotator: annotatorNameSchema.optional() })
    .strict(),
  'labels/redo': z
    .object({ projectId: idSchema, annotator: annotatorNameSchema.optional() })
    .strict(),
  /**
   * With `annotator`, in a project with a team: that annotator's share, what they labelled of it
   * and with which labels (never the others' labels). Otherwise the project's gold counts.
   */
  'labels/stats': z
    .object({ projectId: idSchema, annotator: annotatorNameSchema.optional() })
    .strict(),
}

export interface LabelsResults {
  'labels/set': AnnotationDto
  'labels/skip': { textId: number }
  /** The annotation state after undo/redo, or null when there is nothing to undo/redo. */
  'labels/undo': AnnotationDto | null
  'labels/redo': AnnotationDto | null
  'labels/stats': LabelStatsDto
}
