// Training and runs: start a training job for a project, list and inspect runs (kept forever,
// never overwritten). Types only cross the bridge; the training itself runs as a job.
import { z } from 'zod'
import { MAX_BASELINE_FEATURES } from './limits'
import { idSchema } from './common'
import type { LabelProvenanceDto } from './agreement'

export type RunStatus = 'running' | 'success' | 'cancelled' | 'error'
export type ModelKind = 'baseline' | 'bert' | 'ensemble'

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
  /** The 1-based epoch whose weights the run kept; null until it finished (or recorded before). */
  bestEpoch: number | null
  /** True when early stopping ended training before the configured epochs; null as bestEpoch. */
  stoppedEarly: boolean | null
  /** The study (auto recipe) this run is a candidate of; absent for single runs. */
  studyId?: number
  /**
   * Who labelled the texts the run trained on, the gold-label policy and the agreement, as they
   * were when the data was snapshotted; null for runs from files and for runs recorded before.
   */
  labelProvenance?: LabelProvenanceDto | null
  /**
   * The moment of the project's label history the run trained on: its labels are exactly those as
   * of history entry `historyId` (dataHash is their hash); null for runs from files and older runs.
   */
  labelSnapshot?: RunLabelSnapshotDto | null
}

/** Where in a project's label history a run's training data was read (issue #17 point 6). */
export interface RunLabelSnapshotDto {
  /** The newest annotation_history id of the project the read saw (0: no label history yet). */
  historyId: number
  /** When the labels were read (ISO). */
  takenAt: string
}

export const trainingConfigSchema = z
  .object({
    /** 'baseline', 'default' (the bundled BERT) or a model folder imported by the user. */
    model: z.string().min(1).default('default'),
    epochs: z.number().int().min(1).max(100).optional(),
    batchSize: z.number().int().min(1).max(512).optional(),
    learningRate: z.number().positive().max(1).optional(),
    /** BERT: tokens, capped by the model's positions; the baseline: distinct n-grams per text. */
    maxLength: z.number().int().min(8).max(MAX_BASELINE_FEATURES).optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
    device: z.enum(['auto', 'cpu', 'cuda', 'webgpu']).optional(),
    classWeights: z.boolean().optional(),
    /** BERT only: keep the embeddings fixed (faster steps, less memory; frozen weights are initializers). */
    freezeEmbeddings: z.boolean().optional(),
    /** BERT only: keep the bottom k encoder layers fixed. */
    freezeLayers: z.number().int().min(0).max(48).optional(),
    /**
     * 'stratified': seeded random 80/10/10 by label; 'grouped': the same, but all texts of one
     * group/patient id stay in one split (needs group ids). 'explicit': the split each text was
     * given by the import's split column; texts without one are left out; with no dev texts, a
     * seeded 10% of train (patients kept whole) is held out as dev for early stopping.
     * Default: explicit when a text is marked test, else grouped when ids exist, else stratified.
     */
    split: z.enum(['stratified', 'grouped', 'explicit']).optional(),
    /**
     * 'auto': baseline + a learning-rate search per suitable pretrained model + an ensemble, the
     * winner chosen on dev (a study); 'reference': the fixed defaults (warm-up + decay, early
     * stopping, best dev epoch); 'seed': the seed app's script (constant lr 2e-5, 5 epochs, last
     * epoch); 'manual': the reference loop with the given settings. Omitted: 'manual' when an
     * epochs/batchSize/learningRate is given, else 'reference' (callers choose 'auto' explicitly).
     */
    recipe: z.enum(['auto', 'reference', 'seed', 'manual']).optional(),
    /** Auto only: the time budget in minutes (default 10). */
    budgetMinutes: z
      .number()
      .positive()
      .max(7 * 24 * 60)
      .optional(),
  })
  .strict()
export type TrainingConfigInput = z.input<typeof trainingConfigSchema>

