// Model in the loop (issue #11): the in-loop model's settings and status, its suggestions, the
// audit estimate, and the label-error review queue. Types and argument schemas only.
import { z } from 'zod'
import { idSchema } from './common'

/** How the labelling queue picks the next text ('sequential' = import order, unlabelled first). */
export type QueueOrder = 'sequential' | 'uncertainty' | 'diversity' | 'random' | 'mislabelled'

/** The model that made a suggestion or an estimate. */
export interface LoopModelDto {
  name: string
  trainedOnLabels: number
  /** ISO 8601 time the model finished training. */
  trainedAt: string
}

export interface SuggestionDto {
  textId: number
  /** Sorted by probability, highest first; every label of the project. */
  labels: { labelId: number; probability: number }[]
  model: LoopModelDto
}

/** The in-loop model's quality on the labelled audit texts only (never trained on). */
export interface AuditEstimateDto {
  /** Labelled audit texts it is computed on. */
  n: number
  accuracy: number
  accuracyCi: [number, number]
  macroF1: number
  /** Bootstrap 95 % CI over audit texts. */
  macroF1Ci: [number, number]
}

export interface LoopStatusDto {
  projectId: number
  enabled: boolean
  threshold: number
  showSuggestions: boolean
  auditRate: number
  mixEvery: number
  training: boolean
  jobId: string | null
  model: LoopModelDto | null
  newLabelsSinceModel: number
  audit: { sampleSize: number; labelled: number; estimate: AuditEstimateDto | null }
  /** Texts whose final human label was compared with the suggestion shown for them. */
  suggestionAgreement: { compared: number; equal: number }
}

/** Why the queue served a text. */
export interface NextReasonDto {
  order: QueueOrder | 'audit'
  /** The number behind the choice: margin (uncertainty), cosine distance (diversity),
   *  self-confidence (mislabelled); absent for random/sequential/audit. */
  value?: number
  /** The order that was asked but cannot be used yet (uncertainty before the in-loop model
   *  exists): `order` says what chose the text instead ('random'). (QUEUE) */
  fallbackFrom?: QueueOrder
}

export interface ReviewItemDto {
  textId: number
  text: string
  rank: number
  givenLabelIds: number[]
  predictedLabelId: number
  probabilityGiven: number
  probabilityPredicted: number
}

export const QUEUE_ORDERS = [
  'sequential',
  'uncertainty',
  'diversity',
  'random',
  'mislabelled',
] as const
export const queueOrderSchema = z.enum(QUEUE_ORDERS)

export const loopArgs = {
  'loop/status': z.object({ projectId: idSchema }).strict(),
  'loop/settings': z
    .object({
      projectId: idSchema,
      enabled: z.boolean().optional(),
      /** New labels since the last model that start a retrain. */
      threshold: z.number().int().min(1).max(1000).optional(),
      /** Hide suggestions to avoid anchoring; they are still computed and stored. */
      showSuggestions: z.boolean().optional(),
      /** Share of the project's texts drawn (seeded) into the audit sample. */
      auditRate: z.number().min(0).max(0.5).optional(),
      /** Every mixEvery-th `next` serves an unlabelled audit text. */
      mixEvery: z.number().int().min(2).max(100).optional(),
    })
    .strict(),
  'loop/suggestion': z.object({ textId: idSchema }).strict(),
  'loop/retrain': z.object({ projectId: idSchema }).strict(),
  'review/list': z
    .object({
      projectId: idSchema,
      k: z.number().int().min(2).max(10).default(5),
      limit: z.number().int().min(1).max(500).default(50),
    })
    .strict(),
  'review/decide': z
    .object({
      textId: idSchema,
      decision: z.enum(['keep', 'relabel']),
      labelIds: z.array(idSchema).max(50).optional(),
    })
    .strict(),
}

export interface LoopResults {
  'loop/status': LoopStatusDto
  'loop/settings': LoopStatusDto
  /** null when the project hides suggestions, or no model has scored the text yet. */
  'loop/suggestion': SuggestionDto | null
  /** null: a retrain is already running. */
  'loop/retrain': { jobId: string | null }
  'review/list': { items: ReviewItemDto[]; labelled: number; folds: number }
  'review/decide': { textId: number; decision: 'keep' | 'relabel' }
}

/** The 'loop-train' job's result; the probabilities themselves go to a file (kept out of events). */
export interface LoopTrainJobResult {
  /** Texts the model was fitted on (labelled, outside the audit sample). */
  trainedOn: number
  /** Texts scored (unlabelled and audit texts), rows of the probabilities file in input order. */
  scored: number
  numClasses: number
  trainSeconds: number
  /** float32 little-endian, scored × numClasses, deleted by the service once stored. */
  probabilitiesFile: string
}
