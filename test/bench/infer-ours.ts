// Our side of test/bench/infer-bert.ts, run in its own process (its own peak RSS): loads a bundle
// the way `cts predict` does (fp32 or int8) and predicts the texts of a data file.
//
//   npx tsx test/bench/infer-ours.ts --data TEXTS.json --bundle DIR [--threads 2] [--quantize int8|none]
//                                    [--batch-size 64] [--sessions N]
//
// --sessions: sessions side by side (predict.ts's pool), each of --threads threads; default 1, as
// `cts predict`.
//
// Prints one JSON line: seconds (texts → probabilities, after loading), texts/s, load seconds,
// peak RSS and the predicted class of every text.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { loadClassifierBundle } from '../../main/ml/infer/classifier-bundle'
import type { Quantization } from '../../main/ml/infer/quantize'

export interface EngineResult {
  seconds: number
  textsPerSecond: number
  loadSeconds: number
  peakRssMb: number
  testMacroF1: number
  /** The predicted class of every text, in order. */
  predicted: number[]
}

/** Macro-F1 over `k` classes (a class never predicted nor present counts 0, as scikit-learn). */
export function macroF1(truth: number[], predicted: number[], k: number): number {
  let sum = 0
  for (let c = 0; c < k; c++) {
    let tp = 0
    let fp = 0
    let fn = 0
    truth.forEach((t, i) => {
      if (predicted[i] === c && t === c) tp++
      else if (predicted[i] === c) fp++
      else if (t === c) fn++
    })
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn)
  }
  return sum / k
}

/** The class of highest probability of each of `n` rows of `probs` [n × k]. */
export function argmaxRows(probs: Float32Array, n: number, k: number): number[] {
  return Array.from({ length: n }, (_, i) => {
    let best = 0
    for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c
    return best
  })
}

async function main(): Promise<void> {
  const { values: a } = parseArgs({
    options: {
      data: { type: 'string' },
      bundle: { type: 'string' },
      threads: { type: 'string', default: '2' },
      quantize: { type: 'string', default: 'none' },
      'batch-size': { type: 'string' },
      sessions: { type: 'string', default: '1' },
    },
  })
  const { texts } = JSON.parse(readFileSync(a.data!, 'utf8')) as { texts: string[] }
  const loadStarted = performance.now()
  const model = await loadClassifierBundle(a.bundle!, 'cpu', {
    threads: Number(a.threads),
    sessions: Number(a.sessions),
    quantization: a.quantize as Quantization,
  })
  const loadSeconds = (performance.now() - loadStarted) / 1000
  const started = performance.now()
  const probs = await model.predict(
    texts,
    a['batch-size'] === undefined ? undefined : Number(a['batch-size']),
  )
  const seconds = (performance.now() - started) / 1000
  await model.release()
  const predicted = argmaxRows(probs, texts.length, model.labels.length)
  console.log(
    JSON.stringify({
      seconds,
      textsPerSecond: texts.length / seconds,
      loadSeconds,
      sessions: Number(a.sessions),
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      predicted,
    }),
  )
}

if (process.argv[1]?.endsWith('infer-ours.ts')) await main()
