// Validates a call's arguments against its contract schema inside a service's handler, so a
// handler driven directly (tests, CLI) gets the same checks and messages as one behind a transport.
import type { z } from 'zod'
import { CtsError } from '../../preload/contract/common'

export function validArgs<S extends z.ZodType>(schema: S, args: unknown): z.output<S> {
  const parsed = schema.safeParse(args)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : ''
  throw new CtsError(
    'bad-input',
    `The request was not valid (${where}${issue?.message ?? 'invalid'}).`,
  )
}
