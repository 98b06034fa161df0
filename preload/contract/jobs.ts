// Long work (import, train, predict-file, cv …) runs as jobs with pushed progress. Each kind has a
// closed set of phases, its own metrics and its own result: JobProgressDto is their union.
import { z } from 'zod'
import type { ImportResultDto } from './datasets'
import type {
  CudaProbeJobResult,
  CvJobResult,
  CvMetrics,
  StepProbeMetrics,
  StepProbeResult,
  TestRunJobResult,
  TrainJobResult,
  TrainMetrics,
} from './job-results'
import type { PredictFileResultDto } from './predict'
import type { LoopTrainJobResult } from './loop'

export type * from './job-results'

/** Training's phases: the trainer's loop, the baseline's fit, then scoring. */
export type TrainPhase =
  | 'loading model'
  | 'fitting baseline'
  | 'preparing'
  | 'training'
  | 'evaluating'
  | 'testing'
  | 'scoring dev'

/** Per kind: the phases its work reports, the metrics its progress carries, what it ends with. */
export interface JobKinds {
  import: { phase: 'reading'; metrics: never; result: ImportResultDto }
  train: { phase: TrainPhase; metrics: TrainMetrics; result: TrainJobResult }
  'predict-file': { phase: 'reading' | 'predicting'; metrics: never; result: PredictFileResultDto }
  cv: { phase: TrainPhase; metrics: CvMetrics; result: CvJobResult }
  'test-run': { phase: 'testing'; metrics: never; result: TestRunJobResult }
  'step-probe': { phase: 'timing the computer'; metrics: StepProbeMetrics; result: StepProbeResult }
  'loop-train': {
    phase: 'fitting baseline' | 'scoring'
    metrics: never
    result: LoopTrainJobResult
  }
  /** The GPU status's CUDA check in the app (issue #14), where the backend cannot fork Node. */
  'cuda-probe': { phase: 'starting a CUDA session'; metrics: never; result: CudaProbeJobResult }
}

export type JobKind = keyof JobKinds
export type JobStatus = 'running' | 'success' | 'cancelled' | 'error'

/** Phases the job service itself sets: before the first report, and the three endings. */
export type JobServicePhase = 'starting' | 'done' | 'cancelled' | 'failed'

/** The phases a job's own work may report (what JobContext.report accepts). */
export type JobWorkPhase<K extends JobKind> = JobKinds[K]['phase']
export type JobPhase<K extends JobKind> = JobWorkPhase<K> | JobServicePhase
export type JobMetrics<K extends JobKind> = JobKinds[K]['metrics']
export type JobResult<K extends JobKind> = JobKinds[K]['result']

export interface JobErrorDto {
  code: string
  message: string
}

interface JobProgressFields<K extends JobKind> {
  jobId: string
  kind: K
  /** The run a 'train' job trains, so a reloaded window can link the job back to its run. */
  runId?: number
  phase: JobPhase<K>
  step?: number
  total?: number
  loss?: number
  metrics?: JobMetrics<K>
  samplesPerSecond?: number
  etaSeconds?: number
}

/** One kind's progress: a result only on success, an error only on error. */
export type JobProgressOf<K extends JobKind> = K extends JobKind
  ? JobProgressFields<K> &
      (
        | { status: 'running' | 'cancelled'; error?: undefined; result?: undefined }
        | { status: 'success'; error?: undefined; result: JobResult<K> }
        | { status: 'error'; error: JobErrorDto; result?: undefined }
      )
  : never

/** A 'jobs/progress' event: narrow on `kind` for its phases, metrics and result. */
export type JobProgressDto = JobProgressOf<JobKind>

export const jobsArgs = {
  'jobs/list': z.object({}).strict(),
  'jobs/cancel': z.object({ jobId: z.string().min(1) }).strict(),
}

export interface JobsResults {
  'jobs/list': JobProgressDto[]
  'jobs/cancel': { cancelled: boolean }
}
