// Annotations: set, undo/redo (history is kept), skip, counts.
import { z } from 'zod'
import { idSchema } from './common'

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
      annotator: z.string().max(100).optional(),
    })
    .strict(),
  'labels/skip': z.object({ textId: idSchema }).strict(),
  'labels/undo': z.object({ projectId: idSchema }).strict(),
  'labels/redo': z.object({ projectId: idSchema }).strict(),
  'labels/stats': z.object({ projectId: idSchema }).strict(),
}

export interface LabelsResults {
  'labels/set': AnnotationDto
  'labels/skip': { textId: number }
  /** The annotation state after undo/redo, or null when there is nothing to undo/redo. */
  'labels/undo': AnnotationDto | null
  'labels/redo': AnnotationDto | null
  'labels/stats': LabelStatsDto
}
