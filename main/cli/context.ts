// What a CLI command gets: the workspace, the contract's calls over the app's own handlers (same
// validation as the window), output helpers and project lookup by name or id.
import { mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import {
  CtsError,
  type CallArgs,
  type CallName,
  type CallResult,
  type EventName,
  type Events,
  type ProjectDto,
} from '../../preload/contract'
import { dispatchCall } from '../web/call-dispatch'
import { openServices } from '../web/open-services'

export interface CliContext {
  home: string
  /** Runs one call of the contract; a failure throws a CtsError with the service's message. */
  call<C extends CallName>(name: C, args: CallArgs<C>): Promise<CallResult<C>>
  /** A project by exact name, or by id when the reference is a number no project is named. */
  resolveProject(ref: string): Promise<ProjectDto>
  print(text: string): void
  printJson(value: unknown): void
  /** Listens to events the services push (e.g. 'jobs/progress' for a progress line on stderr). */
  onEvent<E extends EventName>(event: E, listener: (payload: Events[E]) => void): void
}

/** --home, else CTS_HOME, else ~/.cts-workspace. */
export function workspaceHome(flag: string | undefined): string {
  return resolve(flag ?? process.env.CTS_HOME ?? resolve(homedir(), '.cts-workspace'))
}

/** Logs internal failures to stderr by class only: stdout is for results (JSON with --json). */
const logToStderr = (line: string) => process.stderr.write(line + '\n')

/**
 * Wraps a command's action: opens the services on the workspace, runs the action with a context
 * and closes them again, whatever happens. Commander passes (...positionals, options, command).
 */
export function withContext<A extends unknown[]>(
  action: (ctx: CliContext, ...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const command = args[args.length - 1] as Command
    const home = workspaceHome(command.optsWithGlobals<{ home?: string }>().home)
    mkdirSync(home, { recursive: true })
    const listeners: { event: EventName; fn: (payload: never) => void }[] = []
    const services = await openServices(home, (event, payload) => {
      for (const l of listeners) if (l.event === event) l.fn(payload as never)
    })
    try {
      const call = async <C extends CallName>(name: C, callArgs: CallArgs<C>) => {
        const envelope = await dispatchCall(services.handlers, name, callArgs, { log: logToStderr })
        if (!envelope.ok) {
          throw new CtsError(envelope.error.code, envelope.error.message, envelope.error.details)
        }
        return envelope.value as CallResult<C>
      }
      const ctx: CliContext = {
        home,
        call,
        resolveProject: async (ref) => {
          const projects = await call('projects/list', {})
          const found =
            projects.find((p) => p.name === ref) ??
            (/^\d+$/.test(ref) ? projects.find((p) => p.id === Number(ref)) : undefined)
          if (found) return found
          const known = projects.map((p) => `"${p.name}" (${p.id})`).join(', ')
          throw new CtsError(
            'not-found',
            `No project "${ref}" in ${home}.` +
              (known ? ` Projects: ${known}.` : ' It has no projects yet.'),
          )
        },
        print: (text) => process.stdout.write(text + '\n'),
        printJson: (value) => process.stdout.write(JSON.stringify(value) + '\n'),
        onEvent: (event, fn) => void listeners.push({ event, fn }),
      }
      await action(ctx, ...args)
    } finally {
      await services.close()
    }
  }
}
