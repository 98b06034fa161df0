// `cts export --project P --out FILE`: texts with their labels; the format follows the extension.
import { extname, resolve } from 'node:path'
import { Command } from 'commander'
import { CtsError } from '../../shared'
import { withContext } from '../context'
import type { CliCommand } from './command'

const FORMATS = { '.csv': 'csv', '.xlsx': 'xlsx', '.jsonl': 'jsonl' } as const

type ExportOptions = { project: string; out: string; json?: boolean; deidentify?: boolean }

export const exportCommand: CliCommand = {
  name: 'export',
  register(program) {
    program.addCommand(
      new Command('export')
        .description("export a project's texts and labels to .csv, .xlsx or .jsonl")
        .requiredOption('--project <project>', 'project name or id')
        .requiredOption('--out <file>', 'output file; its extension picks the format')
        .option('--json', 'print one JSON object with the result')
        .option('--deidentify', 'mask PHI in the exported texts ("[PHONE]", "[NAME]" …)')
        .action(
          withContext(async (ctx, opts: ExportOptions) => {
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
            const result = await ctx.call('exports/texts', {
              projectId: project.id,
              format,
              path,
              ...(opts.deidentify ? { deidentify: {} } : {}),
            })
            const written = result.path ?? path
            if (opts.json) return ctx.printJson({ ...result, path: written, format })
            const what = opts.deidentify ? 'de-identified texts' : 'texts'
            ctx.print(`Exported ${result.rows} ${what} from "${project.name}" to ${written}`)
          }),
        ),
    )
  },
}
