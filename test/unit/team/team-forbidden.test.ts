// SQLSTATE 42501 (a missing privilege or a row-level security check) becomes 'team-forbidden' with
// a message a clinician can act on, and the CLI treats it as a user error (exit 2).
import { describe, expect, it } from 'vitest'
import { describeFailure, EXIT_BAD_INPUT } from '../../../main/cli/exit-codes'
import { mapPgError } from '../../../main/store/pg/pg-database'

const addr = { host: '127.0.0.1', port: 5432, user: 'ann_li' }
const refusal = (message: string) =>
  mapPgError(Object.assign(new Error(message), { code: '42501' }), addr) as Error & {
    code: string
    details: unknown
  }

describe('42501 → team-forbidden', () => {
  it('names what was refused, from the table in the server’s message, and whom to ask', () => {
    const e = refusal('permission denied for table projects')
    expect(e.code).toBe('team-forbidden')
    expect(e.message).toBe(
      'Your team role does not allow this: creating, renaming, deleting or setting up projects. Ask a lead of the team workspace.',
    )
    expect(e.details).toEqual({
      host: '127.0.0.1',
      port: 5432,
      sqlState: '42501',
      table: 'projects',
    })
  })

  it('reads row-level security refusals too', () => {
    const e = refusal('new row violates row-level security policy for table "annotator_labels"')
    expect(e.message).toBe(
      'Your team role does not allow this: labelling a text that is not assigned to you, or under another annotator’s name. Ask a lead of the team workspace.',
    )
  })

  it('never repeats a message it does not know (it could quote anything): "this change"', () => {
    const e = refusal('permission denied for function cts_grant_member 病人 张三')
    expect(e.message).toBe(
      'Your team role does not allow this: this change. Ask a lead of the team workspace.',
    )
    expect(e.details).toEqual({ host: '127.0.0.1', port: 5432, sqlState: '42501' })
    expect(refusal('permission denied for table some_other_table').message).toBe(
      'Your team role does not allow this: this change. Ask a lead of the team workspace.',
    )
  })

  it('is a user error for the CLI: exit 2 and the message', () => {
    expect(describeFailure(refusal('permission denied for table runs'))).toEqual({
      exitCode: EXIT_BAD_INPUT,
      message:
        'Error: Your team role does not allow this: starting or changing training runs. Ask a lead of the team workspace.',
    })
  })
})
