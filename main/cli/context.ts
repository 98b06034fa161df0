// What a CLI command gets: the workspace, the contract's calls through the composition root's one
// dispatch path (same validation as the window), output helpers and project lookup by name or id.
import { mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { CtsError } from '../shared'
import type {
  CallArgs,
  CallName,
  CallResult,
  EventName,
  Events,
  JobProgressDto,
  ProjectDto,
} from '../../preload/contract'
import { boot } from '../root/boot'
import { argumentIssues } from '../root/dispatch'
import { flagMessage, quotedFlag, type FlagMap } from './flag-errors'

export type { FlagMap }

export interface CliContext {
  home: string
  /**
   * Runs one call of the contract; a failure throws a CtsError with the service's message. With
   * `flags` (argument path → flag), a bad argument is reported by the flag that gave it.
   */
  call<C extends CallName>(name: C, args: CallArgs<C>, flags?: FlagMap): Promise<CallResult<C>>
  /** A project by exact name, or by id when the reference is a number no project is named. */
  resolveProject(ref: string, flag?: string): Promise<ProjectDto>
  /** Polls 'jobs/list' until the job has ended; its final progress. */
  jobEnded(jobId: string): Promise<JobProgressDto>
  /** Polls `get` until what it returns is no longer 'running'. */
  ended<T extends { status: string }>(get: () => Promise<T>): Promise<T>
  /** Runs `stop` on Ctrl-C while the command runs (e.g. cancel a job through the contract). */
  onInterrupt(stop: () => Promise<unknown>): void
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

/** How often a CLI command looks at a job, run or study it waits for. */
const POLL_MS = 100
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Wraps a command's action: boots the backend on the workspace, runs the action with a context
 * and shuts it down again, whatever happens. Commander passes (...positionals, options, command).
 */
export function withContext<A extends unknown[]>(
  action: (ctx: CliContext, ...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const command = args[args.length - 1] as Command
    const home = workspaceHome(command.optsWithGlobals<{ home?: string }>().home)
    try {
      mkdirSync(home, { recursive: true })
    } catch {
      throw new CtsError(
        'bad-input',
        `--home must be a folder for the workspace (or $CTS_HOME); ${home} cannot be one.`,
      )
    }
    const listeners: { event: EventName; fn: (payload: never) => void }[] = []
    const backend = await boot({
      home,
      publish: (event, payload) => {
        for (const l of listeners) if (l.event === event) l.fn(payload as never)
      },
      onStudyMessage: (id, m) => process.stderr.write(`study ${id}: ${m}\n`),
    })
    const interrupts: (() => void)[] = []
    try {
      const call = async <C extends CallName>(name: C, callArgs: CallArgs<C>, flags?: FlagMap) => {
        const envelope = await backend.dispatch(name, callArgs, { log: logToStderr })
        if (!envelope.ok) {
          const { code, message, details } = envelope.error
          const issues = argumentIssues(envelope.error)
          let byFlag = flags ? flagMessage(name, callArgs, issues, flags) : null
          // Something a flag named is not there ("The wheel file /x.whl was not found."): say which.
          const quoted =
            flags && !byFlag && code === 'not-found' ? quotedFlag(callArgs, message, flags) : null
          if (quoted && !message.includes(quoted)) byFlag = `${quoted}: ${message}`
          throw new CtsError(code, byFlag ?? message, byFlag ? undefined : details)
        }
        return envelope.value as CallResult<C>
      }
      const ended = async <T extends { status: string }>(get: () => Promise<T>) => {
        for (;;) {
          const value = await get()
          if (value.status !== 'running') return value
          await sleep(POLL_MS)
        }
      }
      const ctx: CliContext = {
        home,
        call,
        resolveProject: async (ref, flag = '--project') => {
          const projects = await call('projects/list', {})
          const found =
            projects.find((p) => p.name === ref) ??
            (/^\d+$/.test(ref) ? projects.find((p) => p.id === Number(ref)) : undefined)
          if (found) return found
          const known = projects.map((p) => `"${p.name}" (${p.id})`).join(', ')
          throw new CtsError(
            'not-found',
            `No project "${ref}" in ${home} (${flag} takes a project's name or id).` +
              (known ? ` Projects: ${known}.` : ' It has no projects yet.'),
          )
        },
        jobEnded: async (jobId) =>
          ended(async () => {
            const job = (await call('jobs/list', {})).find((j) => j.jobId === jobId)
            if (!job)
              throw new CtsError('internal', `Job ${jobId} is not known to the job service.`)
            return job
          }),
        ended,
        onInterrupt: (stop) => {
          const handler = () => void stop().catch(() => undefined)
          process.once('SIGINT', handler)
          interrupts.push(() => process.off('SIGINT', handler))
        },
        print: (text) => process.stdout.write(text + '\n'),
        printJson: (value) => process.stdout.write(JSON.stringify(value) + '\n'),
        onEvent: (event, fn) => void listeners.push({ event, fn }),
      }
      await action(ctx, ...args)
    } finally {
      for (const off of interrupts) off()
      await backend.shutdown()
    }
  }
}
