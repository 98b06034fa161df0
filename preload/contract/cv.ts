// k-fold cross-validation and the learning curve of a project: start (a 'cv' job), estimate, list
// and read results. Only the training texts take part: the held-out test split never does.
import { z } from 'zod'
import { idSchema } from './common'
import type { IntervalDto } from './evaluation'
import { trainingFilesSchema } from './training'

export const CV_MIN_K = 2
export const CV_MAX_K = 20

export const cvConfigSchema = z
  .object({
    /** Folds; default 5. */
    k: z.number().int().min(CV_MIN_K).max(CV_MAX_K).optional(),
    /** 'baseline' (default: seconds), 'default' or an installed model's name (slow on a CPU). */
    model: z.string().min(1).optional(),
    /** Also train on 10/25/50 % of each fold's training texts (the learning curve); default true. */
    curve: z.boolean().optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
    /** Default: grouped when texts carry a group / patient id, else stratified. */
    split: z.enum(['stratified', 'grouped']).optional(),
  })
  .strict()
export type CvConfigInput = z.input<typeof cvConfigSchema>

export type CvStatus = 'running' | 'success' | 'cancelled' | 'error'

export interface CvFoldDto {
  fold: number
  /** Texts the fold trained on (after its dev texts were held out) and was evaluated on. */
  trainTexts: number
  devTexts: number
  evalTexts: number
  accuracy: number
  macroF1: IntervalDto
  seconds: number
}

export interface CvPooledDto {
  /** Over the concatenated out-of-fold predictions: every text predicted once, by a model that never saw it. */
  texts: number
  accuracy: number
  weightedF1: number
  macroF1: IntervalDto
  perClass: { label: string; precision: number; recall: number; f1: number; support: number }[]
  confusion: number[][]
  /** Mean and standard deviation of the folds' macro-F1. */
  foldMean: number
  foldSd: number
}

export interface CvCurvePointDto {
  fraction: number
  /** Mean training texts per fold at this fraction. */
  trainTexts: number
  macroF1: IntervalDto
}

export type CvVerdict = 'likely' | 'plateau' | 'unclear'

export interface CvCurveDto {
  points: CvCurvePointDto[]
  /** Macro-F1 at 100 % minus at 50 %, paired bootstrap over the same texts. */
  gain: IntervalDto & { from: number; to: number }
  /** likely: the gain's interval is above 0; plateau: under one point and its interval under two. */
  verdict: CvVerdict
  /** The verdict in one English sentence (what `cts cv` prints); absent in older results. */
  sentence?: string
}

export interface CvResultDto {
  id: number
  projectId: number | null
  status: CvStatus
  error?: { code: string; message: string } | null
  createdAt: string
  finishedAt: string | null
  /** What was asked ('baseline', 'default' …) and the model trained ('baseline' or its name). */
  model: string
  baseModel: string
  k: number
  seed: number
  split: 'stratified' | 'grouped'
  labels: string[]
  /** Texts cross-validated, test texts kept out, duplicates removed. */
  texts: number
  testExcluded: number
  duplicatesRemoved: number
  dataHash: string
  level: number
  resamples: number
  folds: CvFoldDto[]
  pooled: CvPooledDto | null
  curve: CvCurveDto | null
  seconds: number | null
  jobId: string | null
}

export interface CvEstimateDto {
  /** Trainings the job runs (k, or 4 × k with the learning curve). */
  trainings: number
  texts: number
  seconds: number
  /** How the estimate was made: from a finished run of the same model, or a rule of thumb. */
  basis: 'previous-run' | 'rule-of-thumb'
}

export const cvArgs = {
  'cv/start': z.object({ projectId: idSchema, config: cvConfigSchema.optional() }).strict(),
  'cv/estimate': z.object({ projectId: idSchema, config: cvConfigSchema.optional() }).strict(),
  /** Cross-validate files instead of a project (`cts cv --train FILE`); files.dev is not used. */
  'cv/startFiles': z
    .object({ files: trainingFilesSchema, config: cvConfigSchema.optional() })
    .strict(),
  'cv/list': z.object({ projectId: idSchema }).strict(),
  'cv/get': z.object({ cvId: idSchema }).strict(),
}

export interface CvResults {
  'cv/start': { cvId: number; jobId: string; estimate: CvEstimateDto }
  'cv/estimate': CvEstimateDto
  /** `skipped`: file rows without a text or a label, left out. */
  'cv/startFiles': { cvId: number; jobId: string; estimate: CvEstimateDto; skipped: number }
  /** Newest first. */
  'cv/list': CvResultDto[]
  'cv/get': CvResultDto
}
