// Issue #11, point 6: does uncertainty sampling reach random sampling's final test macro-F1 with
// ≤ 70 % of its labels? The simulation `cts simulate` runs (main/services/simulate.ts: the queue's
// own strategy functions, the TF-IDF baseline refitted after every step) on two public sets, one
// English and one Chinese. Prints per set the curves, random's final macro-F1, the labels
// uncertainty needed to reach it (or "not reached"), the ratio, PASS/FAIL and the wall time.
//
//   npm run bench:active [-- --only NAME[,NAME]] [--strategies uncertainty,random]
//                        [--seed-size N] [--step N] [--budget N] [--repeats R]
//
// Data: test/bench/fetch-baseline-data.sh and ../shared/datasets/medical-abstracts (sources and
// licences: README-baseline.md). Results: README-active-learning.md. Not a CI test.
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { SimulateStrategy } from '../../preload/contract/simulate'
import { simulateText } from '../../main/cli/commands/simulate'
import { DEFAULT_SEED } from '../../main/ml/train/defaults'
import { simulateLearning, type SimulateConfig } from '../../main/services/simulate'
import { benchDatasets, exitUnlessFetched } from './baseline-data'
import { splitRows } from './zh-medical-data'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const { values: a } = parseArgs({
  options: {
    only: { type: 'string', default: 'medical-abstracts,thucnews' },
    strategies: { type: 'string', default: 'uncertainty,random' },
    'seed-size': { type: 'string', default: '30' },
    step: { type: 'string', default: '30' },
    budget: { type: 'string', default: '300' },
    repeats: { type: 'string', default: '3' },
  },
})

/** The claim: uncertainty reaches random's final macro-F1 with at most this share of the labels. */
const GOAL_RATIO = 0.7

const only = a.only!.split(',')
const sets = benchDatasets(ROOT).filter((d) => only.includes(d.name))
exitUnlessFetched(sets)
const config: SimulateConfig = {
  strategies: a.strategies!.split(',') as SimulateStrategy[],
  seedSize: Number(a['seed-size']),
  step: Number(a.step),
  budget: Number(a.budget),
  repeats: Number(a.repeats),
  seed: DEFAULT_SEED,
}

const rows: string[][] = []
for (const d of sets) {
  const rows0 = await d.load()
  // The app's split (de-duplicated, stratified 80/10/10, seed 42): train + dev are the pool the
  // strategies pick from, test is scored after every step and never picked from.
  const split = splitRows(rows0, DEFAULT_SEED, { file: d.file, labelField: d.labelField })
  const data = {
    labels: split.labels,
    train: {
      texts: [...split.train.texts, ...split.dev.texts],
      labels: [...split.train.labels, ...split.dev.labels],
    },
    test: split.test,
  }
  console.log(
    `\n${d.name}: ${d.describe}; ${split.labels.length} labels; pool ${data.train.texts.length}` +
      ` texts, test ${data.test.texts.length} (split seed ${DEFAULT_SEED}, snapshot ${split.snapshot.slice(0, 12)})`,
  )
  const started = performance.now()
  const r = await simulateLearning(data, config, {
    onRound: (p) =>
      process.stderr.write(
        `  ${d.name} repeat ${p.repeat + 1} ${p.strategy} ${p.labels} labels: macro-F1 ` +
          `${p.macroF1.toFixed(4)} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`,
      ),
  })
  const seconds = (performance.now() - started) / 1000
  console.log(simulateText(r))
  const reach = r.reach?.strategies.uncertainty
  const pass = reach?.ratio !== null && reach?.ratio !== undefined && reach.ratio <= GOAL_RATIO
  rows.push([
    d.name,
    r.reach ? r.reach.randomFinalMacroF1.toFixed(4) : '—',
    reach?.labels != null ? String(reach.labels) : 'not reached',
    reach?.ratio != null ? `${Math.round(reach.ratio * 100)} %` : '—',
    pass ? 'PASS' : 'FAIL',
    seconds.toFixed(1),
  ])
}

const head = [
  'data set',
  `random F1 @${config.budget}`,
  'uncertainty labels',
  'ratio',
  `≤ ${GOAL_RATIO * 100} %`,
  'wall s',
]
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ')
console.log(['', fmt(head), ...rows.map(fmt)].join('\n'))
console.log(
  `settings: seed sample ${config.seedSize} (stratified), step ${config.step}, budget ${config.budget}, ` +
    `${config.repeats} repeats (seeds ${config.seed}–${config.seed + config.repeats - 1}), mean curves compared`,
)
