// `cts package export --project P [--annotator A] --out FILE` and `cts package import FILE
// --project P`: one annotator's labels to another installation, merged there by content hash.
import { existsSync, statSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import { Command } from 'commander'
import { CtsError } from '../../shared'
import type { PackageImportDto } from '../../../preload/contract'
import { withContext } from '../context'
import type { CliCommand } from './command'

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`

/** Missing texts listed by line in the readable summary; --json carries all of them. */
const SUMMARY_MISSING_ROWS = 10

function summary(r: PackageImportDto, fileName: string, projectName: string): string {
  if (r.alreadyImported) {
    return (
      `${fileName} was imported into "${projectName}" before; nothing changed. ` +
      `(${r.annotator}: ${r.merged} merged, ${r.unchanged} unchanged, ${r.conflicts} conflicts, ${r.missing.length} missing.)`
    )
  }
  const lines = [
    `Imported ${count(r.rows, 'annotation')} by ${r.annotator} into "${projectName}": ` +
      `${r.merged} merged, ${r.unchanged} unchanged, ${r.conflicts} differ from another annotator ` +
      `(kept as ${r.annotator}'s own), ${count(r.missing.length, 'text')} not in this project.`,
  ]
  for (const m of r.missing.slice(0, SUMMARY_MISSING_ROWS)) {
    lines.push(`  Line ${m.row}: no text with contentHash ${m.contentHash} in this project`)
  }
  if (r.missing.length > SUMMARY_MISSING_ROWS) {
    lines.push(`  … and ${r.missing.length - SUMMARY_MISSING_ROWS} more (use --json for all).`)
  }
  return lines.join('\n')
}

export const packageCommand: CliCommand = {
  name: 'package',
  register(program) {
    const pkg = new Command('package').description(
      "exchange one annotator's labels with another installation (annotation packages)",
    )

    pkg
      .command('export')
      .description("write an annotator's own labels as an annotation package (.jsonl)")
      .requiredOption('--project <project>', 'project name or id')
      .option('--annotator <name>', 'whose labels (default: the current profile)')
      .requiredOption('--out <file>', 'package file to write (.jsonl)')
      .option('--json', 'print one JSON object with the result')
      .action(
        withContext(
          async (
            ctx,
            opts: { project: string; annotator?: string; out: string; json?: boolean },
          ) => {
            const path = resolve(opts.out)
            if (extname(path).toLowerCase() !== '.jsonl') {
              throw new CtsError(
                'bad-input',
                `--out must end in .jsonl: an annotation package is a JSONL file (got "${opts.out}").`,
              )
            }
            const project = await ctx.resolveProject(opts.project)
            const result = await ctx.call(
              'packages/export',
              {
                projectId: project.id,
                path,
                ...(opts.annotator !== undefined ? { annotator: opts.annotator } : {}),
              },
              { annotator: '--annotator', path: '--out' },
            )
            if (opts.json) return ctx.printJson({ ...result, path: result.path ?? path })
            ctx.print(
              `Exported ${count(result.rows, 'annotation')} from "${project.name}" to ${result.path ?? path}`,
            )
          },
        ),
      )

    pkg
      .command('import')
      .description("merge another annotator's package into a project by text content hash")
      .argument('<file>', 'annotation package (.jsonl)')
      .requiredOption('--project <project>', 'project name or id')
      .option('--json', 'print one JSON object with the result')
      .action(
        withContext(async (ctx, file: string, opts: { project: string; json?: boolean }) => {
          const path = resolve(file)
          if (!existsSync(path) || !statSync(path).isFile()) {
            throw new CtsError('not-found', `File not found: ${path}`)
          }
          const project = await ctx.resolveProject(opts.project)
          const result = await ctx.call('packages/import', {
            projectId: project.id,
            file: { path },
          })
          if (opts.json) return ctx.printJson({ project: project.name, ...result })
          ctx.print(summary(result, file.split(/[\\/]/).pop() ?? file, project.name))
        }),
      )

    program.addCommand(pkg)
  },
}
