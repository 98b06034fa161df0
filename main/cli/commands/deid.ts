// `cts deid preview FILE [--text-column C] [--deid-* …] [--json]`: what de-identification would
// find in a file before it is imported — counts per kind and masked examples, never the PHI.
import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { Command } from 'commander'
import { CtsError } from '../../shared'
import { withContext, type FlagMap } from '../context'
import {
  deidCountLines,
  deidOptionFlags,
  deidOptionsFromFlags,
  type DeidFlagValues,
} from '../deid-flags'
import type { CliCommand } from './command'

interface PreviewOptions extends DeidFlagValues {
  textColumn: string
  encoding?: string
  sheet?: string
  json?: boolean
}

/** Which flag fills which argument of 'datasets/deid-preview'. */
const PREVIEW_FLAGS: FlagMap = {
  textColumn: '--text-column',
  encoding: '--encoding',
  sheet: '--sheet',
}

export const deidCommand: CliCommand = {
  name: 'deid',
  register(program) {
    const deid = new Command('deid').description(
      'de-identification: see what would be masked before importing',
    )
    const [keepYear, mrn, insurance, types] = deidOptionFlags()
    deid.addCommand(
      new Command('preview')
        .description('count PHI per kind in a file and show masked examples; imports nothing')
        .argument('<file>', 'file to check (CSV, TSV, XLSX, JSONL or TXT)')
        .requiredOption('--text-column <column>', 'column with the text')
        .option('--encoding <name>', 'auto, or an encoding such as utf-8, gb18030, big5', 'auto')
        .option('--sheet <name>', 'worksheet of an XLSX file (default: the first)')
        .addOption(keepYear)
        .addOption(mrn)
        .addOption(insurance)
        .addOption(types)
        .option('--json', 'print one JSON object with the counts and examples')
        .action(
          withContext(async (ctx, file: string, opts: PreviewOptions) => {
            const options = deidOptionsFromFlags(opts, true)!
            const path = resolve(file)
            if (!existsSync(path) || !statSync(path).isFile()) {
              throw new CtsError('not-found', `File not found: ${path}`)
            }
            const preview = await ctx.call(
              'datasets/deid-preview',
              {
                file: { path },
                textColumn: opts.textColumn,
                ...(opts.encoding && opts.encoding !== 'auto' ? { encoding: opts.encoding } : {}),
                ...(opts.sheet ? { sheet: opts.sheet } : {}),
                options,
              },
              PREVIEW_FLAGS,
            )
            if (opts.json) return ctx.printJson(preview)
            const lines = deidCountLines(preview.counts, preview.texts, preview.textsWithPhi)
            if (preview.examples.length > 0) lines.push('Examples (masked):')
            for (const e of preview.examples) lines.push(`  ${e.type.padEnd(10)} ${e.context}`)
            ctx.print(lines.join('\n'))
          }),
        ),
    )
    program.addCommand(deid)
  },
}
