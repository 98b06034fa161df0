// serve-load.ts --before-after: the same MiniLM classifier served the way it was ("before": fp32,
// ORT spin-waiting, 64-text session runs, the graph as emitted, one model thread) and with issue
// #13's changes ("after": int8 dynamic quantization, no spin-waiting, 8-text session runs, a pool
// of model threads taking calls side by side), as `cts serve` runs it, loaded in turn by the same
// clients; prints the ratios (--steps: each change alone too).
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { copyTokenizerFiles, saveClassifierBundle } from '../../main/ml/infer/classifier-bundle'
import { createBertAdapter } from '../../main/ml/models/bert-adapter'
import type { Predictor } from '../../main/serve/predictor'
import {
  loadRunPredictorInWorker,
  type WorkerPredictorOptions,
} from '../../main/serve/worker-predictor'
import type { Outcome } from './serve-load'

const MINILM = fileURLToPath(new URL('../../resources/models/all-MiniLM-L6-v2', import.meta.url))

export const BEFORE: WorkerPredictorOptions = {
  quantize: 'none',
  spinning: true,
  batchSize: 64,
  fuse: false,
  workers: 1,
}
export const AFTER: WorkerPredictorOptions = { quantize: 'int8', spinning: false }

interface Side {
  name: string
  outcomes: Outcome[]
}

/** --steps: each change alone between before and after, to see what each one wins. */
const STEPS: Record<string, WorkerPredictorOptions> = {
  'fp32, no spin': { quantize: 'none', spinning: false, batchSize: 64, workers: 1 },
  'int8, spin': { quantize: 'int8', spinning: true, batchSize: 64, workers: 1 },
  'int8, no spin, 64-text runs': { quantize: 'int8', spinning: false, batchSize: 64, workers: 1 },
  'after, one model thread': { quantize: 'int8', spinning: false, workers: 1 },
  // Measured and left off by default (fuse-graph.ts).
  'after + fused attention': { quantize: 'int8', spinning: false, fuse: true },
}

export async function beforeAfter(o: {
  bundle?: string
  steps: boolean
  /** More sides to load between before and after: name → options (serve-load.ts --sides JSON). */
  sides?: Record<string, WorkerPredictorOptions>
  maxLength: number
  rounds: number
  run: (p: Predictor) => Promise<{ outcome: Outcome; stats: string }>
  report: (label: string, o: Outcome, extra?: string) => void
}): Promise<number> {
  let dir = o.bundle
  let temp: string | undefined
  if (!dir) {
    temp = mkdtempSync(join(tmpdir(), 'cts-serve-bench-'))
    dir = temp
    const adapter = await createBertAdapter(MINILM, {
      numClasses: 2,
      maxLength: o.maxLength,
      head: 'mean',
      initSeed: 1,
    })
    copyTokenizerFiles(MINILM, dir)
    saveClassifierBundle(dir, adapter, ['routine', 'urgent'])
  }
  console.log(
    `Target: MiniLM classifier ${o.bundle ?? `(random head, max length ${o.maxLength})`} in worker threads; ` +
      `before ${JSON.stringify(BEFORE)}, after ${JSON.stringify(AFTER)}`,
  )
  const options: Record<string, WorkerPredictorOptions> = {
    before: BEFORE,
    ...(o.steps ? STEPS : {}),
    ...o.sides,
    after: AFTER,
  }
  const sides: Side[] = Object.keys(options).map((name) => ({ name, outcomes: [] }))
  let errors = 0
  try {
    for (let r = 0; r < o.rounds; r++) {
      for (const side of sides) {
        const predictor = await loadRunPredictorInWorker('', 0, undefined, {
          ...options[side.name],
          bundleDir: dir,
        })
        try {
          const { outcome, stats } = await o.run(predictor)
          o.report(side.name, outcome, stats)
          side.outcomes.push(outcome)
          errors += outcome.errors
        } finally {
          await predictor.release()
        }
      }
    }
  } finally {
    if (temp) rmSync(temp, { recursive: true, force: true })
  }
  const summary = (s: Side) => {
    const lat = s.outcomes.flatMap((x) => x.latenciesMs).sort((a, b) => a - b)
    const n = lat.length
    const seconds = s.outcomes.reduce((t, x) => t + x.seconds, 0)
    const at = (q: number) => lat[Math.floor(q * (n - 1))]
    return { rps: n / seconds, p50: at(0.5), p99: at(0.99) }
  }
  const b = summary(sides[0])
  const a = summary(sides[sides.length - 1])
  for (const side of sides.slice(1, -1)) {
    const m = summary(side)
    console.log(`${side.name} / before: requests/s ${(m.rps / b.rps).toFixed(2)}×`)
  }
  console.log(
    `after / before: requests/s ${(a.rps / b.rps).toFixed(2)}× (${b.rps.toFixed(0)} → ${a.rps.toFixed(0)}), ` +
      `p50 ${b.p50.toFixed(0)} → ${a.p50.toFixed(0)} ms, p99 ${b.p99.toFixed(0)} → ${a.p99.toFixed(0)} ms`,
  )
  // A busy machine favours the side that does not spin-wait: say how busy it was.
  console.log(
    `load average (1, 5, 15 min): ${loadavg()
      .map((x) => x.toFixed(1))
      .join(', ')}`,
  )
  return errors === 0 ? 0 : 1
}
