// How a failure becomes an exit status and one line on stderr: 2 for anything the user can fix
// (bad input, missing project or file, conflict), 1 for an internal error. Never a stack trace.
import { CommanderError } from 'commander'

export const EXIT_OK = 0
export const EXIT_INTERNAL = 1
export const EXIT_BAD_INPUT = 2

const USER_ERROR_CODES = new Set([
  'bad-input',
  'not-found',
  'conflict',
  'unsupported',
  'forbidden',
  'cancelled',
  // A GPU pack wheel whose sha256 or size differs (a wrong or damaged copy): the user can fix it.
  'gpu-pack-mismatch',
  // D2 (issue #17): a team server that refused the login or cannot be reached: the user can fix it.
  'team-auth',
  'team-unreachable',
  // Issue #17 point 5: every pooled connection was in use by this computer's own work; retry.
  'team-busy',
  // Issue #17 point 3: the member's team role does not allow the step; a lead can do it.
  'team-forbidden',
])

export interface Failure {
  exitCode: number
  /** Printed to stderr; null when commander has already printed its own message. */
  message: string | null
}

export function describeFailure(error: unknown): Failure {
  if (error instanceof CommanderError) {
    // Help and --version "fail" with exit code 0; usage errors are bad input.
    const exitCode = error.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT
    return { exitCode, message: null }
  }
  const code = (error as { code?: unknown } | null)?.code
  const isCts = error instanceof Error && error.name === 'CtsError' && typeof code === 'string'
  if (isCts && USER_ERROR_CODES.has(code))
    return { exitCode: EXIT_BAD_INPUT, message: `Error: ${error.message}` }
  if (isCts) return { exitCode: EXIT_INTERNAL, message: `Error: ${error.message}` }
  // Not ours: name the class only; its message might quote patient text.
  const name = error instanceof Error ? error.name : typeof error
  return {
    exitCode: EXIT_INTERNAL,
    message: `Internal error (${name}). Nothing was changed by the failed step.`,
  }
}
