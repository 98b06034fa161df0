// The one validation path for every transport (Electron IPC, the loopback HTTP bridge, the CLI):
// check the call name, validate its arguments against the contract, run the handler, wrap the result.
// It lives here, not in main/app, because the layering rule keeps web/ and cli/ out of app/.
import {
  callNames,
  callSchemas,
  CtsError,
  type CallEnvelope,
  type CallName,
  type Contract,
  type CtsErrorDto,
} from '../../preload/contract'

/** Any object of call → handler; services, the job service and test fakes merge into one. */
export type Handlers = Partial<Contract>
type LooseHandler = (args: unknown) => Promise<unknown>

export interface DispatchOptions {
  /** Where internal failures are reported: error class and stack frames only, never a message. */
  log?: (line: string) => void
}

const INTERNAL_MESSAGE =
  'Something went wrong inside the app. Your data was not changed by this step.'

export function isCallName(name: string): name is CallName {
  return Object.prototype.hasOwnProperty.call(callSchemas, name)
}

/**
 * Merges handler objects; later ones win, so a job service can add or override calls. Methods
 * are bound to their object, so class instances (prototype methods) merge as well as plain ones.
 */
export function mergeHandlers(...parts: (object | undefined)[]): Handlers {
  const merged: Record<string, LooseHandler> = {}
  for (const part of parts) {
    if (!part) continue
    for (const name of callNames) {
      const fn = (part as Record<string, unknown>)[name]
      if (typeof fn === 'function') merged[name] = fn.bind(part) as LooseHandler
    }
  }
  return merged as Handlers
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

/** Validates and runs one call. Never throws: every outcome is an envelope. */
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
    return {
      ok: false,
      error: {
        code: 'bad-input',
        message: `Invalid arguments for ${channel}: ${describeIssues(parsed.error.issues)}`,
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

// instanceof fails when two bundles each carry a copy of the contract, so the shape counts too.
function isCtsError(error: unknown): error is CtsError {
  if (error instanceof CtsError) return true
  return (
    error instanceof Error &&
    error.name === 'CtsError' &&
    typeof (error as { code?: unknown }).code === 'string'
  )
}
