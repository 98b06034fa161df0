// Messages between the job service (host side) and a job process (child side). Plain JSON-able
// values, so the same protocol runs over child_process.fork and Electron's utilityProcess.
import type {
  JobErrorDto,
  JobKind,
  JobMetrics,
  JobProgressOf,
  JobResult,
  JobWorkPhase,
} from '../../preload/contract/jobs'

/** Progress a job's work reports (the contract's fields); the service adds jobId, kind and status. */
export type JobProgressUpdate<K extends JobKind = JobKind> = K extends JobKind
  ? Pick<JobProgressOf<K>, 'step' | 'total' | 'loss' | 'samplesPerSecond' | 'etaSeconds'> & {
      phase: JobWorkPhase<K>
      metrics?: JobMetrics<K>
    }
  : never

/** What a job's work gets: a progress reporter and the signal a cancel aborts. */
export interface JobContext<K extends JobKind> {
  report(progress: JobProgressUpdate<K>): void
  signal: AbortSignal
}

/** A job's work: in a job process (input from the host) or in-process (input bound by the caller). */
export type JobWork<K extends JobKind> = (ctx: JobContext<K>) => Promise<JobResult<K>>

/**
 * 'start' of a job on an encrypted workspace carries its folder and artifact key (base64), so the
 * job writes and reads its run artifacts encrypted; the key travels over IPC only, never to disk.
 */
export type HostToChild =
  | {
      type: 'start'
      kind: JobKind
      input: unknown
      workspace?: { home: string; artifactKey: string }
    }
  | { type: 'cancel' }

export type ChildToHost =
  | { type: 'progress'; progress: JobProgressUpdate }
  | { type: 'result'; result: unknown }
  | { type: 'cancelled' }
  | { type: 'error'; error: JobErrorDto }

/** The process a job runs in, as the service sees it (fork in the CLI and tests, utilityProcess in the app). */
export interface JobProcess {
  send(message: HostToChild): void
  onMessage(listener: (message: ChildToHost) => void): void
  /** Called once when the process has exited, whatever the reason. */
  onExit(listener: (code: number | null, signal: string | null) => void): void
  kill(): void
}

/** Starts job processes running one entry module. */
export interface JobHost {
  spawn(): JobProcess
}
