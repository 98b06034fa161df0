// `cts next --project P --strategy S --n K`: the next K texts of the labelling queue in that order
// (the same queue the labelling view serves), each with why it was chosen; --json prints them whole.
import { Command } from 'commander'
import type { NextReasonDto, QueuedTextDto, QueueOrder } from '../../../preload/contract'
import { withContext, type FlagMap } from '../context'
import { numberFlag } from '../flags'
import type { CliCommand } from './command'

interface NextOptions {
  project: string
  strategy: string
  n?: string
  annotator?: string
  json?: boolean
}

/** Which flag fills which argument of 'texts/next'. */
const NEXT_FLAGS: FlagMap = { order: '--strategy', n: '--n', annotator: '--annotator' }

/** One queued text as `cts next --json` prints it. */
export interface NextTextJson {
  id: number
  text: string
  reason: NextReasonDto
}

/** "uncertainty (margin 0.0312)", "audit sample", "random (no model yet for uncertainty)". */
export function reasonText(r: NextReasonDto): string {
  const value = r.value === undefined ? '' : r.value.toFixed(4)
  switch (r.order) {
    case 'uncertainty':
      return `uncertainty (margin ${value})`
    case 'diversity':
      return `diversity (cosine distance ${value})`
    case 'mislabelled':
      return `likely mislabelled (self-confidence ${value})`
    case 'audit':
      return 'audit sample'
    case 'random':
      return r.fallbackFrom ? `random (no model yet for ${r.fallbackFrom})` : 'random'
    default:
      return r.order
  }
}

const oneLine = (s: string, max = 100) => {
  const flat = s.replace(/\s+/g, ' ').trim()
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat
}

export const nextCommand: CliCommand = {
  name: 'next',
  register(program) {
    program.addCommand(
      new Command('next')
        .description('the next texts to label, in a queue order, with why each was chosen')
        .requiredOption('--project <project>', 'project name or id')
        .option(
          '--strategy <order>',
          'sequential, uncertainty, diversity, random or mislabelled',
          'sequential',
        )
        .option('--n <count>', 'how many texts (default 1)')
        .option('--annotator <name>', "only this annotator's share, unlabelled by them")
        .option('--json', 'print one JSON object with the texts')
        .action(
          withContext(async (ctx, opts: NextOptions) => {
            const project = await ctx.resolveProject(opts.project)
            const n = numberFlag(opts.n) ?? 1
            const result = await ctx.call(
              'texts/next',
              {
                projectId: project.id,
                // Passed as typed: the contract's schema rejects an unknown order, named by NEXT_FLAGS.
                order: opts.strategy as QueueOrder,
                n,
                ...(opts.annotator !== undefined ? { annotator: opts.annotator } : {}),
              },
              NEXT_FLAGS,
            )
            const queued: QueuedTextDto[] =
              result.queue ??
              (result.textId === null
                ? []
                : [{ textId: result.textId, reason: result.reason ?? { order: 'sequential' } }])
            const texts: NextTextJson[] = []
            for (const q of queued) {
              const t = await ctx.call('texts/get', { textId: q.textId })
              texts.push({ id: q.textId, text: t.text, reason: q.reason })
            }
            if (opts.json) {
              return ctx.printJson({ project: project.name, strategy: opts.strategy, texts })
            }
            if (texts.length === 0) {
              return ctx.print(`No text left to label in "${project.name}" in this order.`)
            }
            for (const t of texts) ctx.print(`${t.id}\t${reasonText(t.reason)}\t${oneLine(t.text)}`)
          }),
        ),
    )
  },
}
