// Runs long work as jobs — in job processes (train, predict-file …) or in-process (imports) —
// broadcasts debounced progress as 'jobs/progress', supports cancel, and ends every job as
// success | cancelled | error — a crashed process included, without taking the host down.
import { randomUUID } from 'node:crypto'
import { CtsError } from '../shared'
import type {
  JobErrorDto,
  JobKind,
  JobProgressDto,
  JobProgressOf,
  JobResult,
  JobsResults,
} from '../../preload/contract/jobs'
import type { JobHost, JobProgressUpdate, JobWork } from './job-protocol'
import { JobCancelledError } from './job-worker'
import { ProgressThrottle } from './progress-throttle'

export type Publish = (event: 'jobs/progress', payload: JobProgressDto) => void

export interface JobServiceOptions {
  /** Starts job processes; without one the service runs only in-process jobs. */
  host?: JobHost
  publish: Publish
  /** Progress debounce interval. Default 100 ms. */
  debounceMs?: number
  /** How long a cancelled job process may take to stop before it is killed. Default 5 s. */
  cancelGraceMs?: number
  /** An encrypted workspace: its folder and artifact key, handed to each job process at start. */
  encryptedWorkspace?: { home: string; artifactKey: Uint8Array }
}

export interface StartedJob<K extends JobKind = JobKind> {
  jobId: string
  /** Resolves with the job's final state (never rejects). */
  done: Promise<JobProgressOf<K>>
}

export interface RunningWork<K extends JobKind> extends StartedJob<K> {
  /**
   * The work's own outcome for its caller: its result; the error it threw, unchanged; or, when
   * it stopped for a cancel, CtsError('cancelled') (the work's own, if it threw one).
   */
  outcome: Promise<JobResult<K>>
}

/** What `about` may carry on every event of a job. */
export type JobAbout = { runId?: number }

interface Running {
  state: JobProgressDto
  throttle: ProgressThrottle<JobProgressDto>
  cancelRequested: boolean
  killTimer?: ReturnType<typeof setTimeout>
  /** Ask the work to stop: a message to its process, or an abort of its signal. */
  requestStop: () => void
  /** Stop it now (a job process only: in-process work ends when it sees the abort). */
  kill?: () => void
  finish: (final: JobProgressDto) => void
}

function errorDtoOf(kind: JobKind, e: unknown): JobErrorDto {
  if (e instanceof CtsError) return { code: e.code, message: e.message }
  const message = e instanceof Error ? e.message : String(e)
  return { code: 'internal', message: `The ${kind} job failed unexpectedly: ${message}` }
}

export class JobService {
  private readonly jobs = new Map<string, Running>()
  private readonly finished: JobProgressDto[] = []
  /** Listeners of one job's progress, undebounced (a study follows its candidate's epochs). */
  private readonly watchers = new Map<string, Set<(p: JobProgressDto) => void>>()

  constructor(private readonly options: JobServiceOptions) {}

  /**
   * Runs `kind` in a new job process with `input`. `about` is carried on every progress event (a
   * train job's runId, for a reloaded window).
   */
  start<K extends JobKind>(kind: K, input: unknown, about: JobAbout = {}): StartedJob<K> {
    const host = this.options.host
    if (!host) {
      throw new CtsError('internal', `This service cannot start ${kind} jobs (no job processes).`)
    }
    const proc = host.spawn()
    const { job, started } = this.open(kind, about, {
      requestStop: () => proc.send({ type: 'cancel' }),
      kill: () => proc.kill(),
    })
    proc.onMessage((m) => {
      if (m.type === 'progress') {
        this.progress(job, m.progress)
      } else if (m.type === 'result') {
        // The job process ran this kind's handler, which returns this kind's result.
        job.finish(this.ended(job, { status: 'success', phase: 'done', result: m.result }))
      } else if (m.type === 'cancelled') {
        job.finish(this.ended(job, { status: 'cancelled', phase: 'cancelled' }))
      } else if (m.type === 'error') {
        job.finish(this.ended(job, { status: 'error', phase: 'failed', error: m.error }))
      }
    })
    proc.onExit((code, signal) => {
      // Exit without a final message: a crash (or our kill after a cancel that took too long).
      if (job.cancelRequested) {
        job.finish(this.ended(job, { status: 'cancelled', phase: 'cancelled' }))
        return
      }
      const how = signal ? `was stopped by signal ${signal}` : `exited with code ${code}`
      job.finish(
        this.ended(job, {
          status: 'error',
          phase: 'failed',
          error: {
            code: 'job-crashed',
            message: `The ${kind} job stopped unexpectedly (its process ${how}). Your data is unchanged; try again, or with a smaller batch size if memory ran out.`,
          },
        }),
      )
    })
    this.options.publish('jobs/progress', job.state)
    const enc = this.options.encryptedWorkspace
    proc.send({
      type: 'start',
      kind,
      input,
      ...(enc
        ? {
            workspace: {
              home: enc.home,
              artifactKey: Buffer.from(enc.artifactKey).toString('base64'),
            },
          }
        : {}),
    })
    return started
  }