/**
 * Labelled texts in files on the computer main runs on (`cts train --train FILE`): any format the
 * importer reads; columns by name, else the ones the preview suggests. Not offered by the window.
 */
export const trainingFilesSchema = z
  .object({
    train: z.string().min(1),
    dev: z.string().min(1).optional(),
    test: z.string().min(1).optional(),
    textColumn: z.string().min(1).optional(),
    labelColumn: z.string().min(1).optional(),
    /** Group / patient id column: each group's texts stay in one split (or fold). */
    groupColumn: z.string().min(1).optional(),
  })
  .strict()
export type TrainingFilesInput = z.input<typeof trainingFilesSchema>

export const trainingArgs = {
  'training/start': z.object({ projectId: idSchema, config: trainingConfigSchema }).strict(),
  /** Train on files instead of a project ('default' follows the files' texts). */
  'training/startFiles': z
    .object({ files: trainingFilesSchema, config: trainingConfigSchema })
    .strict(),
  'runs/list': z.object({ projectId: idSchema.optional() }).strict(),
  'runs/get': z.object({ runId: idSchema }).strict(),
  /** Defaults of each model family and a one-line explanation of each option (en, zh-CN). */
  'training/defaults': z.object({}).strict(),
  /** Continue a run whose job process crashed, from its last checkpoint. */
  'training/resume': z.object({ runId: idSchema }).strict(),
  /** Metrics of two or more runs with the same labels side by side, differences to the first. */
  'runs/compare': z.object({ runIds: z.array(idSchema).min(2).max(20) }).strict(),
  /** Deletes the run's record and folder; `confirm: true` must be sent explicitly. */
  'runs/delete': z.object({ runId: idSchema, confirm: z.literal(true) }).strict(),
}

export type TrainingOption =
  | 'model'
  | 'epochs'
  | 'batchSize'
  | 'learningRate'
  | 'maxLength'
  | 'seed'
  | 'classWeights'
  | 'split'
  | 'device'
  | 'freezeEmbeddings'
  | 'freezeLayers'
  | 'recipe'
  | 'budgetMinutes'

export interface HyperDefaultsDto {
  epochs: number
  batchSize: number
  learningRate: number
  maxLength: number
}

export interface TrainingDefaultsDto {
  /** Used when config.model is 'baseline'. */
  baseline: HyperDefaultsDto
  /** Used for 'default' and imported BERT-family models. */
  bert: HyperDefaultsDto
  seed: number
  classWeights: boolean
  device: 'auto'
  /** Without group ids; when texts carry group/patient ids the default is 'grouped'. */
  split: 'stratified' | 'grouped'
  /** Train, dev and test fractions of the random split. */
  splitFractions: [number, number, number]
  /** One line per option, per UI language. */
  help: Record<TrainingOption, { en: string; 'zh-CN': string }>
}

export interface MetricsRowDto {
  runId: number
  accuracy: number
  macro_f1: number
  weighted_f1: number
  /** F1 per label, keyed by label name. */
  per_class_f1: Record<string, number>
}

export interface RunComparisonDto {
  /** The shared label set (every compared run has exactly these labels). */
  labels: string[]
  /** In the order asked; each run's config, model, data hash etc. are in `runs`. */
  runs: RunDto[]
  metrics: MetricsRowDto[]
  /** Each run minus the first run (the first row is all zeros). */
  differences: MetricsRowDto[]
  /** True when every run was trained on the same data snapshot. */
  sameData: boolean
}

export interface TrainingResults {
  'training/start': { jobId: string; runId: number }
  /** `skipped`: file rows without a text or a label, left out. */
  'training/startFiles': { jobId: string; runId: number; skipped: number }
  'runs/list': RunDto[]
  'runs/get': RunDto
  'training/defaults': TrainingDefaultsDto
  'training/resume': { jobId: string; runId: number }
  'runs/compare': RunComparisonDto
  'runs/delete': { deleted: number }
}
