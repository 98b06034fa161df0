// Long work (import, train, predict-file, export) runs as jobs with pushed progress.
import { z } from 'zod'

export type JobKind =
  'import' | 'train' | 'predict-file' | 'export' | 'cv' | 'test-run' | 'step-probe'
export type JobStatus = 'running' | 'success' | 'cancelled' | 'error'

export interface JobProgressDto {
  jobId: string
  kind: JobKind
  status: JobStatus
  /** The run a 'train' job trains, so a reloaded window can link the job back to its run. */
  runId?: number
  phase: string
  step?: number
  total?: number
  loss?: number
  metrics?: Record<string, number>
  samplesPerSecond?: number
  etaSeconds?: number
  error?: { code: string; message: string }
  result?: unknown
}

export const jobsArgs = {
  'jobs/list': z.object({}).strict(),
  'jobs/cancel': z.object({ jobId: z.string().min(1) }).strict(),
}

export interface JobsResults {
  'jobs/list': JobProgressDto[]
  'jobs/cancel': { cancelled: boolean }
}
