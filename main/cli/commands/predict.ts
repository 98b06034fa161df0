// `cts predict --run ID --in FILE --out FILE`: each text's predicted label and class
// probabilities as CSV (cells that a spreadsheet would run as formulas are escaped).
import { resolve } from 'node:path'
import { Command } from 'commander'
import { CtsError } from '../../../preload/contract'
import { loadClassifierBundle } from '../../ml/infer/classifier-bundle'
import { writeFileAtomic } from '../../ml/train/atomic-file'
import { argmaxRows } from '../../ml/eval/metrics'
import { RunsService } from '../../services/runs-service'
import { openWorkspace } from '../../store/workspace'
import { withContext } from '../context'
import type { CliCommand } from './command'
import { readTextsFile } from './train-data'

/** One CSV cell: quoted when needed; a leading = + - @ (formula) is neutralised with a quote. */
export function csvCell(value: string | number): string {
  let s = String(value)
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export const predictCommand: CliCommand = {
  name: 'predict',
  register(program) {
    program.addCommand(
      new Command('predict')
        .description("predict labels for a file's texts with a trained run (CSV out)")
        .requiredOption('--run <id>', 'run id (see the output of cts train)')
        .requiredOption('--in <file>', 'texts to classify (any importable format)')
        .requiredOption('--out <file>', 'CSV with text, label and one probability column per label')
        .option('--text-col <column>', 'text column of the input file')
        .option('--json', 'print one JSON object with the result')
        .action(
          withContext(
            async (
              ctx,
              opts: { run: string; in: string; out: string; textCol?: string; json?: boolean },
            ) => {
              const runId = Number(opts.run)
              if (!Number.isInteger(runId) || runId < 1)
                throw new CtsError('bad-input', `--run must be a run id (got "${opts.run}").`)
              const ws = openWorkspace(ctx.home)
              try {
                const runs = new RunsService(ws.db, ws.runsDir)
                const run = runs.get(runId)
                if (run.status !== 'success')
                  throw new CtsError(
                    'conflict',
                    `Run ${runId} has no trained model (its status is ${run.status}).`,
                  )
                const input = await readTextsFile(
                  resolve(opts.in),
                  { textCol: opts.textCol },
                  false,
                )
                const model = await loadClassifierBundle(runs.runDir(runId))
                const probs = await model.predict(input.texts)
                await model.release()
                const k = model.labels.length
                const predicted = argmaxRows(probs, k)
                const lines = [
                  ['text', 'label', ...model.labels.map((l) => `p_${l}`)].map(csvCell).join(','),
                ]
                input.texts.forEach((text, i) => {
                  const p = Array.from(probs.subarray(i * k, i * k + k), (x) =>
                    Number(x.toFixed(6)),
                  )
                  lines.push(
                    [csvCell(text), csvCell(model.labels[predicted[i]]), ...p.map(csvCell)].join(
                      ',',
                    ),
                  )
                })
                const out = resolve(opts.out)
                writeFileAtomic(out, '\ufeff' + lines.join('\r\n') + '\r\n')
                if (opts.json)
                  return ctx.printJson({
                    run_id: runId,
                    rows: input.texts.length,
                    skipped: input.skipped,
                    path: out,
                    labels: model.labels,
                  })
                ctx.print(`Predicted ${input.texts.length} texts with run ${runId} → ${out}`)
              } finally {
                ws.close()
              }
            },
          ),
        ),
    )
  },
}
