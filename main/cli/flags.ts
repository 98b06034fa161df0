// Parsing of flag values shared by several commands, with messages that name the flag.
import { CtsError } from '../../preload/contract'

/** --run: a positive whole number (the id `cts train` prints). */
export function runIdFlag(value: string): number {
  const runId = Number(value)
  if (!Number.isInteger(runId) || runId < 1)
    throw new CtsError('bad-input', `--run must be a run id (got "${value}").`)
  return runId
}
