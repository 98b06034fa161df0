// `cts report --run ID --out FILE.html|FILE.pdf [--locale en|zh-CN]`: a run's evaluation report,
// the format taken from the file's extension (PDF through headless Chromium).
import { extname, resolve } from 'node:path'
import { Command, Option } from 'commander'
import { CtsError } from '../../shared'
import { withContext, type FlagMap } from '../context'
import { numberFlag } from '../flags'
import type { CliCommand } from './command'

interface ReportOptions {
  run: string
  out: string
  locale: 'en' | 'zh-CN'
  prevalence?: string
  targetSensitivity?: string
  json?: boolean
  deidentify?: boolean
}

/** Which flag fills which argument of 'reports/export'. */
const REPORT_FLAGS: FlagMap = {
  runId: '--run',
  path: '--out',
  locale: '--locale',
  prevalence: '--prevalence',
  targetSensitivity: '--target-sensitivity',
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
        .option('--deidentify', "mask PHI in the report's free text (project name, label names)")
        .action(
          withContext(async (ctx, opts: ReportOptions) => {
            const runId = numberFlag(opts.run)!
            const ext = extname(opts.out).toLowerCase()
            if (ext !== '.html' && ext !== '.pdf')
              throw new CtsError(
                'bad-input',
                `--out must end in .html or .pdf (got "${opts.out}").`,
              )
            const out = await ctx.call(
              'reports/export',
              {
                runId,
                format: ext === '.pdf' ? 'pdf' : 'html',
                locale: opts.locale,
                prevalence: numberFlag(opts.prevalence),
                targetSensitivity: numberFlag(opts.targetSensitivity),
                path: resolve(opts.out),
                ...(opts.deidentify ? { deidentify: {} } : {}),
              },
              REPORT_FLAGS,
            )
            if (opts.json) return ctx.printJson({ path: out.path, bytes: out.bytes })
            ctx.print(`Report for run ${runId} written to ${out.path} (${out.bytes} bytes).`)
          }),
        ),
    )
  },
}
