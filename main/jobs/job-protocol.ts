// Messages between the job service (host side) and a job process (child side). Plain JSON-able
// values, so the same protocol runs over child_process.fork and Electron's utilityProcess.
import type { JobKind, JobProgressDto } from '../../preload/contract/jobs'

/** Progress a job reports (the contract's fields); the service adds jobId, kind and status. */
export type JobProgressUpdate = Pick<
  JobProgressDto,
  'phase' | 'step' | 'total' | 'loss' | 'metrics' | 'samplesPerSecond' | 'etaSeconds'
>

export type HostToChild = { type: 'start'; kind: JobKind; input: unknown } | { type: 'cancel' }

export type ChildToHost =
  | { type: 'progress'; progress: JobProgressUpdate }
  | { type: 'result'; result: unknown }
  | { type: 'cancelled' }
  | { type: 'error'; error: { code: string; message: string } }

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
