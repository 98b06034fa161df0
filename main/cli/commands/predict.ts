// `cts predict --run ID --in FILE --out FILE [--format csv|xlsx]`: each text's predicted label
// and class probabilities, through the same code as the app's 'predict-file' job (formula-safe).
import { extname, resolve } from 'node:path'
import { Command } from 'commander'
import { CtsError } from '../../../preload/contract'
import { predictFile } from '../../jobs/predict-file-job'
import type { PredictionFormat } from '../../jobs/prediction-writer'
import { trainedRunDir } from '../../services/predictions-service'
import { RunsService } from '../../services/runs-service'
import { openWorkspace } from '../../store/workspace'
import { withContext } from '../context'
import { runIdFlag } from '../flags'
import type { CliCommand } from './command'

/** --format, or the output file's extension (.xlsx → xlsx), else CSV. */
function outputFormat(flag: string | undefined, out: string): PredictionFormat {
  const f = flag ?? (extname(out).toLowerCase() === '.xlsx' ? 'xlsx' : 'csv')
  if (f !== 'csv' && f !== 'xlsx')
    throw new CtsError('bad-input', `--format must be csv or xlsx (got "${f}").`)
  return f
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
                json?: boolean
              },
            ) => {
              const runId = runIdFlag(opts.run)
              const out = resolve(opts.out)
              const format = outputFormat(opts.format, out)
              const ws = openWorkspace(ctx.home)
              let bundleDir: string
              try {
                bundleDir = trainedRunDir(new RunsService(ws.db, ws.runsDir), runId)
              } finally {
                ws.close()
              }
              const r = await predictFile({
                bundleDir,
                input: { path: resolve(opts.in) },
                textColumn: opts.textCol,
                format,
                outPath: out,
              })
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