  /**
   * Runs `work` in this process as a job of `kind`: listed, cancellable (its signal aborts) and
   * throttled like a job process. Its first event is its first report (no 'starting' event: there
   * is no process to wait for).
   */
  run<K extends JobKind>(kind: K, work: JobWork<K>, about: JobAbout = {}): RunningWork<K> {
    const controller = new AbortController()
    const { job, started } = this.open(kind, about, { requestStop: () => controller.abort() })
    const outcome = (async (): Promise<JobResult<K>> => {
      try {
        const result = await work({
          report: (p) => this.progress(job, p),
          signal: controller.signal,
        })
        // Work that finished despite a late cancel did its job: its result stands.
        job.finish(this.ended(job, { status: 'success', phase: 'done', result }))
        return result
      } catch (e) {
        const cancelled = e instanceof CtsError && e.code === 'cancelled'
        if (cancelled || e instanceof JobCancelledError || controller.signal.aborted) {
          job.finish(this.ended(job, { status: 'cancelled', phase: 'cancelled' }))
          throw cancelled ? e : new CtsError('cancelled', `The ${kind} job was cancelled.`)
        }
        job.finish(
          this.ended(job, { status: 'error', phase: 'failed', error: errorDtoOf(kind, e) }),
        )
        throw e
      }
    })()
    // The caller may only await `done`; the outcome's rejection is theirs to read, not unhandled.
    outcome.catch(() => {})
    return { ...started, outcome }
  }

  /** Calls `listener` with a running job's state on every progress message; returns unwatch. */
  watch(jobId: string, listener: (p: JobProgressDto) => void): () => void {
    if (!this.jobs.has(jobId)) return () => {}
    const set = this.watchers.get(jobId) ?? new Set()
    set.add(listener)
    this.watchers.set(jobId, set)
    return () => set.delete(listener)
  }

  /** Ask a running job to stop; a job process is killed if it has not stopped within the grace. */
  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId)
    if (!job) return false
    if (!job.cancelRequested) {
      job.cancelRequested = true
      job.requestStop()
      const kill = job.kill
      if (kill) job.killTimer = setTimeout(kill, this.options.cancelGraceMs ?? 5000)
    }
    return true
  }

  /** Running jobs first, then finished ones (most recent last). */
  list(): JobProgressDto[] {
    return [...[...this.jobs.values()].map((j) => j.state), ...this.finished]
  }

  /** Stop every running job (host shutdown): job processes are killed, in-process work aborted. */
  dispose(): void {
    for (const id of [...this.jobs.keys()]) this.cancel(id)
    for (const job of this.jobs.values()) job.kill?.()
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

  /** Registers a running job of `kind`; `finish` ends it once, publishing its final state. */
  private open<K extends JobKind>(
    kind: K,
    about: JobAbout,
    stop: Pick<Running, 'requestStop' | 'kill'>,
  ): { job: Running; started: StartedJob<K> } {
    const jobId = randomUUID()
    let resolveDone!: (s: JobProgressDto) => void
    const done = new Promise<JobProgressDto>((r) => (resolveDone = r))
    const publish = (s: JobProgressDto) => this.options.publish('jobs/progress', s)
    const initial = { jobId, kind, ...about, status: 'running', phase: 'starting' } as const
    const job: Running = {
      // Every kind may start in 'starting'; the literal's kind is K, as the union wants.
      state: initial as JobProgressDto,
      throttle: new ProgressThrottle(publish, this.options.debounceMs ?? 100),
      cancelRequested: false,
      ...stop,
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
    // The one place a job's state meets its kind's type: every state of this job has kind K.
    return { job, started: { jobId, done: done as Promise<JobProgressOf<K>> } }
  }

  /** A progress report merged into the job's state, throttled out, and to the watchers. */
  private progress(job: Running, update: JobProgressUpdate): void {
    // The report came from this job's own work, so its phase and metrics are of the job's kind.
    job.state = { ...job.state, ...update } as JobProgressDto
    job.throttle.push(job.state)
    for (const w of this.watchers.get(job.state.jobId) ?? []) w(job.state)
  }

  /** The job's final state: its last progress with the ending's status, phase, result or error. */
  private ended(
    job: Running,
    end:
      | { status: 'success'; phase: 'done'; result: unknown }
      | { status: 'cancelled'; phase: 'cancelled' }
      | { status: 'error'; phase: 'failed'; error: JobErrorDto },
  ): JobProgressDto {
    return { ...job.state, ...end } as JobProgressDto
  }
}
