// `cts report --run ID --out FILE.html|FILE.pdf [--locale en|zh-CN]`: a run's evaluation report,
// the format taken from the file's extension (PDF through headless Chromium).
import { extname, resolve } from 'node:path'
import { Command, Option } from 'commander'
import { CtsError } from '../../../preload/contract'
import { withContext } from '../context'
import { runIdFlag } from '../flags'
import type { CliCommand } from './command'

interface ReportOptions {
  run: string
  out: string
  locale: 'en' | 'zh-CN'
  prevalence?: string
  targetSensitivity?: string
  json?: boolean
}

function fraction(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isFinite(n) || n <= 0 || n >= 1)
    throw new CtsError('bad-input', `${flag} must be a number between 0 and 1 (got "${v}").`)
  return n
}

export const reportCommand: CliCommand = {
  name: 'report',
  register(program) {
    program.addCommand(
      new Command('report')
        .description("write a run's evaluation report as HTML or PDF (by --out's extension)")
        .requiredOption('--run <id>', 'run id (see `cts train` output)')
        .requiredOption('--out <file>', 'FILE.html or FILE.pdf')
        .addOption(
          new Option('--locale <locale>', 'report language').choices(['en', 'zh-CN']).default('en'),
        )
        .option('--prevalence <p>', 'binary tasks: expected share of positives for PPV/NPV')
        .option('--target-sensitivity <s>', 'binary tasks: operating point target (default 0.9)')
        .option('--json', 'print {path, bytes} as JSON')
        .action(
          withContext(async (ctx, opts: ReportOptions) => {
            const runId = runIdFlag(opts.run)
            const ext = extname(opts.out).toLowerCase()
            if (ext !== '.html' && ext !== '.pdf')
              throw new CtsError(
                'bad-input',
                `--out must end in .html or .pdf (got "${opts.out}").`,
              )
            const targetSensitivity =
              opts.targetSensitivity === undefined ? undefined : Number(opts.targetSensitivity)
            if (
              targetSensitivity !== undefined &&
              !(
                Number.isFinite(targetSensitivity) &&
                targetSensitivity >= 0 &&
                targetSensitivity <= 1
              )
            )
              throw new CtsError('bad-input', '--target-sensitivity must be between 0 and 1.')
            const out = await ctx.call('reports/export', {
              runId,
              format: ext === '.pdf' ? 'pdf' : 'html',
              locale: opts.locale,
              prevalence: fraction('--prevalence', opts.prevalence),
              targetSensitivity,
              path: resolve(opts.out),
            })
            if (opts.json) return ctx.printJson({ path: out.path, bytes: out.bytes })
            ctx.print(`Report for run ${runId} written to ${out.path} (${out.bytes} bytes).`)
          }),
        ),
    )
  },
}
