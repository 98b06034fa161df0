// Main's handle on the backend process: starts it through an injected launcher (Electron:
// utilityProcess.fork; tests: child_process.fork), forwards calls and events, spawns job processes
// and renders PDFs on the backend's request, and restarts it if it dies (pending calls get a
// readable error envelope; the app itself never goes down with it).
import { constants, setPriority } from 'node:os'
import type { CallEnvelope } from '../../preload/contract'
import { CtsError } from '../shared'
import type { JobHost, JobProcess } from '../jobs/job-protocol'
import { toErrorDto } from '../root/dispatch'
import type { BackendRequest, BackendToMain, MainToBackend } from './backend-protocol'
import type { SecretStore } from '../shared/secret-store'

/** The part of Electron's UtilityProcess (or a wrapped ChildProcess) the client uses. */
export interface BackendProcessLike {
  /** Known once the process runs (utilityProcess: after 'spawn'; always by its 'ready'). */
  readonly pid?: number | undefined
  postMessage(message: unknown): void
  on(event: 'message', listener: (message: unknown) => void): unknown
  once(event: 'exit', listener: (code: number | null) => void): unknown
  kill(): boolean
}

export type BackendLauncher = () => BackendProcessLike

export interface BackendClientOptions {
  launch: BackendLauncher
  /** The workspace folder the backend opens. */
  home: string
  /** Main spawns the backend's job processes (Electron: UtilityHost). Absent: the backend forks them. */
  jobHost?: JobHost
  /** Renders report HTML to PDF bytes in main (Electron: printToPDF). Absent: the backend's printer. */
  renderPdf?: (html: string) => Promise<Uint8Array>
  /** Keeps team server passwords in main (Electron: safeStorage). Absent: the backend's 0600 file. */
  secrets?: SecretStore
  /** Unexpected exits that are restarted before calls answer 'backend-unavailable' (default 3). */
  maxRestarts?: number
  /**
   * Run the backend below normal CPU priority (default true): imports and evaluations are bulk
   * work, and on a busy machine the windows (main, renderers) should get the CPU first.
   */
  lowerPriority?: boolean
  /** Milliseconds the backend gets to close the workspace on shutdown before it is killed. */
  shutdownTimeoutMs?: number
  log?: (line: string) => void
}

export type BackendEventListener = (name: string, payload: unknown) => void

export const BACKEND_STOPPED_MESSAGE =
  'The part of the app that keeps your workspace stopped unexpectedly, so this step did not ' +
  'finish. Work saved before it is safe. Try the step again; if this keeps happening, restart ' +
  'Clinical Text Studio.'
export const BACKEND_UNAVAILABLE_MESSAGE =
  'The part of the app that keeps your workspace could not be started again. Close and reopen ' +
  'Clinical Text Studio; work saved before is safe.'
const CLOSING_MESSAGE = 'Clinical Text Studio is closing, so this step did not run.'

/** One run of the backend process; a restart makes a new one. */
interface Generation {
  proc: BackendProcessLike
  ready: Promise<void>
  started: boolean
  exited: boolean
  exitListeners: (() => void)[]
  /** Job processes main runs for this backend, by the backend's job id. */
  jobs: Map<number, JobProcess>
}

interface Pending {
  generation: Generation
  resolve(envelope: CallEnvelope): void
}

export class BackendClient {
  private current!: Generation
  private readonly pending = new Map<number, Pending>()
  private readonly listeners = new Set<BackendEventListener>()
  private nextId = 1
  private restarts = 0
  private closed = false
  private readonly log: (line: string) => void

  private constructor(private readonly options: BackendClientOptions) {
    this.log = options.log ?? ((line) => console.error(line))
  }

  /** Starts the backend and waits until its workspace is open (rejects with its CtsError if not). */
  static async start(options: BackendClientOptions): Promise<BackendClient> {
    const client = new BackendClient(options)
    client.current = client.launch()
    try {
      await client.current.ready
    } catch (error) {
      await client.shutdown()
      throw error
    }
    return client
  }

  /** One contract call in the backend. Never throws: every outcome is an envelope. */
  async call(name: string, args: unknown): Promise<CallEnvelope> {
    if (this.closed) return failure('backend-stopped', CLOSING_MESSAGE)
    const generation = this.current
    try {
      await generation.ready
    } catch {
      return failure('backend-unavailable', BACKEND_UNAVAILABLE_MESSAGE)
    }
    if (generation.exited) {
      // It died after starting: a restart may be under way (then the next call reaches it).
      return this.current !== generation
        ? this.call(name, args)
        : failure('backend-unavailable', BACKEND_UNAVAILABLE_MESSAGE)
    }
    const id = this.nextId++
    return new Promise<CallEnvelope>((resolve) => {
      this.pending.set(id, { generation, resolve })
      this.post(generation, { type: 'call', id, name, args })
    })
  }

