// `cts export --project P --out FILE`: texts with their labels; the format follows the extension.
import { extname, resolve } from 'node:path'
import { Command } from 'commander'
import { CtsError } from '../../shared'
import { withContext } from '../context'
import type { CliCommand } from './command'

const FORMATS = { '.csv': 'csv', '.xlsx': 'xlsx', '.jsonl': 'jsonl' } as const

export const exportCommand: CliCommand = {
  name: 'export',
  register(program) {
    program.addCommand(
      new Command('export')
        .description("export a project's texts and labels to .csv, .xlsx or .jsonl")
        .requiredOption('--project <project>', 'project name or id')
        .requiredOption('--out <file>', 'output file; its extension picks the format')
        .option('--json', 'print one JSON object with the result')
        .action(
          withContext(async (ctx, opts: { project: string; out: string; json?: boolean }) => {
            const path = resolve(opts.out)
            const ext = extname(path).toLowerCase()
            const format = FORMATS[ext as keyof typeof FORMATS]
            if (!format) {
              throw new CtsError(
                'bad-input',
                `--out must end in .csv, .xlsx or .jsonl: cannot export to "${ext || 'no extension'}".`,
              )
            }
            const project = await ctx.resolveProject(opts.project)
            const result = await ctx.call('exports/texts', { projectId: project.id, format, path })
            const written = result.path ?? path
            if (opts.json) return ctx.printJson({ ...result, path: written, format })
            ctx.print(`Exported ${result.rows} texts from "${project.name}" to ${written}`)
          }),
        ),
    )
  },
}
