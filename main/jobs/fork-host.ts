// JobHost over child_process.fork, used by the CLI and the tests (the Electron app supplies a
// utilityProcess-based host with the same small interface).
import { fork } from 'node:child_process'
import { dirname, extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tsxExecArgv } from '../shared/tsx-exec-argv'
import type { ChildToHost, HostToChild, JobHost, JobProcess } from './job-protocol'

export interface ForkHostOptions {
  /** The child's entry module (a .ts file runs through tsx). */
  entry: string
  /** Node flags for the child; defaults to tsxExecArgv() for a .ts entry. */
  execArgv?: string[]
  env?: NodeJS.ProcessEnv
}

export class ForkHost implements JobHost {
  constructor(private readonly options: ForkHostOptions) {}

  spawn(): JobProcess {
    const execArgv =
      this.options.execArgv ?? (this.options.entry.endsWith('.ts') ? tsxExecArgv() : [])
    // stdout is the CLI's JSON channel, so a job's stray prints go to stderr instead.
    const child = fork(this.options.entry, [], {
      execArgv,
      env: this.options.env ?? process.env,
      stdio: ['ignore', 2, 2, 'ipc'],
      serialization: 'advanced',
    })
    return {
      send: (message: HostToChild) => {
        if (child.connected) child.send(message)
      },
      onMessage: (listener) => child.on('message', (m) => listener(m as ChildToHost)),
      onExit: (listener) => child.once('exit', (code, signal) => listener(code, signal)),
      kill: () => {
        child.kill('SIGKILL')
      },
    }
  }
}

/** The job process entry next to this build of the code (.ts under tsx, .js when built). */
export function jobEntryPath(): string {
  const here = fileURLToPath(import.meta.url)
  return join(dirname(here), `job-entry${extname(here)}`)
}
