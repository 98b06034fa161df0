// Issue #9, point 8: fine-tune m3e-small on a Chinese medical classification set (CMID) with our
// engine and with PyTorch + transformers — same saved split, recipe and head — and print both test
// macro-F1 scores, the gap and the wall times. Not a CI test; see README-zh-medical.md here.
//
//   npm run bench:zh-medical [-- --data FILE] [--labels 4|36] [--text-col C --label-col C]
//                            [--limit N] [--epochs N] [--seed 42] [--model DIR] [--split-out FILE]
//                            [--shared-streams]
//
// Both engines are driven by test/bench/train-bert.ts (ours: the trainer `cts train` runs; theirs:
// test/bench/train-ref.py), as test/parity/accuracy/medical-abstracts.ts does for MiniLM.
// --shared-streams: the peer replays our batches, learning rates and dropout masks, so the two runs
// differ only in arithmetic (the strict check of test/parity/accuracy/README.md); not the benchmark.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { inspectModelFolder } from '../../main/ml/models/model-folder'
import { loadTokenizer } from '../../main/ml/tokenize/load-tokenizer'
import { BERT_DEFAULTS, DEFAULT_SEED } from '../../main/ml/train/defaults'
import {
  batchLabelMix,
  CMID_LABEL_FIELDS,
  looksLikeCmid,
  readCmid,
  readLabelledFile,
  sampleRows,
  splitRows,
  type CmidLabels,
} from './zh-medical-data'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const DEFAULT_DATA = join(ROOT, '../shared/datasets/cmid/CMID.json')

const { values: a } = parseArgs({
  options: {
    data: { type: 'string', default: DEFAULT_DATA },
    /** CMID's label field: the 4 coarse intents (label_4class) or the 36 fine ones. */
    labels: { type: 'string', default: '4' },
    'text-col': { type: 'string' },
    'label-col': { type: 'string' },
    /** A seeded sample of N texts before splitting (smoke runs). */
    limit: { type: 'string' },
    epochs: { type: 'string', default: String(BERT_DEFAULTS.epochs) },
    seed: { type: 'string', default: String(DEFAULT_SEED) },
    model: { type: 'string', default: join(ROOT, 'resources/models/m3e-small') },
    'split-out': { type: 'string' },
    'shared-streams': { type: 'boolean', default: false },
  },
})

function fail(message: string): never {
  console.error(message)
  process.exit(2)
}

const dataFile = resolve(a.data)
if (!existsSync(dataFile)) {
  fail(
    `No data: ${dataFile} does not exist.\n` +
      'Place CMID.json (Chinese Medical Intent Dataset, 12,000 questions; one JSON object a line with\n' +
      'originalText, label_4class and label_36class) at ../shared/datasets/cmid/CMID.json (beside\n' +
      'this checkout: shared/datasets/cmid/CMID.json of the steering repository), or name another\n' +
      'file with --data. Source: https://github.com/IMU-MachineLearningSXD/CMID (copy: github.com/\n' +
      'ishine/CMID); Chen et al., BMC Medical Informatics and Decision Making 20:125 (2020). Licence:\n' +
      'for scientific research only (cite the paper). See test/bench/README-zh-medical.md.',
  )
}
if (a.labels !== '4' && a.labels !== '36') fail(`--labels must be 4 or 36 (got "${a.labels}").`)
const modelDir = resolve(a.model)
if (!existsSync(join(modelDir, 'config.json'))) {
  fail(
    `No model: ${modelDir} has no config.json. Install m3e-small (research use only) with\n` +
      '`cts model install m3e-small --accept-license research-only` or scripts/setup.sh.',
  )
}
function whole(flag: string, v: string, min: number): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n < min) fail(`${flag} must be a whole number ≥ ${min} (got "${v}").`)
  return n
}
const seed = whole('--seed', a.seed, 0)
const epochs = whole('--epochs', a.epochs, 1)
const limit = a.limit === undefined ? undefined : whole('--limit', a.limit, 10)

const cmid = a['text-col'] === undefined && looksLikeCmid(dataFile)
const labelField = cmid ? CMID_LABEL_FIELDS[a.labels as CmidLabels] : (a['label-col'] ?? 'label')
const all = cmid
  ? readCmid(dataFile, a.labels as CmidLabels)
  : await readLabelledFile(dataFile, { textCol: a['text-col'], labelCol: a['label-col'] })
// The split (and a --limit sample) is fixed by the app's default seed; --seed varies training only.
const rows = limit === undefined ? all : sampleRows(all, limit, DEFAULT_SEED)
const split = splitRows(rows, DEFAULT_SEED, { file: dataFile, labelField })

const splitFile = resolve(
  a['split-out'] ??
    join(
      ROOT,
      '.cache/bench/zh-medical',
      `${basename(dataFile).replace(/\.[^.]+$/, '')}-${labelField}-${split.snapshot.slice(0, 12)}.json`,
    ),
)
mkdirSync(dirname(splitFile), { recursive: true })
writeFileSync(splitFile, JSON.stringify(split))

