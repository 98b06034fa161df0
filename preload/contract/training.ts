// Training and runs: start a training job for a project, list and inspect runs (kept forever,
// never overwritten). Types only cross the bridge; the training itself runs as a job.
import { z } from 'zod'
import { idSchema } from './common'

export type RunStatus = 'running' | 'success' | 'cancelled' | 'error'
export type ModelKind = 'baseline' | 'bert'

export interface ClassMetricsDto {
  precision: number
  recall: number
  f1: number
  support: number
}

export interface EvaluationDto {
  accuracy: number
  macro_f1: number
  weighted_f1: number
  /** Keyed by label name. */
  per_class: Record<string, ClassMetricsDto>
  /** Rows true label, columns predicted label, in the run's label order. */
  confusion_matrix: number[][]
}

export interface RunEpochDto {
  epoch: number
  train_loss: number
  dev?: EvaluationDto
  learning_rate: number
  seconds: number
}

export interface RunDto {
  id: number
  projectId: number | null
  modelKind: ModelKind
  baseModel: string
  labels: string[]
  config: Record<string, unknown>
  dataHash: string
  seed: number
  provider: string | null
  status: RunStatus
  error: { code: string; message: string } | null
  createdAt: string
  finishedAt: string | null
  trainSeconds: number | null
  evalSeconds: number | null
  test: EvaluationDto | null
  epochs: RunEpochDto[]
}

export const trainingConfigSchema = z
  .object({
    /** 'baseline', 'default' (the bundled BERT) or a model folder imported by the user. */
    model: z.string().min(1).default('default'),
    epochs: z.number().int().min(1).max(100).optional(),
    batchSize: z.number().int().min(1).max(512).optional(),
    learningRate: z.number().positive().max(1).optional(),
    maxLength: z.number().int().min(8).max(512).optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
    device: z.enum(['auto', 'cpu', 'cuda', 'webgpu']).optional(),
    classWeights: z.boolean().optional(),
  })
  .strict()
export type TrainingConfigInput = z.input<typeof trainingConfigSchema>

export const trainingArgs = {
  'training/start': z.object({ projectId: idSchema, config: trainingConfigSchema }).strict(),
  'runs/list': z.object({ projectId: idSchema.optional() }).strict(),
  'runs/get': z.object({ runId: idSchema }).strict(),
}

export interface TrainingResults {
  'training/start': { jobId: string; runId: number }
  'runs/list': RunDto[]
  'runs/get': RunDto
}
