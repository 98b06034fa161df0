// A study's first estimate against the time MiniLM really takes here: for the demo sample (short
// texts) and medical abstracts (128 tokens, a --limit subset), the probe-calibrated estimate of a
// fine-tune (auto recipe: lr 1e-4, batch 16, random batches) is printed, then 2 epochs are trained
// in a job process and the measured seconds per epoch, start and finish are printed beside it.
// Usage: npx tsx test/bench/estimate.ts [--sets demo,medical] [--limit 320] [--epochs 2]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { ForkHost } from '../../main/jobs/fork-host'
import { JobService } from '../../main/jobs/job-service'
import type { TrainJobInput } from '../../main/jobs/train-job'
import { BERT_DEFAULTS } from '../../main/ml/train/defaults'
import { AUTO_RECIPE } from '../../main/ml/train/recipes'
import { CalibratedEstimator, estimateTexts } from '../../main/services/study-estimate'
import { workspaceCalibration } from '../../main/services/study-estimate-cache'
import { EpochTracker } from '../../main/services/study-estimate-refine'
import { medicalAbstracts } from './medical-abstracts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const MODEL = join(ROOT, 'resources/models/all-MiniLM-L6-v2')
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const sets = arg('sets', 'demo,medical').split(',')
const limit = Number(arg('limit', '320'))
const epochs = Number(arg('epochs', '2'))

interface BenchSet {
  name: string
  labels: string[]
  train: { texts: string[]; labels: number[] }
  dev: { texts: string[]; labels: number[] }
}

function demoSet(): BenchSet {
  const csv = readFileSync(join(ROOT, 'resources/samples/symptoms-zh-en.csv'))
  const rows = parse(csv, { columns: true }) as { text: string; label: string }[]
  const labels = [...new Set(rows.map((r) => r.label))]
  const data = {
    labels,
    train: { texts: rows.map((r) => r.text), labels: rows.map((r) => labels.indexOf(r.label)) },
  }
  // The split a study's candidates train on (stratified 80/10/10, seed 42).
  const t = estimateTexts(data, { model: 'default', recipe: 'auto' })
  const labelOf = new Map(rows.map((r) => [r.text, labels.indexOf(r.label)]))
  const pick = (texts: string[]) => ({ texts, labels: texts.map((x) => labelOf.get(x)!) })
  return { name: 'demo sample', labels, train: pick(t.train), dev: pick(t.dev) }
}

function medicalSet(): BenchSet {
  const m = medicalAbstracts()
  const cut = (s: { texts: string[]; labels: number[] }, n: number) => ({
    texts: s.texts.slice(0, n),
    labels: s.labels.slice(0, n),
  })
  return {
    name: `medical abstracts (first ${limit} train, ${Math.round(limit / 4)} dev)`,
    labels: m.labels,
    train: cut(m.train, limit),
    dev: cut(m.dev, Math.round(limit / 4)),
  }
}

const entry = join(ROOT, 'main/jobs/job-entry.ts')
const jobs = new JobService({ host: new ForkHost({ entry }), publish: () => {} })
const home = mkdtempSync(join(tmpdir(), 'cts-estimate-bench-'))
const fmt = (x: number) => x.toFixed(1)
try {
  for (const name of sets) {
    const set = name === 'demo' ? demoSet() : medicalSet()
    // A fresh cache per set: each first estimate is a study's very first (it probes).
    const cache = join(home, `${name}-calibration.json`)
    const estimator = new CalibratedEstimator(workspaceCalibration(jobs, cache))
    const est = await estimator.estimate({
      key: MODEL,
      kind: 'bert',
      trainTexts: set.train.texts,
      devTexts: set.dev.texts,
      maxLength: BERT_DEFAULTS.maxLength,
      batchSize: BERT_DEFAULTS.batchSize,
      numClasses: set.labels.length,
      batching: AUTO_RECIPE.policy.batching,
      device: 'cpu',
    })
    const cal = JSON.parse(readFileSync(cache, 'utf8')).entries[0].calibration
    // Other work on the computer slows epochs unevenly: the load is printed with the numbers.
    console.log(
      `\n== ${set.name}: ${set.train.texts.length} train, ${set.dev.texts.length} dev (load average ${loadavg()[0].toFixed(1)})`,
    )
    console.log(
      `probe ${fmt(est.probeSeconds ?? 0)} s (lengths ${cal.lengths.join(', ')}): train step ${(cal.train.overhead * 1000).toFixed(0)} ms + FLOPs at ${(cal.train.flopsPerSecond / 1e9).toFixed(1)} GFLOP/s; dev batch ${(cal.eval.overhead * 1000).toFixed(0)} ms + ${(cal.eval.flopsPerSecond / 1e9).toFixed(1)} GFLOP/s; set-up ${fmt(cal.setupSeconds)} s, checkpoints ${fmt(cal.checkpointSeconds)} s, job start ${fmt(cal.jobStartSeconds)} s`,
    )
    const runDir = join(home, `${name}-run`)
    const input: TrainJobInput = {
      runDir,
      model: { bertDir: MODEL },
      labels: set.labels,
      hyper: {
        ...BERT_DEFAULTS,
        ...AUTO_RECIPE.policy,
        learningRate: 1e-4,
        epochs,
        patience: AUTO_RECIPE.patience,
        warmupRatio: AUTO_RECIPE.warmupRatio,
        seed: 42,
        device: 'cpu',
        classWeights: false,
        freezeEmbeddings: false,
        freezeLayers: 0,
        recipe: 'auto',
      },
      train: set.train,
      dev: set.dev,
      test: set.dev,
      scoreTest: false,
    }
    const t0 = performance.now()
    const tracker = new EpochTracker(t0, epochs, est.finishSeconds)
    const ends: number[] = []
    const job = jobs.start('train', input)
    jobs.watch(job.jobId, (p) => {
      const r = tracker.progress(p, performance.now())
      if (r) ends.push(performance.now())
    })
    const final = await job.done
    const wall = (performance.now() - t0) / 1000
    if (final.status !== 'success') throw new Error(final.error?.message ?? final.status)
    const r = tracker.refinement(performance.now())!
    const perEpoch = [
      (ends[0] - t0) / 1000 - r.startSeconds,
      ...ends.slice(1).map((e, i) => (e - ends[i]) / 1000),
    ]
    const pct = (actual: number, estimate: number) =>
      `${estimate >= actual ? '+' : ''}${(((estimate - actual) / actual) * 100).toFixed(0)} %`
    const total = est.startSeconds + epochs * est.epochSeconds + est.finishSeconds
    console.log(
      `epoch: estimated ${fmt(est.epochSeconds)} s; measured ${perEpoch.map((x, i) => `epoch ${i + 1} ${fmt(x)} s (${pct(x, est.epochSeconds)})`).join(', ')}`,
    )
    console.log(
      `start: estimated ${fmt(est.startSeconds)} s, measured ${fmt(r.startSeconds)} s; finish: estimated ${fmt(est.finishSeconds)} s, measured ${fmt(tracker.finishedSeconds(t0 + wall * 1000) ?? 0)} s`,
    )
    console.log(`load average after: ${loadavg()[0].toFixed(1)}`)
    console.log(
      `candidate (${epochs} epochs): estimated ${fmt(total)} s, measured ${fmt(wall)} s (${pct(wall, total)})`,
    )
    rmSync(runDir, { recursive: true, force: true })
  }
} finally {
  jobs.dispose()
  rmSync(home, { recursive: true, force: true })
}
