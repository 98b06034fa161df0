// The one validation path for every transport (Electron IPC / the backend process, the loopback
// HTTP bridge, the CLI, `cts serve`): check the call name, parse its arguments once against the
// contract's schema, run the handler with the parsed value, wrap the outcome in an envelope.
import { CtsError } from '../shared'
import {
  callSchemas,
  type CallEnvelope,
  type CallName,
  type CtsErrorDto,
  type ServiceHandlers,
} from '../../preload/contract'

/**
 * Handlers as a transport holds them: the root's full ServiceHandlers, or a test's few fakes
 * (a call without a handler answers 'unsupported').
 */
export type Handlers = Partial<ServiceHandlers>
type LooseHandler = (args: unknown) => Promise<unknown>

export interface DispatchOptions {
  /** Where internal failures are reported: error class and stack frames only, never a message. */
  log?: (line: string) => void
}

/** One problem with a call's arguments, as `details.issues` of a 'bad-input' envelope carries it. */
export interface ArgumentIssue {
  /** Where in the arguments, e.g. ['config', 'maxLength']. */
  path: (string | number)[]
  message: string
  /** false when a service raised it about an argument's meaning (a column the file lacks). */
  fromSchema?: boolean
}

const INTERNAL_MESSAGE =
  'Something went wrong inside the app. Your data was not changed by this step.'

export function isCallName(name: string): name is CallName {
  return Object.prototype.hasOwnProperty.call(callSchemas, name)
}

/** "name: Too small …; labels[0]: …" — which field is wrong, in words a person can act on. */
export function describeIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const where = issue.path
        .map((part, i) =>
          typeof part === 'number' ? `[${part}]` : `${i ? '.' : ''}${String(part)}`,
        )
        .join('')
      return where ? `${where}: ${issue.message}` : issue.message
    })
    .join('; ')
}

/** Turns anything thrown into the DTO that crosses the bridge; unknown errors lose their text. */
export function toErrorDto(
  error: unknown,
  log?: (line: string) => void,
  channel?: string,
): CtsErrorDto {
  if (isCtsError(error)) {
    const dto: CtsErrorDto = { code: error.code, message: error.message }
    if (error.details !== undefined) dto.details = error.details
    return dto
  }
  // The message of an unexpected error may quote patient text (a SQL value, a parse error), so
  // only its class and where it happened are logged, and the caller gets a generic message.
  const name = error instanceof Error ? error.name : typeof error
  const frames =
    error instanceof Error && error.stack
      ? error.stack
          .split('\n')
          .filter((line) => /^\s+at /.test(line))
          .slice(0, 8)
          .join('\n')
      : ''
  log?.(`[cts] internal error in ${channel ?? 'a call'}: ${name}${frames ? `\n${frames}` : ''}`)
  return { code: 'internal', message: INTERNAL_MESSAGE }
}

/** Validates (once) and runs one call. Never throws: every outcome is an envelope. */
export async function dispatchCall(
  handlers: Handlers,
  channel: string,
  args: unknown,
  options: DispatchOptions = {},
): Promise<CallEnvelope> {
  const log = options.log ?? ((line: string) => console.error(line))
  if (!isCallName(channel)) {
    return { ok: false, error: { code: 'not-found', message: `Unknown call "${channel}".` } }
  }
  const parsed = callSchemas[channel].safeParse(args)
  if (!parsed.success) {
    const issues: ArgumentIssue[] = parsed.error.issues.map((i) => ({
      path: i.path.map((p) => (typeof p === 'number' ? p : String(p))),
      message: i.message,
    }))
    return {
      ok: false,
      error: {
        code: 'bad-input',
        message: `Invalid arguments for ${channel}: ${describeIssues(parsed.error.issues)}`,
        // Structured, so a transport can name its own field (the CLI: the flag) for each issue.
        details: { issues },
      },
    }
  }
  const handler = (handlers as Record<string, LooseHandler | undefined>)[channel]
  if (typeof handler !== 'function') {
    return {
      ok: false,
      error: {
        code: 'unsupported',
        message: `"${channel}" is not available in this version of the app.`,
      },
    }
  }
  try {
    const value = await handler.call(handlers, parsed.data)
    return { ok: true, value }
  } catch (error) {
    return { ok: false, error: toErrorDto(error, log, channel) }
  }
}

/** The issues of a 'bad-input' envelope from dispatchCall, or [] for any other error. */
export function argumentIssues(error: CtsErrorDto): ArgumentIssue[] {
  const issues = (error.details as { issues?: unknown } | undefined)?.issues
  return Array.isArray(issues) ? (issues as ArgumentIssue[]) : []
}

// instanceof fails when two bundles each carry a copy of the contract, so the shape counts too.
function isCtsError(error: unknown): error is CtsError {
  if (error instanceof CtsError) return true
  return (
    error instanceof Error &&
    error.name === 'CtsError' &&
    typeof (error as { code?: unknown }).code === 'string'
  )
}
