// A BackendLauncher over child_process.fork (tests, tools): the same small interface Electron's
// utilityProcess gives main, so BackendClient runs unchanged outside Electron.
import { fork } from 'node:child_process'
import { dirname, extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tsxExecArgv } from '../shared/tsx-exec-argv'
import type { BackendLauncher, BackendProcessLike } from './backend-client'

export interface ForkBackendOptions {
  /** Node flags for the child; defaults to tsxExecArgv() for a .ts entry. */
  execArgv?: string[]
  env?: NodeJS.ProcessEnv
}

export function forkBackend(entry: string, options: ForkBackendOptions = {}): BackendLauncher {
  return () => {
    const child = fork(entry, [], {
      execArgv: options.execArgv ?? (entry.endsWith('.ts') ? tsxExecArgv() : []),
      env: options.env ?? process.env,
      // stdout may be a CLI's JSON channel: stray prints go to stderr.
      stdio: ['ignore', 2, 2, 'ipc'],
      // Structured clone, as utilityProcess uses (PDF bytes cross as a Uint8Array).
      serialization: 'advanced',
    })
    // A send to a child that just died fails with an 'error' event; its 'exit' tells the client.
    child.on('error', () => {})
    const proc: BackendProcessLike = {
      pid: child.pid,
      postMessage: (message) => {
        if (child.connected) child.send(message as never)
      },
      on: (event, listener) => child.on(event, listener),
      once: (event, listener) => child.once(event, (code: number | null) => listener(code)),
      kill: () => child.kill('SIGKILL'),
    }
    return proc
  }
}

/** The backend entry next to this build of the code (.ts under tsx, .js when built). */
export function backendEntryPath(): string {
  const here = fileURLToPath(import.meta.url)
  return join(dirname(here), `backend-entry${extname(here)}`)
}
