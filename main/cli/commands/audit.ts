// `cts audit verify [--json]`: walks the audit log's hash chain; exits 0 when it is intact, and
// non-zero naming the first entry that was edited, inserted or deleted in the database directly.
import { Command } from 'commander'
import { CtsError } from '../../shared'
import { withContext } from '../context'
import type { CliCommand } from './command'

export const auditCommand: CliCommand = {
  name: 'audit',
  register(program) {
    program.addCommand(
      new Command('audit').description("the audit log's integrity").addCommand(
        new Command('verify')
          .description('check that no audit entry was edited, inserted or deleted')
          .option('--json', 'print the result as JSON (exit status as without it)')
          .action(
            withContext(async (ctx, opts: { json?: boolean }) => {
              const result = await ctx.call('audit/verify', {})
              if (opts.json) ctx.printJson(result)
              if (!result.intact) {
                throw new CtsError(
                  'conflict',
                  `The audit log was tampered with at entry ${result.brokenAt}: ${result.reason}`,
                )
              }
              if (!opts.json)
                ctx.print(`Audit log intact: ${result.entries} entries, every link verified.`)
            }),
          ),
      ),
    )
  },
}
