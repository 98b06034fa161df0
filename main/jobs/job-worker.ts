// Child side of a job: receives 'start', runs the handler for its kind with a progress reporter
// and an AbortSignal, and answers with exactly one result, cancelled or error message.
import type { JobKind } from '../../preload/contract/jobs'
import type { ChildToHost, HostToChild, JobProgressUpdate } from './job-protocol'

export interface JobContext {
  report(progress: JobProgressUpdate): void
  signal: AbortSignal
}

export type JobHandler = (input: unknown, ctx: JobContext) => Promise<unknown>

/** Thrown (or rethrown) by a handler that stopped because ctx.signal was aborted. */
export class JobCancelledError extends Error {
  constructor() {
    super('cancelled')
    this.name = 'JobCancelledError'
  }
}

/** Electron's utilityProcess child side (process.parentPort), typed here without importing electron. */
interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void
  postMessage(message: unknown): void
}

interface Channel {
  send(m: ChildToHost): void
  /** Send the final message, then exit once it has left. */
  sendAndExit(m: ChildToHost): void
  onMessage(listener: (m: HostToChild) => void): void
}

/** The parent channel: a utilityProcess port in the app, Node's IPC under child_process.fork. */
function parentChannel(): Channel {
  const port = (process as unknown as { parentPort?: ParentPort }).parentPort
  if (port) {
    return {
      send: (m) => port.postMessage(m),
      // postMessage hands the message over synchronously; let the event loop flush it first.
      sendAndExit: (m) => {
        port.postMessage(m)
        setTimeout(() => process.exit(0), 50)
      },
      onMessage: (listener) => port.on('message', (e) => listener(e.data as HostToChild)),
    }
  }
  if (!process.send) throw new Error('runJobWorker must run in a child process with an IPC channel')
  return {
    send: (m) => process.send!(m),
    sendAndExit: (m) => process.send!(m, undefined, undefined, () => process.exit(0)),
    onMessage: (listener) => process.on('message', (raw) => listener(raw as HostToChild)),
  }
}

/** Start listening on the parent channel; call once from a job entry module. */
export function runJobWorker(handlers: Partial<Record<JobKind, JobHandler>>): void {
  const channel = parentChannel()
  const send = (m: ChildToHost) => channel.send(m)
  const controller = new AbortController()
  let started = false
  channel.onMessage((msg) => {
    if (msg.type === 'cancel') {
      controller.abort()
      return
    }
    if (msg.type !== 'start' || started) return
    started = true
    void run(msg.kind, msg.input)
  })

  async function run(kind: JobKind, input: unknown): Promise<void> {
    const handler = handlers[kind]
    let reply: ChildToHost
    try {
      if (!handler)
        throw Object.assign(new Error(`no job handler for '${kind}'`), { code: 'unsupported' })
      const result = await handler(input, {
        report: (progress) => send({ type: 'progress', progress }),
        signal: controller.signal,
      })
      reply = controller.signal.aborted ? { type: 'cancelled' } : { type: 'result', result }
    } catch (e) {
      if (controller.signal.aborted || e instanceof JobCancelledError) {
        reply = { type: 'cancelled' }
      } else {
        const err = e as { code?: unknown; message?: unknown }
        reply = {
          type: 'error',
          error: {
            code: typeof err.code === 'string' ? err.code : 'internal',
            message: typeof err.message === 'string' ? err.message : String(e),
          },
        }
      }
    }
    channel.sendAndExit(reply)
  }
}
