// Runs long work (train, predict-file …) in job processes, broadcasts debounced progress as
// 'jobs/progress', supports cancel, and ends every job as success | cancelled | error — a crashed
// process included, without taking the host down.
import { randomUUID } from 'node:crypto'
import type { JobKind, JobProgressDto, JobsResults } from '../../preload/contract/jobs'
import type { JobHost, JobProcess } from './job-protocol'
import { ProgressThrottle } from './progress-throttle'

export type Publish = (event: 'jobs/progress', payload: JobProgressDto) => void

export interface JobServiceOptions {
  host: JobHost
  publish: Publish
  /** Progress debounce interval. Default 100 ms. */
  debounceMs?: number
  /** How long a cancelled job may take to stop before its process is killed. Default 5 s. */
  cancelGraceMs?: number
}

export interface StartedJob {
  jobId: string
  /** Resolves with the job's final state (never rejects). */
  done: Promise<JobProgressDto>
}

interface Running {
  state: JobProgressDto
  proc: JobProcess
  throttle: ProgressThrottle<JobProgressDto>
  cancelRequested: boolean
  killTimer?: ReturnType<typeof setTimeout>
  finish: (state: JobProgressDto) => void
}

export class JobService {
  private readonly jobs = new Map<string, Running>()
  private readonly finished: JobProgressDto[] = []
  /** Listeners of one job's progress, undebounced (a study follows its candidate's epochs). */
  private readonly watchers = new Map<string, Set<(p: JobProgressDto) => void>>()

  constructor(private readonly options: JobServiceOptions) {}

  /** `about` is carried on every progress event (a train job's runId, for a reloaded window). */
  start(kind: JobKind, input: unknown, about: Pick<JobProgressDto, 'runId'> = {}): StartedJob {
    const jobId = randomUUID()
    const proc = this.options.host.spawn()
    let resolveDone!: (s: JobProgressDto) => void
    const done = new Promise<JobProgressDto>((r) => (resolveDone = r))
    const publish = (s: JobProgressDto) => this.options.publish('jobs/progress', s)
    const job: Running = {
      state: { jobId, kind, ...about, status: 'running', phase: 'starting' },
      proc,
      throttle: new ProgressThrottle(publish, this.options.debounceMs ?? 100),
      cancelRequested: false,
      finish: (final) => {
        if (!this.jobs.has(jobId)) return
        this.jobs.delete(jobId)
        this.watchers.delete(jobId)
        if (job.killTimer) clearTimeout(job.killTimer)
        job.throttle.cancel()
        job.state = final
        this.finished.push(final)
        publish(final)
        resolveDone(final)
      },
    }
    this.jobs.set(jobId, job)

    proc.onMessage((m) => {
      if (m.type === 'progress') {
        job.state = { ...job.state, ...m.progress }
        job.throttle.push(job.state)
        for (const w of this.watchers.get(jobId) ?? []) w(job.state)
      } else if (m.type === 'result') {
        job.finish({ ...job.state, status: 'success', phase: 'done', result: m.result })
      } else if (m.type === 'cancelled') {
        job.finish({ ...job.state, status: 'cancelled', phase: 'cancelled' })
      } else if (m.type === 'error') {
        job.finish({ ...job.state, status: 'error', phase: 'failed', error: m.error })
      }
    })
    proc.onExit((code, signal) => {
      // Exit without a final message: a crash (or our kill after a cancel that took too long).
      if (job.cancelRequested) {
        job.finish({ ...job.state, status: 'cancelled', phase: 'cancelled' })
        return
      }
      const how = signal ? `was stopped by signal ${signal}` : `exited with code ${code}`
      job.finish({
        ...job.state,
        status: 'error',
        phase: 'failed',
        error: {
          code: 'job-crashed',
          message: `The ${kind} job stopped unexpectedly (its process ${how}). Your data is unchanged; try again, or with a smaller batch size if memory ran out.`,
        },
      })
    })
    publish(job.state)
    proc.send({ type: 'start', kind, input })
    return { jobId, done }
  }

  /** Calls `listener` with a running job's state on every progress message; returns unwatch. */
  watch(jobId: string, listener: (p: JobProgressDto) => void): () => void {
    if (!this.jobs.has(jobId)) return () => {}
    const set = this.watchers.get(jobId) ?? new Set()
    set.add(listener)
    this.watchers.set(jobId, set)
    return () => set.delete(listener)
  }

  /** Ask a running job to stop; it is killed if it has not stopped within the grace period. */
  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId)
    if (!job) return false
    if (!job.cancelRequested) {
      job.cancelRequested = true
      job.proc.send({ type: 'cancel' })
      job.killTimer = setTimeout(() => job.proc.kill(), this.options.cancelGraceMs ?? 5000)
    }
    return true
  }

  /** Running jobs first, then finished ones (most recent last). */
  list(): JobProgressDto[] {
    return [...[...this.jobs.values()].map((j) => j.state), ...this.finished]
  }

  /** Kill every running job (host shutdown). */
  dispose(): void {
    for (const id of [...this.jobs.keys()]) this.cancel(id)
    for (const job of this.jobs.values()) job.proc.kill()
  }

  /** Contract handlers for 'jobs/list' and 'jobs/cancel'. */
  handlers(): {
    'jobs/list': (args: Record<string, never>) => Promise<JobsResults['jobs/list']>
    'jobs/cancel': (args: { jobId: string }) => Promise<JobsResults['jobs/cancel']>
  } {
    return {
      'jobs/list': async () => this.list(),
      'jobs/cancel': async ({ jobId }) => ({ cancelled: this.cancel(jobId) }),
    }
  }
}
