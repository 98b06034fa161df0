// `cts simulate`: replays the labelling queue's strategies on a labelled --train file and prints
// learning curves (labels → --test macro-F1 mean ± sd over the repeats); --json prints them whole.
import { Command } from 'commander'
import { CtsError } from '../../shared'
import type { SimulateConfigInput, SimulateResultDto } from '../../../preload/contract/simulate'
import { withContext, type FlagMap } from '../context'
import { numberFlag } from '../flags'
import type { CliCommand } from './command'

interface SimulateOptions {
  train?: string
  test?: string
  textCol?: string
  labelCol?: string
  strategy: string
  seedSize?: string
  step?: string
  budget?: string
  repeats?: string
  seed?: string
  json?: boolean
}

/** Which flag fills which argument of 'simulate/run'. */
const SIMULATE_FLAGS: FlagMap = {
  'files.train': '--train',
  'files.test': '--test',
  'files.textColumn': '--text-col',
  'files.labelColumn': '--label-col',
  'config.strategies': '--strategy',
  'config.seedSize': '--seed-size',
  'config.step': '--step',
  'config.budget': '--budget',
  'config.repeats': '--repeats',
  'config.seed': '--seed',
}

const f4 = (x: number) => x.toFixed(4)

/** The curves side by side, one row per label count, then what random's final score took. */
export function simulateText(r: SimulateResultDto): string {
  const s = r.settings
  const strategies = s.strategies.filter((k) => r.curves[k])
  const cell = 17
  const lines = [
    `${s.trainTexts} training texts, ${s.testTexts} test texts, ${s.labels.length} labels; ` +
      `seed sample ${s.seedSize}, step ${s.step}, budget ${s.budget}, ${s.repeats} repeat(s) ` +
      `(seeds ${s.seed}–${s.seed + s.repeats - 1}). Test macro-F1, mean ± sd:`,
    'labels'.padStart(6) + strategies.map((k) => k.padStart(cell)).join(''),
  ]
  const first = r.curves[strategies[0]]!
  first.forEach((p, i) => {
    const cells = strategies.map((k) => {
      const q = r.curves[k]![i]
      return `${f4(q.macroF1Mean)} ± ${f4(q.macroF1Sd)}`.padStart(cell)
    })
    lines.push(String(p.labels).padStart(6) + cells.join(''))
  })
  if (r.reach) {
    const parts = Object.entries(r.reach.strategies).map(([k, v]) =>
      v.labels === null
        ? `${k} did not reach it within ${s.budget} labels`
        : `${k} reached it with ${v.labels} (${Math.round(v.ratio! * 100)} % of the labels)`,
    )
    lines.push(
      `Random sampling ends at macro-F1 ${f4(r.reach.randomFinalMacroF1)} with ${s.budget} labels` +
        (parts.length ? `; ${parts.join('; ')}.` : '.'),
    )
  }
  lines.push(`Model: ${s.model}. ${r.seconds.toFixed(1)} s.`)
  return lines.join('\n')
}

export const simulateCommand: CliCommand = {
  name: 'simulate',
  register(program) {
    program.addCommand(
      new Command('simulate')
        .description(
          'simulate active learning on labelled files: learning curves of the labelling queue strategies',
        )
        .option('--train <file>', 'labelled texts the strategies pick from (any importable format)')
        .option('--test <file>', 'labelled texts each round is scored on (never picked from)')
        .option('--text-col <column>', 'text column of the files')
        .option('--label-col <column>', 'label column of the files')
        .option(
          '--strategy <list>',
          'uncertainty | diversity | random, or several separated by commas',
          'uncertainty,diversity,random',
        )
        .option(
          '--seed-size <n>',
          'texts labelled at random (stratified) before the first model (default 20)',
        )
        .option('--step <n>', 'texts the strategy picks after each model (default 20)')
        .option('--budget <n>', 'labels at the end of each curve (default 200)')
        .option('--repeats <n>', 'repeats with seeds seed, seed+1, … (default 3)')
        .option('--seed <n>', 'seed of the first repeat (default 42)')
        .option('--json', 'print the settings and curves as one JSON object on stdout')
        .action(
          withContext(async (ctx, opts: SimulateOptions) => {
            if (!opts.train || !opts.test) {
              throw new CtsError(
                'bad-input',
                'Give --train FILE (the texts to pick from) and --test FILE (the texts to score on).',
              )
            }
            const strategies = opts.strategy
              .split(',')
              .map((x) => x.trim())
              .filter((x) => x !== '') as SimulateConfigInput['strategies']
            const config: SimulateConfigInput = {
              strategies,
              seedSize: numberFlag(opts.seedSize),
              step: numberFlag(opts.step),
              budget: numberFlag(opts.budget),
              repeats: numberFlag(opts.repeats),
              seed: numberFlag(opts.seed),
            }
            const files = {
              train: opts.train,
              test: opts.test,
              textColumn: opts.textCol,
              labelColumn: opts.labelCol,
            }
            const r = await ctx.call('simulate/run', { files, config }, SIMULATE_FLAGS)
            const { train, test } = r.settings.skipped
            if (train + test > 0)
              process.stderr.write(
                `${train + test} rows without text or label were left out (train ${train}, test ${test})\n`,
              )
            if (opts.json) return ctx.printJson(r)
            ctx.print(simulateText(r))
          }),
        ),
    )
  },
}
