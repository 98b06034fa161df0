// Child side of a job: receives 'start', runs the handler for its kind with a progress reporter
// and an AbortSignal, and answers with exactly one result, cancelled or error message.
import type { JobKind, JobResult } from '../../preload/contract/jobs'
import type { ChildToHost, HostToChild, JobContext } from './job-protocol'
import { registerArtifactKey } from '../shared/artifact-crypto'

export type { JobContext } from './job-protocol'

/** A kind's work in a job process: it reports that kind's phases and ends with its result. */
export type JobHandler<K extends JobKind> = (
  input: unknown,
  ctx: JobContext<K>,
) => Promise<JobResult<K>>

/** The handlers a job entry module registers, each typed by its kind. */
export type JobHandlers = { [K in JobKind]?: JobHandler<K> }

/** Thrown (or rethrown) by a handler that stopped because ctx.signal was aborted. */
export class JobCancelledError extends Error {
  constructor() {
    super('cancelled')
    this.name = 'JobCancelledError'
  }
}

interface Channel {
  send(m: ChildToHost): void
  /** Send the final message, then exit once it has left. */
  sendAndExit(m: ChildToHost): void
  onMessage(listener: (m: HostToChild) => void): void
}

/**
 * Node's IPC channel (child_process.fork). In the desktop app, main/app/utility-host.ts maps
 * utilityProcess's parentPort onto process.send before this module loads.
 */
function parentChannel(): Channel {
  if (!process.send) throw new Error('runJobWorker must run in a child process with an IPC channel')
  return {
    send: (m) => process.send!(m),
    sendAndExit: (m) => process.send!(m, undefined, undefined, () => process.exit(0)),
    onMessage: (listener) => process.on('message', (raw) => listener(raw as HostToChild)),
  }
}

/** Start listening on the parent channel; call once from a job entry module. */
export function runJobWorker(handlers: JobHandlers): void {
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
    // An encrypted workspace: this job's artifacts under its folder are written encrypted.
    if (msg.workspace)
      registerArtifactKey(msg.workspace.home, Buffer.from(msg.workspace.artifactKey, 'base64'))
    void run(msg.kind, msg.input)
  })

  async function run(kind: JobKind, input: unknown): Promise<void> {
    // The host sends the kind it started; any handler reports and returns JSON for its own kind.
    const handler: JobHandler<JobKind> | undefined = handlers[kind]
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
