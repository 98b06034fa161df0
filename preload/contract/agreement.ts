// Agreement between annotators (issue #12 point 4) and adjudication of their disagreements
// (point 5). Figures come from main/ml/eval/agreement-report.ts; intervals are bootstrap 95 %.
import { z } from 'zod'
import { idSchema } from './common'
import { annotatorNameSchema } from './annotators'

/** A statistic with its percentile-bootstrap interval; NaN travels as null (undefined κ/α). */
export interface AgreementValueDto {
  estimate: number | null
  lower: number | null
  upper: number | null
}

export interface PairAgreementDto {
  a: string
  b: string
  /** Texts both labelled. */
  texts: number
  /** Share of those texts with identical labels. */
  observed: number | null
  kappa: AgreementValueDto
}

export interface AgreementFiguresDto {
  /** Texts labelled by two or more of the annotators (the figures are computed on these). */
  texts: number
  cohen: PairAgreementDto[]
  /** null when the table is incomplete (texts labelled by different numbers of annotators). */
  fleiss: AgreementValueDto | null
  alpha: AgreementValueDto
}

export interface AgreementDto {
  projectId: number
  annotators: string[]
  /** Single-label projects: over the label set. Multi-label: null (see perLabel). */
  overall: AgreementFiguresDto | null
  /** Per label (present/absent): multi-label projects; also single-label one-vs-rest. */
  perLabel: { labelId: number; figures: AgreementFiguresDto }[]
  resamples: number
  level: number
  seed: number
  /** Texts whose annotators disagree, and how many of those an adjudicator has decided. */
  disagreements: number
  adjudicated: number
}

export interface PairConfusionDto {
  a: string
  b: string
  /** Row = a's label, column = b's label, over `labels` (label ids; single-label projects). */
  labelIds: number[]
  matrix: number[][]
  texts: number
}

/** How a text's gold (training) label came about. */
export type ResolutionHow =
  | 'adjudicated'
  | 'agreed'
  | 'majority'
  | 'single'
  | 'tie-annotator'
  | 'excluded'
  | 'reference'
  | 'none'

export interface AdjudicationDto {
  labelIds: number[]
  adjudicator: string
  note: string | null
  at: string
}

export interface DisagreementDto {
  textId: number
  text: string
  annotations: { annotator: string; labelIds: number[]; at: string }[]
  adjudication: AdjudicationDto | null
  /** The gold label training uses now, and why. */
  resolved: number[]
  how: ResolutionHow
}

/** Counts of texts by how their gold label came about (the run record and report state these). */
export type ResolutionCountsDto = Record<ResolutionHow, number>

/** What a run records about its labels: the policy, how gold labels came about, agreement. */
export interface LabelProvenanceDto {
  annotators: string[]
  policy: { tiePolicy: 'exclude' | 'annotator'; tieAnnotator: string | null }
  counts: ResolutionCountsDto
  /** Krippendorff's α over all annotators (null with fewer than two annotators). */
  alpha: AgreementValueDto | null
  /** Cohen's κ when exactly two annotators labelled overlapping texts. */
  cohen: PairAgreementDto | null
  /** Fleiss' κ when the table is complete. */
  fleiss: AgreementValueDto | null
}

export const agreementArgs = {
  'agreement/report': z
    .object({
      projectId: idSchema,
      /** Default: every annotator with labels in the project (the import's reference labels never count). */
      annotators: z.array(annotatorNameSchema).max(50).optional(),
    })
    .strict(),
  'agreement/pair': z
    .object({ projectId: idSchema, a: annotatorNameSchema, b: annotatorNameSchema })
    .strict(),
  'agreement/disagreements': z
    .object({
      projectId: idSchema,
      offset: z.number().int().min(0),
      limit: z.number().int().min(1).max(500),
      /** Only those no adjudicator has decided yet. */
      open: z.boolean().optional(),
    })
    .strict(),
  'adjudication/set': z
    .object({
      textId: idSchema,
      /** When given, the text must be in this project (the CLI's --project). */
      projectId: idSchema.optional(),
      labelIds: z.array(idSchema).max(50),
      note: z.string().trim().max(1000).optional(),
      /** Who decides (default: the current profile, else the operating-system user). */
      adjudicator: annotatorNameSchema.optional(),
    })
    .strict(),
  'adjudication/revert': z
    .object({
      textId: idSchema,
      projectId: idSchema.optional(),
      adjudicator: annotatorNameSchema.optional(),
    })
    .strict(),
}

export interface AgreementResults {
  'agreement/report': AgreementDto
  'agreement/pair': PairConfusionDto
  'agreement/disagreements': { total: number; rows: DisagreementDto[] }
  'adjudication/set': DisagreementDto
  'adjudication/revert': DisagreementDto
}
