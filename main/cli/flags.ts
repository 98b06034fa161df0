// Parsing of flag values shared by several commands, with messages that name the flag, and the
// progress line a command prints on stderr while a job runs.
import type { JobProgressDto } from '../../preload/contract'
import { CtsError } from '../shared'

/** --run: a positive whole number (the id `cts train` prints). */
export function runIdFlag(value: string): number {
  const runId = Number(value)
  if (!Number.isInteger(runId) || runId < 1)
    throw new CtsError(
      'bad-input',
      `--run must be a run id: a whole number greater than 0 (got "${value}").`,
    )
  return runId
}

/**
 * A numeric flag's value for a contract argument. Text that is not a number goes through as it
 * was typed, so the contract's schema (the one validation) rejects it and the message names the
 * flag and what it allows.
 */
export function numberFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  return value.trim() !== '' && Number.isFinite(n) ? n : (value as unknown as number)
}

/** stderr gets a line at most every 2 s while training, on every phase change otherwise. */
export function progressPrinter(
  lineOf: (p: JobProgressDto) => string | undefined,
): (p: JobProgressDto) => void {
  let lastLine = 0
  return (p) => {
    const line = lineOf(p)
    const now = Date.now()
    if (line && (p.phase !== 'training' || now - lastLine > 2000)) {
      lastLine = now
      process.stderr.write(line + '\n')
    }
  }
}
