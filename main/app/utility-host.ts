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
