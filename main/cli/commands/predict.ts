// `cts predict --run ID --in FILE --out FILE [--format csv|xlsx] [--quantize int8|none]`: each text's predicted label
// and class probabilities, through the same code as the app's 'predict-file' job (formula-safe).
import { extname, resolve } from 'node:path'
import { Command } from 'commander'
import { CtsError } from '../../shared'
import { withContext, type FlagMap } from '../context'
import { numberFlag } from '../flags'
import type { CliCommand } from './command'

/** --quantize's help, shared by predict, serve and export-model. */
export const QUANTIZE_HELP =
  "int8 (faster, smaller) or none (fp32); default: int8 where the run's dev check passed"

/** Which flag fills which argument of 'predict/file'. */
const PREDICT_FLAGS: FlagMap = {
  runId: '--run',
  file: '--in',
  path: '--out',
  format: '--format',
  textColumn: '--text-col',
  quantize: '--quantize',
}

/** --format, or the output file's extension (.xlsx → xlsx), else CSV. */
function outputFormat(flag: string | undefined, out: string): 'csv' | 'xlsx' {
  // An unknown --format goes to the contract as typed; its schema names what is allowed.
  return (flag ?? (extname(out).toLowerCase() === '.xlsx' ? 'xlsx' : 'csv')) as 'csv' | 'xlsx'
}

export const predictCommand: CliCommand = {
  name: 'predict',
  register(program) {
    program.addCommand(
      new Command('predict')
        .description("predict labels for a file's texts with a trained run (CSV or XLSX out)")
        .requiredOption('--run <id>', 'run id (see the output of cts train)')
        .requiredOption('--in <file>', 'texts to classify (any importable format)')
        .requiredOption(
          '--out <file>',
          'file with text, label and one probability column per label',
        )
        .option('--format <format>', 'csv or xlsx (default: from the --out extension, else csv)')
        .option('--text-col <column>', 'text column of the input file')
        .option('--quantize <mode>', QUANTIZE_HELP)
        .option('--json', 'print one JSON object with the result')
        .action(
          withContext(
            async (
              ctx,
              opts: {
                run: string
                in: string
                out: string
                format?: string
                textCol?: string
                quantize?: string
                json?: boolean
              },
            ) => {
              const runId = numberFlag(opts.run)!
              const out = opts.out === '' ? '' : resolve(opts.out)
              const format = outputFormat(opts.format, out)
              const { jobId } = await ctx.call(
                'predict/file',
                {
                  runId,
                  file: { path: resolve(opts.in) },
                  textColumn: opts.textCol,
                  format,
                  path: out,
                  // An unknown value goes to the contract as typed; its schema names what is allowed.
                  quantize: opts.quantize as 'int8' | 'none' | undefined,
                },
                PREDICT_FLAGS,
              )
              ctx.onInterrupt(() => ctx.call('jobs/cancel', { jobId }))
              const job = await ctx.jobEnded(jobId)
              if (job.kind !== 'predict-file' || job.status !== 'success') {
                throw new CtsError(
                  job.error?.code ?? 'cancelled',
                  job.error?.message ?? `Predicting ${job.status}.`,
                )
              }
              const r = { ...job.result, labels: (await ctx.call('runs/get', { runId })).labels }
              if (opts.json)
                return ctx.printJson({
                  run_id: runId,
                  rows: r.rows,
                  skipped: r.skipped,
                  path: out,
                  format,
                  labels: r.labels,
                })
              ctx.print(`Predicted ${r.rows} texts with run ${runId} → ${out}`)
            },
          ),
        ),
    )
  },
}
