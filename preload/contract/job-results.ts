// What each job kind ends with (JobProgressDto.result on 'success') and the metrics its progress
// carries: plain JSON shapes, shared by the job processes, the services and the renderer.
import type { EvaluationDto, RunEpochDto } from './training'

/** A fine-tune's progress: the epoch it is in, and after scoring dev its macro-F1. */
export type TrainEpochMetrics = {
  epoch: number
  epochs: number
  learningRate?: number
  devMacroF1?: number
  // Absent here, present while the baseline is fitted: listed so either can be read off the union.
  c?: never
  trial?: never
  trials?: never
  iteration?: never
}

/** The baseline's fit: which C of the grid (trial of trials) and the solver's iteration. */
export type BaselineFitMetrics = {
  c: number
  trial: number
  trials: number
  iteration: number
  epoch?: never
  epochs?: never
  learningRate?: never
  devMacroF1?: never
}

export type TrainMetrics = TrainEpochMetrics | BaselineFitMetrics

/** Which training of a cross-validation runs, merged into that training's own metrics. */
export type CvTaskMetrics = {
  task: number
  tasks: number
  /** 1-based. */
  fold: number
  folds: number
  fraction: number
}

export type CvMetrics = CvTaskMetrics & (TrainMetrics | Partial<TrainEpochMetrics>)

/** The step probe's progress names the padded length it is timing. */
export type StepProbeMetrics = { length: number }

/** One C tried, as the run's metrics.json records it. */
export interface BaselineSearchEntry {
  c: number
  devMacroF1: number | null
  trainLoss: number
  iterations: number
  converged: boolean
  seconds: number
  chosen: boolean
}

/**
 * The int8 check of a BERT run (issue #13): its int8 model scored beside fp32 on the run's own dev
 * split; `passed` (macro-F1 drop ≤ 0.5 point) makes int8 the run's default for predict/serve/export.
 */
export interface QuantizationCheckDto {
  int8: { devMacroF1Fp32: number; devMacroF1Int8: number; passed: boolean; devTexts: number }
}

/** Which graph nodes ran on which execution provider (main/ml/runtime/provider-placement.ts). */
export interface ProviderPlacementDto {
  /** 'cpu' | 'cuda' | 'webgpu' … → how many distinct nodes ran there. */
  nodesByProvider: Record<string, number>
  totalNodes: number
  /** The nodes that ran on the CPU (op type and node name). */
  cpuNodes: { name: string; op: string }[]
}

/** The 'train' job's result (also the run's metrics.json). */
export interface TrainJobResult {
  epochs: RunEpochDto[]
  /** null when the job did not score test (scoreTest false). */
  test: EvaluationDto | null
  bestEpoch: number
  stoppedEarly: boolean
  resumedEpochs: number
  provider: string
  fallbackMessage?: string
  /** On a GPU provider: where the training graph's nodes ran (absent on the CPU). */
  placement?: ProviderPlacementDto
  /** Set when nodes of a GPU run fell back to the CPU ("12 of 340 nodes ran on the CPU …"). */
  placementMessage?: string
  trainSeconds: number
  evalSeconds: number
  trainSamplesPerSecond: number
  /** The baseline's regularisation search (one entry per C tried). */
  baselineSearch?: BaselineSearchEntry[]
  /** BERT runs with a dev split: the int8 check (absent: the run predicts with fp32). */
  quantization?: QuantizationCheckDto
}

/** The 'test-run' job's result: a study's winner scored on test. */
export interface TestRunJobResult {
  test: EvaluationDto
  evalSeconds: number
}

export interface CvJobTaskResult {
  fold: number
  fraction: number
  trainTexts: number
  devTexts: number
  /** Predicted class per held-out text (the task's eval order). */
  yPred: number[]
  /** Probabilities per held-out text, only for fraction 1 (rounded to 4 decimals). */
  probs?: number[][]
  trainSeconds: number
  provider: string
}

/** The 'cv' job's result: every training's held-out predictions. */
export interface CvJobResult {
  tasks: CvJobTaskResult[]
  seconds: number
}

/** The 'step-probe' job's result: this computer's measured speed for a model. */
export interface StepProbeResult {
  provider: string
  /** Mean seconds of one call at each size × length. */
  train: { size: number; length: number; seconds: number }[]
  eval: { size: number; length: number; seconds: number }[]
  setupSeconds: number
  checkpointSeconds: number
  /** Seconds the job itself took (the host adds the process start). */
  totalSeconds: number
}

/** The 'cuda-probe' job's result: whether a CUDA session started in the job process. */
export interface CudaProbeJobResult {
  sessionStarts: boolean
  /** onnxruntime's error when it did not start (the host adds its native detail), else null. */
  error: string | null
  /** Where the job process loaded onnxruntime's binding from: the GPU pack's, or null (the app's). */
  bindingFrom: string | null
}
