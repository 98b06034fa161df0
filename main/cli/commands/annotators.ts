// `cts annotators [--use NAME] [--json]`: the annotator profiles labels are recorded under (the
// current one marked), and switching to another (created when new), as the app's profile chooser.
import { Command } from 'commander'
import type { AnnotatorsDto } from '../../../preload/contract'
import { withContext, type FlagMap } from '../context'
import type { CliCommand } from './command'

interface AnnotatorsOptions {
  use?: string
  json?: boolean
}

/** Which flag fills which argument of 'annotators/use'. */
const USE_FLAGS: FlagMap = { name: '--use' }

/** One line per profile, the current one marked with `*`. */
function listing(a: AnnotatorsDto): string {
  const lines: string[] = []
  if (a.current === null) {
    lines.push(
      `No profile chosen yet: labels are recorded as "${a.osUser}" (the system user). ` +
        'Choose one with cts annotators --use NAME.',
    )
  }
  if (a.profiles.length === 0) lines.push('No annotators yet.')
  for (const p of a.profiles) {
    const mark = p.name === a.current ? '*' : ' '
    const since = p.createdAt ? `profile since ${p.createdAt.slice(0, 10)}` : 'from recorded labels'
    lines.push(`${mark} ${p.name}\t${p.annotations} labelled text(s)\t${since}`)
  }
  return lines.join('\n')
}

export const annotatorsCommand: CliCommand = {
  name: 'annotators',
  register(program) {
    program.addCommand(
      new Command('annotators')
        .description('annotator profiles (current marked *); --use switches who labels')
        .option('--use <name>', 'record later labels as this annotator (created when new)')
        .option('--json', 'print one JSON object with the profiles')
        .action(
          withContext(async (ctx, opts: AnnotatorsOptions) => {
            const result =
              opts.use === undefined
                ? await ctx.call('annotators/list', {})
                : await ctx.call('annotators/use', { name: opts.use }, USE_FLAGS)
            if (opts.json) return ctx.printJson(result)
            if (opts.use !== undefined) ctx.print(`Labels are now recorded as "${result.current}".`)
            ctx.print(listing(result))
          }),
        ),
    )
  },
}
