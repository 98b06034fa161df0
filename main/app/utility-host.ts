// The desktop app's JobHost: each job runs in an Electron utilityProcess (the CLI and tests use
// child_process.fork). Electron is injected, so this file needs no electron import to be tested.
import type { ChildToHost, HostToChild, JobHost, JobProcess } from '../jobs/job-protocol'

/** The part of Electron's UtilityProcess a job needs. */
export interface UtilityProcessLike {
  postMessage(message: unknown): void
  on(event: 'message', listener: (message: unknown) => void): unknown
  once(event: 'exit', listener: (code: number) => void): unknown
  kill(): boolean
}

/** utilityProcess.fork, narrowed. */
export type UtilityFork = (
  modulePath: string,
  args: string[],
  options: { serviceName: string; stdio: 'inherit' | 'ignore' },
) => UtilityProcessLike

export class UtilityHost implements JobHost {
  constructor(
    private readonly fork: UtilityFork,
    /** The bundled job entry (out/main/jobs/...), which calls adaptParentPort() first. */
    private readonly entry: string,
  ) {}

  spawn(): JobProcess {
    const child = this.fork(this.entry, [], {
      serviceName: 'Clinical Text Studio job',
      stdio: 'inherit',
    })
    let exited = false
    const exitListeners: ((code: number | null, signal: string | null) => void)[] = []
    child.once('exit', (code) => {
      exited = true
      for (const listener of exitListeners) listener(code, null)
    })
    return {
      send: (message: HostToChild) => {
        if (!exited) child.postMessage(message)
      },
      onMessage: (listener) => void child.on('message', (m) => listener(m as ChildToHost)),
      onExit: (listener) => void exitListeners.push(listener),
      kill: () => {
        if (!exited) child.kill()
      },
    }
  }
}

/** How long a posted message gets to leave the process before a send callback (then exit) runs. */
const FLUSH_BEFORE_CALLBACK_MS = 100

interface ParentPortLike {
  postMessage(message: unknown): void
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown
}

/**
 * Child side, first line of a job entry run by utilityProcess: there is no process.send there,
 * only process.parentPort, so this maps one onto the other and job-worker runs unchanged.
 * Returns false (and does nothing) under child_process.fork, where process.send exists.
 */
export function adaptParentPort(proc: NodeJS.Process = process): boolean {
  const port = (proc as NodeJS.Process & { parentPort?: ParentPortLike }).parentPort
  if (proc.send || !port) return false
  proc.send = ((message: unknown, ...rest: unknown[]) => {
    port.postMessage(message)
    // parentPort has no delivery callback; the worker exits in its callback, so give the message
    // a moment to leave the process before that happens.
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined
    if (callback) setTimeout(callback, FLUSH_BEFORE_CALLBACK_MS)
    return true
  }) as NodeJS.Process['send']
  port.on('message', (event) => {
    ;(proc.emit as (event: string, ...args: unknown[]) => boolean)('message', event.data)
  })
  return true
}
