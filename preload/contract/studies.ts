// Studies: the auto recipe's search. A study trains the baseline and each suitable pretrained model
// at a few learning rates within a time budget, weighs an ensemble, and picks the winner on dev.
import { z } from 'zod'
import { idSchema } from './common'
import { trainingConfigSchema, trainingFilesSchema } from './training'

export type StudyStatus = 'running' | 'success' | 'cancelled' | 'error'

export interface StudyCandidateDto {
  /** The candidate's kept run; null when it was skipped (it would not fit the budget). */
  runId: number | null
  /** "baseline", "all-MiniLM-L6-v2 lr 1e-4", "ensemble (baseline + all-MiniLM-L6-v2 lr 1e-4)". */
  label: string
  kind: 'baseline' | 'bert' | 'ensemble'
  /** The model trained from ('baseline', a model name; 'ensemble' for the ensemble). */
  model: string
  /** Null for the ensemble (it trains nothing: it mixes two candidates' probabilities). */
  learningRate: number | null
  status: 'running' | 'success' | 'cancelled' | 'error' | 'skipped'
  /** Macro-F1 on dev of the kept epoch; null until it finished. */
  devMacroF1: number | null
  bestEpoch: number | null
  epochsTrained: number
  /** Epochs it was allowed (the recipe's 20, fewer where the budget left less). */
  epochsAllowed: number
  /** Wall time of training + scoring dev; null while running or when skipped. */
  seconds: number | null
  /** The estimate made before it started (seconds): start + epochs allowed × per epoch + finish. */
  estimateSeconds: number
  /**
   * A fine-tune's estimate refined after each of its epochs from the measured seconds per epoch
   * (seconds, whole candidate; at most: early stopping may end it sooner). Absent before its
   * first epoch ended.
   */
  refinedSeconds?: number
  /** Why it was skipped, or why it failed. */
  note?: string
}

export interface StudyEnsembleDto {
  /**
   * Run ids of its two members: the baseline and the best fine-tuned candidate. Also listed among
   * the candidates (kind 'ensemble'); it is kept as a run (model kind 'ensemble') when it won.
   */
  members: [number, number]
  /** Weight of the fine-tuned member's probabilities (1 − w for the baseline's), chosen on dev. */
  weight: number
  devMacroF1: number
  /** Dev macro-F1 at every weight tried (0, 0.1, … 1). */
  curve: { weight: number; devMacroF1: number }[]
  chosen: boolean
  /** The ensemble run (when chosen; absent in studies recorded before ensembles could win). */
  runId?: number | null
  /** Why it was or was not chosen. */
  note: string
}

export interface StudyDto {
  id: number
  projectId: number | null
  status: StudyStatus
  budgetSeconds: number
  createdAt: string
  finishedAt: string | null
  /** Seconds spent so far (candidates' wall time, the timing probe included). */
  elapsedSeconds: number
  /** Budget seconds left (budget − elapsed, at least 0). */
  remainingSeconds: number
  /** The latest refinement message (measured vs estimated per epoch, what the budget allows). */
  estimateNote: string | null
  candidates: StudyCandidateDto[]
  ensemble: StudyEnsembleDto | null
  winnerRunId: number | null
  /** One sentence: why the winner won (en, zh-CN). */
  reason: string | null
  reasonZh: string | null
  /** The only run scored on test: the winner, once. */
  testScoredBy: number | null
  error: { code: string; message: string } | null
}

/** A study's plan before it starts (the train view shows it next to the budget). */
export interface StudyEstimateDto {
  budgetSeconds: number
  /** The baseline and each pretrained model's first learning rate, as the study would plan them. */
  candidates: {
    label: string
    kind: 'baseline' | 'bert'
    /** Seconds per epoch, and to start and finish the candidate. */
    epochSeconds: number
    startSeconds: number
    finishSeconds: number
    /** Epochs the budget allows it (0: it would be skipped). */
    epochsAllowed: number
    estimateSeconds: number
    /**
     * 'cached probe': this computer's earlier timing; 'prior': token counts at an assumed speed
     * (a short probe, spent from the budget, replaces it when the study starts).
     */
    basis: 'cached probe' | 'prior' | 'measured' | 'probed'
  }[]
}

export const studiesArgs = {
  /** Start an auto-recipe study on a project's labelled texts (config.recipe is set to 'auto'). */
  'studies/start': z.object({ projectId: idSchema, config: trainingConfigSchema }).strict(),
  /** Start an auto-recipe study on files instead of a project (`cts train --train FILE`). */
  'studies/startFiles': z
    .object({ files: trainingFilesSchema, config: trainingConfigSchema })
    .strict(),
  'studies/get': z.object({ studyId: idSchema }).strict(),
  /** The plan and time estimate of a study before it starts (no probe runs for it). */
  'studies/estimate': z.object({ projectId: idSchema, config: trainingConfigSchema }).strict(),
  'studies/list': z.object({ projectId: idSchema.optional() }).strict(),
  /** Stop after the current candidate is cancelled; finished candidates are kept. */
  'studies/cancel': z.object({ studyId: idSchema }).strict(),
  /** Continue a stopped study: finished candidates are reused, the rest runs in the budget left. */
  'studies/resume': z.object({ studyId: idSchema }).strict(),
}

export interface StudiesResults {
  'studies/start': { studyId: number }
  /** `skipped`: file rows without a text or a label, left out. */
  'studies/startFiles': { studyId: number; skipped: number }
  'studies/get': StudyDto
  'studies/estimate': StudyEstimateDto
  'studies/list': StudyDto[]
  'studies/cancel': { cancelled: boolean }
  'studies/resume': { studyId: number }
}
