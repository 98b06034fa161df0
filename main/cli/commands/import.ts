// `cts import FILE --project P`: preview the file, map columns (the preview's suggestion unless
// flags say otherwise), import, and report counts and rejected rows.
import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { Command } from 'commander'
import { CtsError } from '../../shared'
import type { ColumnMapping, ImportResultDto } from '../../../preload/contract'
import { withContext, type FlagMap } from '../context'
import {
  deidOptionFlags,
  deidOptionsFromFlags,
  deidSummaryLine,
  type DeidFlagValues,
} from '../deid-flags'
import type { CliCommand } from './command'

interface ImportOptions extends DeidFlagValues {
  project: string
  textCol?: string
  labelCol?: string
  idCol?: string
  groupCol?: string
  encoding?: string
  sheet?: string
  annotator?: string
  json?: boolean
}

/** Which flag fills which argument of 'datasets/preview' and 'datasets/import'. */
const IMPORT_FLAGS: FlagMap = { encoding: '--encoding', sheet: '--sheet', annotator: '--annotator' }

/** Rejected rows shown in the readable summary; --json carries all of them. */
const SUMMARY_REJECTED_ROWS = 10

function mappingFrom(
  suggested: ColumnMapping,
  columns: string[],
  opts: ImportOptions,
): ColumnMapping {
  const pick = (flag: string, value: string | undefined) => {
    if (value === undefined) return undefined
    if (columns.length > 0 && !columns.includes(value)) {
      throw new CtsError(
        'bad-input',
        `${flag} "${value}" is not a column of this file. Columns: ${columns.join(', ')}.`,
      )
    }
    return value
  }
  const mapping: ColumnMapping = {
    ...suggested,
    text: pick('--text-col', opts.textCol) ?? suggested.text,
  }
  for (const [flag, key, value] of [
    ['--label-col', 'label', opts.labelCol],
    ['--id-col', 'id', opts.idCol],
    ['--group-col', 'group', opts.groupCol],
  ] as const) {
    const column = pick(flag, value)
    if (column !== undefined) mapping[key] = column
  }
  return mapping
}

function summary(result: ImportResultDto, projectName: string): string {
  const lines = [
    `Imported ${result.imported} texts into "${projectName}" ` +
      `(${result.duplicates} duplicates skipped, ${result.rejected} rows rejected).`,
  ]
  for (const r of result.rejectedRows.slice(0, SUMMARY_REJECTED_ROWS))
    lines.push(`  Row ${r.row}: ${r.reason}`)
  if (result.rejectedRows.length > SUMMARY_REJECTED_ROWS) {
    lines.push(
      `  … and ${result.rejectedRows.length - SUMMARY_REJECTED_ROWS} more (use --json for all).`,
    )
  }
  if (result.labelsAdded.length) lines.push(`Labels added: ${result.labelsAdded.join(', ')}`)
  if (result.labelsUnknown?.length) {
    lines.push(`Labels not in the label set (left unlabelled): ${result.labelsUnknown.join(', ')}`)
  }
  return lines.join('\n')
}

export const importCommand: CliCommand = {
  name: 'import',
  register(program) {
    const [keepYear, mrn, insurance, types] = deidOptionFlags()
    program.addCommand(
      new Command('import')
        .description('import texts from a CSV, TSV, XLSX, JSONL or TXT file into a project')
        .argument('<file>', 'file to import')
        .requiredOption('--project <project>', 'project name or id')
        .option('--text-col <column>', 'column with the text (default: detected)')
        .option('--label-col <column>', 'column with the label(s) (default: detected)')
        .option('--id-col <column>', 'column with your own row id')
        .option(
          '--group-col <column>',
          'column with a patient/group id (keeps groups in one split)',
        )
        .option('--encoding <name>', 'auto, or an encoding such as utf-8, gb18030, big5', 'auto')
        .option('--sheet <name>', 'worksheet of an XLSX file (default: the first)')
        .option(
          '--annotator <name>',
          "record the file's labels as this annotator's (default: reference labels, nobody named)",
        )
        .option('--json', 'print one JSON object with the result')
        .option(
          '--deidentify',
          'mask PHI (names, phones, ID numbers, dates …) before the texts are stored; duplicates are judged on the masked texts (any --deid-* flag implies it)',
        )
        .addOption(keepYear)
        .addOption(mrn)
        .addOption(insurance)
        .addOption(types)
        .action(
          withContext(async (ctx, file: string, opts: ImportOptions) => {
            // Checked before the file is read: a bad pattern names its flag.
            const deidentify = deidOptionsFromFlags(opts)
            const path = resolve(file)
            if (!existsSync(path) || !statSync(path).isFile()) {
              throw new CtsError('not-found', `File not found: ${path}`)
            }
            const project = await ctx.resolveProject(opts.project)
            const source = {
              projectId: project.id,
              file: { path },
              ...(opts.encoding && opts.encoding !== 'auto' ? { encoding: opts.encoding } : {}),
              ...(opts.sheet ? { sheet: opts.sheet } : {}),
            }
            const preview = await ctx.call('datasets/preview', source, IMPORT_FLAGS)
            const mapping = mappingFrom(preview.suggestedMapping, preview.columns, opts)
            const result = await ctx.call(
              'datasets/import',
              {
                ...source,
                mapping,
                ...(opts.annotator !== undefined ? { annotator: opts.annotator } : {}),
                ...(deidentify ? { deidentify } : {}),
              },
              IMPORT_FLAGS,
            )
            if (opts.json) {
              return ctx.printJson({
                project: project.name,
                projectId: project.id,
                format: preview.format,
                encoding: preview.encoding,
                ...(preview.sheet !== undefined ? { sheet: preview.sheet } : {}),
                mapping,
                ...(opts.annotator !== undefined ? { annotator: opts.annotator.trim() } : {}),
                ...result,
              })
            }
            ctx.print(summary(result, project.name))
            if (result.deid) {
              const { counts, texts, textsWithPhi } = result.deid
              ctx.print(deidSummaryLine(counts, texts, textsWithPhi))
            }
            if (opts.annotator !== undefined) {
              ctx.print(`The file's labels are recorded as "${opts.annotator.trim()}"'s.`)
            }
          }),
        ),
    )
  },
}
