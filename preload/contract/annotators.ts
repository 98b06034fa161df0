// Several annotators (issue #12): who is labelling (profiles), a project's double-annotation and
// label-policy settings, and each annotator's share and progress.
import { z } from 'zod'
import { idSchema } from './common'

/** A name that labels are recorded under; shown in agreement tables and the run record. */
export const annotatorNameSchema = z.string().trim().min(1).max(100)

export interface AnnotatorProfileDto {
  name: string
  /** When the profile was chosen here first; null for names known only from recorded labels. */
  createdAt: string | null
  /** Texts this annotator has labels on, over all projects. */
  annotations: number
}

export interface AnnotatorsDto {
  /** The profile label writes are recorded under; null until one is chosen (first start). */
  current: string | null
  /** The operating-system user, offered as the first profile name. */
  osUser: string
  profiles: AnnotatorProfileDto[]
}

/**
 * What training uses when the annotators of a text disagree and no adjudicator has decided:
 * 'exclude' leaves the text out; 'annotator' uses `tieAnnotator`'s label (excluded when that
 * annotator did not label the text). Adjudicated labels always win; a strict majority next.
 */
export type TiePolicy = 'exclude' | 'annotator'

export interface AnnotationSettingsDto {
  /** The annotators texts are shared between; empty = no assignment (anyone labels anything). */
  team: string[]
  /** Share of texts (0–1, seeded by content hash) labelled by `overlapAnnotators` of the team. */
  overlap: number
  /** How many team members label each overlap text (2 or more, at most the team size). */
  overlapAnnotators: number
  seed: number
  /** On overlap texts an annotator sees neither the others' labels nor the model's suggestions. */
  blind: boolean
  tiePolicy: TiePolicy
  tieAnnotator: string | null
}

export const DEFAULT_ANNOTATION_SETTINGS: AnnotationSettingsDto = {
  team: [],
  overlap: 0,
  overlapAnnotators: 2,
  seed: 1,
  blind: true,
  tiePolicy: 'exclude',
  tieAnnotator: null,
}

export interface AnnotatorProgressDto {
  annotator: string
  /** Texts in this annotator's share (all texts when the team is empty). */
  assigned: number
  /** Of those, texts this annotator has labelled. */
  done: number
  overlapAssigned: number
  overlapDone: number
}

export interface AnnotationProgressDto {
  texts: number
  /** Texts chosen for double annotation. */
  overlapTexts: number
  /** Texts with labels from two or more annotators. */
  multiplyAnnotated: number
  perAnnotator: AnnotatorProgressDto[]
}

export const annotatorsArgs = {
  'annotators/list': z.object({}).strict(),
  /** Chooses (and creates when new) the profile later label writes are recorded under. */
  'annotators/use': z.object({ name: annotatorNameSchema }).strict(),
  'annotation/settings': z.object({ projectId: idSchema }).strict(),
  /** Changes some settings; the others keep their values. Re-resolves every text's gold label. */
  'annotation/setSettings': z
    .object({
      projectId: idSchema,
      team: z.array(annotatorNameSchema).max(50).optional(),
      overlap: z.number().min(0).max(1).optional(),
      overlapAnnotators: z.number().int().min(2).max(50).optional(),
      seed: z.number().int().min(0).max(2_147_483_647).optional(),
      blind: z.boolean().optional(),
      tiePolicy: z.enum(['exclude', 'annotator']).optional(),
      tieAnnotator: annotatorNameSchema.nullable().optional(),
    })
    .strict(),
  'annotation/progress': z.object({ projectId: idSchema }).strict(),
}

export interface AnnotatorsResults {
  'annotators/list': AnnotatorsDto
  'annotators/use': AnnotatorsDto
  'annotation/settings': AnnotationSettingsDto
  'annotation/setSettings': AnnotationSettingsDto
  'annotation/progress': AnnotationProgressDto
}
