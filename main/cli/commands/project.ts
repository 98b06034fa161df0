// `cts project create NAME` and `cts project list`.
import { Command, Option } from 'commander'
import type { LabelSetKind, ProjectDto } from '../../../preload/contract'
import { withContext } from '../context'
import type { CliCommand } from './command'

function describeProject(p: ProjectDto): string {
  const labels = p.labels.map((l) => l.name).join(', ') || 'no labels yet'
  return `${p.id}\t${p.name}\t${p.kind}\t${p.textCount} texts, ${p.labelledCount} labelled\t${labels}`
}

export const projectCommand: CliCommand = {
  name: 'project',
  register(program) {
    const project = new Command('project').description('create and list projects')

    project
      .command('create')
      .description(
        'create a project (binary = 健康/疾病 "healthy/disease" unless --labels is given)',
      )
      .argument('<name>', 'project name')
      .addOption(
        new Option('--kind <kind>', 'label set kind')
          .choices(['binary', 'multiclass', 'multilabel'])
          .default('binary'),
      )
      .option('--labels <list>', 'comma-separated label names, e.g. "cardio,neuro,other"')
      .option('--json', 'print the project as JSON')
      .action(
        withContext(
          async (
            ctx,
            name: string,
            opts: { kind: LabelSetKind; labels?: string; json?: boolean },
          ) => {
            const labels = opts.labels
              ?.split(',')
              .map((l) => l.trim())
              .filter((l) => l.length > 0)
            const created = await ctx.call(
              'projects/create',
              { name, kind: opts.kind, ...(labels ? { labels } : {}) },
              { kind: '--kind', labels: '--labels' },
            )
            if (opts.json) return ctx.printJson(created)
            const names = created.labels.map((l) => l.name).join(', ')
            ctx.print(
              `Created project "${created.name}" (id ${created.id}, ${created.kind}) with labels: ${names}`,
            )
          },
        ),
      )

    project
      .command('list')
      .description('list the projects in the workspace')
      .option('--json', 'print the projects as a JSON array')
      .action(
        withContext(async (ctx, opts: { json?: boolean }) => {
          const projects = await ctx.call('projects/list', {})
          if (opts.json) return ctx.printJson(projects)
          if (projects.length === 0) return ctx.print(`No projects in ${ctx.home}.`)
          ctx.print(projects.map(describeProject).join('\n'))
        }),
      )

    program.addCommand(project)
  },
}
