// `cts adjudicate --project P --text ID (--label NAME… [--note TEXT] | --revert) [--annotator A]
// [--json]`: an adjudicator's decision (A's, else the current profile's) becomes the text's gold
// label; --revert takes it back so the annotators' labels decide again.
import { Command } from 'commander'
import type { DisagreementDto, ProjectDto } from '../../../preload/contract'
import { CtsError } from '../../shared'
import { withContext, type FlagMap } from '../context'
import { numberFlag } from '../flags'
import type { CliCommand } from './command'

interface AdjudicateOptions {
  project: string
  text: string
  label?: string[]
  note?: string
  revert?: boolean
  annotator?: string
  json?: boolean
}

/** Which flag fills which argument of 'adjudication/set' and 'adjudication/revert'. */
const ADJUDICATE_FLAGS: FlagMap = {
  textId: '--text',
  note: '--note',
  labelIds: '--label',
  adjudicator: '--annotator',
}

/** Label names → ids of the project; an unknown name is reported with the project's labels. */
function labelIdsOf(project: ProjectDto, names: string[]): number[] {
  return names.map((name) => {
    const label = project.labels.find((l) => l.name === name)
    if (!label) {
      throw new CtsError(
        'bad-input',
        `--label "${name}" is not a label of "${project.name}". Labels: ` +
          project.labels.map((l) => l.name).join(', ') +
          '.',
      )
    }
    return label.id
  })
}

/** "Text 5: gold 疾病 (adjudicated by Dr Li)". */
export function decisionText(d: DisagreementDto, labelName: (id: number) => string): string {
  const gold = d.resolved.length > 0 ? d.resolved.map(labelName).join(', ') : 'no label'
  const by = d.adjudication ? ` by ${d.adjudication.adjudicator}` : ''
  return `Text ${d.textId}: gold ${gold} (${d.how}${by})`
}

export const adjudicateCommand: CliCommand = {
  name: 'adjudicate',
  register(program) {
    program.addCommand(
      new Command('adjudicate')
        .description("decide a text's gold label where its annotators disagree, or take it back")
        .requiredOption('--project <project>', 'project name or id')
        .requiredOption('--text <id>', 'the text id')
        .option('--label <names...>', 'the decided label(s), by name')
        .option('--note <text>', 'why (kept with the decision)')
        .option('--revert', 'take the decision back: the annotators decide again')
        .option('--annotator <name>', 'who decides (default: the current profile)')
        .option('--json', "print the text's annotations, decision and gold label as JSON")
        .action(
          withContext(async (ctx, opts: AdjudicateOptions) => {
            const project = await ctx.resolveProject(opts.project)
            if (opts.revert && (opts.label !== undefined || opts.note !== undefined)) {
              throw new CtsError(
                'bad-input',
                '--revert takes the decision back; give it without --label and --note.',
              )
            }
            if (!opts.revert && opts.label === undefined) {
              throw new CtsError(
                'bad-input',
                'Give the decision with --label NAME (several for a multi-label project), or --revert.',
              )
            }
            const textId = numberFlag(opts.text) as number
            const by = opts.annotator !== undefined ? { adjudicator: opts.annotator } : {}
            const result = opts.revert
              ? await ctx.call(
                  'adjudication/revert',
                  { textId, projectId: project.id, ...by },
                  ADJUDICATE_FLAGS,
                )
              : await ctx.call(
                  'adjudication/set',
                  {
                    textId,
                    projectId: project.id,
                    labelIds: labelIdsOf(project, opts.label ?? []),
                    ...(opts.note !== undefined ? { note: opts.note } : {}),
                    ...by,
                  },
                  ADJUDICATE_FLAGS,
                )
            if (opts.json) return ctx.printJson(result)
            const names = new Map(project.labels.map((l) => [l.id, l.name]))
            ctx.print(decisionText(result, (id) => names.get(id) ?? `#${id}`))
          }),
        ),
    )
  },
}
