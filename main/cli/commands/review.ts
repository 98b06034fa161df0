// `cts review --project P [--k K] [--limit N]`: the label-error review queue — labelled texts whose
// out-of-fold probabilities say the given label is likely wrong (confident learning), worst first.
import { Command } from 'commander'
import { withContext, type FlagMap } from '../context'
import { numberFlag } from '../flags'
import type { CliCommand } from './command'

interface ReviewOptions {
  project: string
  k?: string
  limit?: string
  json?: boolean
}

/** Which flag fills which argument of 'review/list'. */
const REVIEW_FLAGS: FlagMap = { k: '--k', limit: '--limit' }

const oneLine = (s: string, max = 80) => {
  const flat = s.replace(/\s+/g, ' ').trim()
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat
}

export const reviewCommand: CliCommand = {
  name: 'review',
  register(program) {
    program.addCommand(
      new Command('review')
        .description('labels that are probably wrong: out-of-fold predictions, confident learning')
        .requiredOption('--project <project>', 'project name or id')
        .option('--k <folds>', 'folds of the out-of-fold predictions (default 5)')
        .option('--limit <count>', 'at most this many texts (default 50)')
        .option('--json', 'print one JSON object with the review queue')
        .action(
          withContext(async (ctx, opts: ReviewOptions) => {
            const project = await ctx.resolveProject(opts.project)
            const result = await ctx.call(
              'review/list',
              { projectId: project.id, k: numberFlag(opts.k), limit: numberFlag(opts.limit) },
              REVIEW_FLAGS,
            )
            if (opts.json) return ctx.printJson({ project: project.name, ...result })
            const name = new Map(project.labels.map((l) => [l.id, l.name]))
            ctx.print(
              `${result.items.length} likely label error(s) among ${result.labelled} labelled ` +
                `texts of "${project.name}" (${result.folds}-fold out-of-fold predictions):`,
            )
            for (const i of result.items) {
              const given = i.givenLabelIds.map((id) => name.get(id)).join(', ')
              ctx.print(
                `${i.rank}. text ${i.textId}: given ${given} (${i.probabilityGiven.toFixed(3)}), ` +
                  `model says ${name.get(i.predictedLabelId)} (${i.probabilityPredicted.toFixed(3)})` +
                  ` — ${oneLine(i.text)}`,
              )
            }
          }),
        ),
    )
  },
}