  /** Events the backend pushes (the contract's Events); returns an unsubscribe function. */
  onEvent(listener: BackendEventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Asks the backend to close the workspace and exit; kills it if it takes too long. */
  async shutdown(): Promise<void> {
    this.closed = true
    const generation = this.current
    if (!generation || generation.exited) return
    await new Promise<void>((resolve) => {
      generation.exitListeners.push(resolve)
      const timer = setTimeout(() => generation.proc.kill(), this.options.shutdownTimeoutMs ?? 5000)
      timer.unref?.()
      generation.exitListeners.push(() => clearTimeout(timer))
      this.post(generation, { type: 'shutdown' })
    })
  }

  private launch(): Generation {
    const generation: Generation = {
      proc: undefined as unknown as BackendProcessLike,
      ready: Promise.resolve(),
      started: false,
      exited: false,
      exitListeners: [],
      jobs: new Map(),
    }
    generation.ready = new Promise<void>((resolve, reject) => {
      try {
        generation.proc = this.options.launch()
      } catch (error) {
        generation.exited = true
        this.log(`[cts] the backend process could not be launched: ${errorName(error)}`)
        reject(new CtsError('backend-unavailable', BACKEND_UNAVAILABLE_MESSAGE))
        return
      }
      generation.proc.on('message', (message) => {
        const m = message as BackendToMain
        if (m.type === 'ready') {
          generation.started = true
          this.lowerPriority(generation.proc)
          resolve()
        } else if (m.type === 'start-failed') {
          reject(new CtsError(m.error.code, m.error.message))
        } else {
          this.onMessage(generation, m)
        }
      })
      generation.proc.once('exit', (code) => {
        reject(new CtsError('backend-unavailable', BACKEND_UNAVAILABLE_MESSAGE))
        this.onExit(generation, code)
      })
      this.post(generation, {
        type: 'start',
        home: this.options.home,
        relayJobs: this.options.jobHost !== undefined,
        relayPdf: this.options.renderPdf !== undefined,
        relaySecrets: this.options.secrets !== undefined,
      })
    })
    // A start failure is reported through start() or the next call, not as an unhandled rejection.
    generation.ready.catch(() => {})
    return generation
  }

  private lowerPriority(proc: BackendProcessLike): void {
    if (this.options.lowerPriority === false || proc.pid === undefined) return
    try {
      setPriority(proc.pid, constants.priority.PRIORITY_BELOW_NORMAL)
    } catch (error) {
      // Not allowed on this system: the backend runs at normal priority, which only costs speed.
      this.log(`[cts] the backend's priority could not be lowered: ${errorName(error)}`)
    }
  }

  private onMessage(generation: Generation, message: BackendToMain): void {
    switch (message.type) {
      case 'result': {
        const pending = this.pending.get(message.id)
        this.pending.delete(message.id)
        pending?.resolve(message.envelope)
        return
      }
      case 'event':
        for (const listener of this.listeners) listener(message.name, message.payload)
        return
      case 'request':
        void this.answerRequest(generation, message.id, message)
        return
      case 'job-spawn':
        this.spawnJob(generation, message.jobId)
        return
      case 'job-send':
        generation.jobs.get(message.jobId)?.send(message.message)
        return
      case 'job-kill':
        generation.jobs.get(message.jobId)?.kill()
        return
      default:
        return
    }
  }

  private async answerRequest(
    generation: Generation,
    id: number,
    request: BackendRequest,
  ): Promise<void> {
    try {
      if (request.name === 'secret') {
        const value = await this.answerSecret(request)
        this.post(generation, { type: 'reply', id, ok: true, value })
        return
      }
      if (!this.options.renderPdf) {
        throw new CtsError('unsupported', 'PDF reports cannot be made in this version of the app.')
      }
      const value = await this.options.renderPdf(request.html)
      this.post(generation, { type: 'reply', id, ok: true, value })
    } catch (error) {
      this.post(generation, {
        type: 'reply',
        id,
        ok: false,
        error: toErrorDto(error, this.log, request.name),
      })
    }
  }

  /** The backend's SecretStore calls, answered from main's store (never logged). */
  private async answerSecret(
    request: Extract<BackendRequest, { name: 'secret' }>,
  ): Promise<unknown> {
    const store = this.options.secrets
    if (!store) throw new CtsError('unsupported', 'This app keeps no team passwords in main.')
    if (request.op === 'get') return store.get(request.key)
    if (request.op === 'delete') return store.delete(request.key)
    await store.set(request.key, request.secret ?? '')
    return undefined
  }

  private spawnJob(generation: Generation, jobId: number): void {
    const post = (message: MainToBackend) => this.post(generation, message)
    if (!this.options.jobHost) {
      post({ type: 'job-exit', jobId, code: null, signal: null })
      return
    }
    let job: JobProcess
    try {
      job = this.options.jobHost.spawn()
    } catch (error) {
      this.log(`[cts] a job process could not be started: ${errorName(error)}`)
      post({ type: 'job-exit', jobId, code: null, signal: null })
      return
    }
    generation.jobs.set(jobId, job)
    job.onMessage((message) => post({ type: 'job-message', jobId, message }))
    job.onExit((code, signal) => {
      generation.jobs.delete(jobId)
      post({ type: 'job-exit', jobId, code, signal })
    })
  }

  private onExit(generation: Generation, code: number | null): void {
    generation.exited = true
    // Its jobs report to a backend that is gone: stop them rather than leave them running.
    for (const job of generation.jobs.values()) job.kill()
    generation.jobs.clear()
    const stopped = this.closed
      ? failure('backend-stopped', CLOSING_MESSAGE)
      : failure('backend-stopped', BACKEND_STOPPED_MESSAGE)
    for (const [id, pending] of this.pending) {
      if (pending.generation !== generation) continue
      this.pending.delete(id)
      pending.resolve(stopped)
    }
    for (const listener of generation.exitListeners.splice(0)) listener()
    if (this.closed || !generation.started || this.current !== generation) return
    this.log(`[cts] the backend process exited unexpectedly (code ${String(code)})`)
    if (this.restarts >= (this.options.maxRestarts ?? 3)) return
    this.restarts++
    this.current = this.launch()
  }

  private post(generation: Generation, message: MainToBackend): void {
    if (generation.exited) return
    try {
      generation.proc.postMessage(message)
    } catch (error) {
      // The process is going away; its 'exit' settles whatever was waiting on it.
      this.log(`[cts] a message to the backend process was lost: ${errorName(error)}`)
    }
  }
}

function failure(code: string, message: string): CallEnvelope {
  return { ok: false, error: { code, message } }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error
}
