// Backend side of job processes spawned by main: a JobHost whose processes live in the Electron
// main process (utilityProcess.fork is a main-process-only API), reached over the backend channel.
import type { ChildToHost, HostToChild, JobHost, JobProcess } from '../jobs/job-protocol'
import type { BackendToMain } from './backend-protocol'

interface RelayedJob {
  exited: boolean
  messageListeners: ((message: ChildToHost) => void)[]
  exitListeners: ((code: number | null, signal: string | null) => void)[]
}

export class RelayJobHost implements JobHost {
  private nextId = 1
  private readonly jobs = new Map<number, RelayedJob>()

  constructor(private readonly post: (message: BackendToMain) => void) {}

  spawn(): JobProcess {
    const jobId = this.nextId++
    const job: RelayedJob = { exited: false, messageListeners: [], exitListeners: [] }
    this.jobs.set(jobId, job)
    this.post({ type: 'job-spawn', jobId })
    return {
      send: (message: HostToChild) => {
        if (!job.exited) this.post({ type: 'job-send', jobId, message })
      },
      onMessage: (listener) => void job.messageListeners.push(listener),
      onExit: (listener) => void job.exitListeners.push(listener),
      kill: () => {
        if (!job.exited) this.post({ type: 'job-kill', jobId })
      },
    }
  }

  /** A message from the job process main runs for us. */
  message(jobId: number, message: ChildToHost): void {
    const job = this.jobs.get(jobId)
    if (!job || job.exited) return
    for (const listener of job.messageListeners) listener(message)
  }

  /** The job process has exited (main reports it once). */
  exit(jobId: number, code: number | null, signal: string | null): void {
    const job = this.jobs.get(jobId)
    if (!job || job.exited) return
    job.exited = true
    this.jobs.delete(jobId)
    for (const listener of job.exitListeners) listener(code, signal)
  }
}