const pooling = (await inspectModelFolder(modelDir)).pooling
const tokenizer = await loadTokenizer(modelDir)
const mix = batchLabelMix(
  split.train.texts.map((t) => tokenizer.encode(t, BERT_DEFAULTS.maxLength).length),
  split.train.labels,
  { ...BERT_DEFAULTS, seed },
)
const counts = (labels: number[]) =>
  split.labels.map((name, i) => `${name} ${labels.filter((l) => l === i).length}`).join(', ')
console.log(
  [
    `data: ${dataFile} (${cmid ? `CMID, ${labelField}` : `labels from ${labelField}`}, sha256 ${split.source.sha256.slice(0, 16)}…)`,
    `  ${all.texts.length} labelled texts` +
      (Object.keys(all.skipped).length ? `, left out: ${JSON.stringify(all.skipped)}` : '') +
      (limit !== undefined ? `; sample of ${rows.texts.length} (--limit)` : ''),
    `  ${split.duplicates} duplicates dropped; split (seed ${DEFAULT_SEED}, stratified 80/10/10): ` +
      `train ${split.train.texts.length} / dev ${split.dev.texts.length} / test ${split.test.texts.length}`,
    `  test labels: ${counts(split.test.labels)}`,
    `  saved: ${splitFile} (snapshot ${split.snapshot.slice(0, 16)}…)`,
    `  majority-label share per training batch: ours (length buckets) ${mix.ours.toFixed(3)}, ` +
      `random batches ${mix.random.toFixed(3)}` +
      (mix.ours > mix.random + 0.05
        ? ' — length predicts the label here: see README-zh-medical.md'
        : ''),
    `model: ${modelDir} (pooling ${pooling}); recipe: lr ${BERT_DEFAULTS.learningRate.toExponential()}, ` +
      `batch ${BERT_DEFAULTS.batchSize}, epochs ${epochs}, max length ${BERT_DEFAULTS.maxLength}, warm-up ` +
      `${BERT_DEFAULTS.warmupRatio * 100} % + linear decay, early stopping on dev macro-F1 ` +
      `(patience ${BERT_DEFAULTS.patience}), best dev epoch kept; training seed ${seed}`,
  ].join('\n'),
)

const work = mkdtempSync(join(tmpdir(), 'cts-zh-bench-'))
const outFile = join(work, 'runs.json')
const bench = fileURLToPath(new URL('./train-bert.ts', import.meta.url))
const whole_ = String(Number.MAX_SAFE_INTEGER) // every text of each split
const { patience, maxLength, batchSize } = BERT_DEFAULTS
const protocol = [
  ...['--split', splitFile, '--model', modelDir, '--head', pooling],
  ...['--train', whole_, '--dev', whole_, '--test', whole_],
  ...['--epochs', String(epochs), '--patience', String(patience)],
  ...['--max-length', String(maxLength), '--batch-size', String(batchSize)],
  ...['--seed', String(seed), '--torch-padding', 'longest', '--out', outFile],
  ...(a['shared-streams'] ? ['--shared-streams'] : []),
]
const r = spawnSync(process.execPath, ['--import', 'tsx', bench, ...protocol], { stdio: 'inherit' })
if (r.status !== 0) {
  rmSync(work, { recursive: true, force: true })
  process.exit(r.status ?? 1)
}

interface Run {
  testMacroF1: number
  wallSeconds: number
  epochs: { seconds: number }[]
}
const runs = JSON.parse(readFileSync(outFile, 'utf8')) as { ours: Run[]; torch: Run[] }
rmSync(work, { recursive: true, force: true })
const [ours, torch] = [runs.ours[0], runs.torch[0]]
const trainSeconds = (x: Run) => x.epochs.reduce((s, e) => s + e.seconds, 0)
const gap = (ours.testMacroF1 - torch.testMacroF1) * 100
const within = Math.abs(gap) <= 1
const smoke = limit !== undefined || epochs !== BERT_DEFAULTS.epochs || a['shared-streams']
console.log(
  [
    `test macro-F1: ours ${ours.testMacroF1.toFixed(4)}, PyTorch ${torch.testMacroF1.toFixed(4)}`,
    `gap (ours − PyTorch): ${gap >= 0 ? '+' : ''}${gap.toFixed(2)} points`,
    `within 1 point: ${within ? 'yes' : 'no'}`,
    `issue #9 point 8 (within 1 point, or above): ${within || gap > 0 ? 'PASS' : 'FAIL'}` +
      (smoke ? ' — not the benchmark (--limit, --epochs or --shared-streams)' : ''),
    `wall time: ours ${ours.wallSeconds.toFixed(0)} s (training ${trainSeconds(ours).toFixed(0)} s), ` +
      `PyTorch ${torch.wallSeconds.toFixed(0)} s (training ${trainSeconds(torch).toFixed(0)} s)`,
  ].join('\n'),
)
