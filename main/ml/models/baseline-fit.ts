// Fitting the TF-IDF baseline: multinomial logistic regression over all training texts at once,
// minimised to convergence by L-BFGS (value and gradient from an ONNX graph our autodiff emits),
// for each regularisation strength C of a small grid; the C with the best dev macro-F1 wins.
// This is scikit-learn's LogisticRegression (lbfgs, L2 on the weights, not on the intercept):
// minimise mean_i w_i·nll_i + ||W||² / (2·C·Σw) — its objective divided by C·Σw.
import * as ort from 'onnxruntime-node'
import { classificationReport, type ClassificationReport } from '../eval/metrics'
import { createSession } from '../runtime'
import { minimizeLbfgs } from '../train/lbfgs'
import { inverseFrequencyWeights } from '../train/schedule'
import { BASELINE_PARAMS, type BaselineModelConfig } from './baseline'
import { buildFitGraphs, FIT_PARAMS, packFitChunks } from './baseline-fit-graph'
import {
  buildTfidfVocabulary,
  hashedGrams,
  tfidfText,
  type HashedGrams,
  type TfidfVocabulary,
} from './baseline-tfidf'

/** Regularisation strengths tried, strongest first (each fit starts from the previous one). */
export const BASELINE_C_GRID = [1, 10, 100] as const
/** C when there are no dev texts to choose on (scikit-learn's default is 1; 10 won most here). */
export const BASELINE_DEFAULT_C = 10
export const BASELINE_LBFGS = {
  maxIterations: 500,
  gradientTolerance: 1e-5,
  valueTolerance: 1e-7,
  memory: 8,
}

export interface LabelledTexts {
  texts: string[]
  labels: number[]
}

export interface BaselineFitOptions {
  train: LabelledTexts
  dev?: LabelledTexts
  numClasses: number
  /** Most distinct n-grams read per text. */
  maxFeatures: number
  classWeights: boolean
  seed: number
  threads?: number
  signal?: AbortSignal
  onProgress?: (p: { trial: number; trials: number; c: number; iteration: number }) => void
}

export interface BaselineTrial {
  c: number
  iterations: number
  evaluations: number
  converged: boolean
  /** Mean (class-weighted) training cross-entropy at the optimum, without the penalty. */
  trainLoss: number
  devMacroF1: number | null
  dev?: ClassificationReport
  seconds: number
}

export interface BaselineFit {
  config: BaselineModelConfig
  vocab: TfidfVocabulary
  weights: Map<string, Float32Array>
  trials: BaselineTrial[]
  /** Index into trials of the chosen C. */
  chosen: number
  trainSeconds: number
}

export class BaselineFitCancelled extends Error {}

/** Fit the TF-IDF baseline on `o.train`, choosing C on `o.dev`. */
export async function fitTfidfBaseline(o: BaselineFitOptions): Promise<BaselineFit> {
  const started = performance.now()
  const features = { charMax: 4, maxFeatures: o.maxFeatures }
  const trainGrams = o.train.texts.map((t) => hashedGrams(t, features))
  const vocab = buildTfidfVocabulary(trainGrams)
  const d = vocab.hashes.length
  const k = o.numClasses
  const config: BaselineModelConfig = {
    form: 'tfidf',
    ...features,
    // The first form's field; the tfidf form's n-grams are baseline-analyzer.ts's.
    charNgrams: 'all',
    buckets: d,
    dim: 0,
    numClasses: k,
    seed: o.seed,
    dropout: 0,
  }
  const graphs = buildFitGraphs(d, k)
  // One thread: ScatterND's 'add' is only exact when a single thread accumulates.
  const threads = 1
  const objective = await createSession(graphs.objective, { device: 'cpu', threads })
  const scorer = await createSession(graphs.logits, { device: 'cpu', threads })
  try {
    const encode = (grams: HashedGrams[]) => grams.map((g) => tfidfText(g, vocab, o.maxFeatures))
    const trainChunks = packFitChunks(encode(trainGrams), k, o.train.labels)
    const devGrams = (o.dev?.texts ?? []).map((t) => hashedGrams(t, features))
    const devChunks = devGrams.length > 0 ? packFitChunks(encode(devGrams), k) : []
    const classWeights = o.classWeights
      ? inverseFrequencyWeights(o.train.labels, k)
      : new Array<number>(k).fill(1)
    const weightTensor = new ort.Tensor('float32', Float32Array.from(classWeights), [k])
    const totalWeight = o.train.labels.reduce((s, y) => s + classWeights[y], 0)
    const paramFeeds = (x: Float32Array) => ({
      [FIT_PARAMS.table]: new ort.Tensor('float32', x.subarray(0, d * k), [d, k]),
      [FIT_PARAMS.bias]: new ort.Tensor('float32', x.subarray(d * k), [k]),
    })
    const checkpoint = () => {
      if (o.signal?.aborted) throw new BaselineFitCancelled('the baseline fit was cancelled')
    }

    const evaluate = async (x: Float32Array, lambda: number) => {
      const gradient = new Float32Array(x.length)
      let lossSum = 0
      for (const c of trainChunks) {
        checkpoint()
        const out = await objective.session.run({
          ...c.feeds,
          class_weights: weightTensor,
          ...paramFeeds(x),
        })
        lossSum += (out.loss.data as Float32Array)[0]
        const gt = out.grad_table.data as Float32Array
        for (let i = 0; i < gt.length; i++) gradient[i] += gt[i]
        const gb = out.grad_bias.data as Float32Array
        for (let i = 0; i < k; i++) gradient[d * k + i] += gb[i]
      }
      let penalty = 0
      for (let i = 0; i < d * k; i++) {
        gradient[i] = gradient[i] / totalWeight + lambda * x[i]
        penalty += x[i] * x[i]
      }
      for (let i = d * k; i < x.length; i++) gradient[i] /= totalWeight
      const meanLoss = lossSum / totalWeight
      return { value: meanLoss + (lambda / 2) * penalty, gradient, meanLoss }
    }

    const devPredictions = async (x: Float32Array): Promise<number[]> => {
      const pred = new Array<number>(o.dev!.texts.length)
      for (const c of devChunks) {
        const out = await scorer.session.run({ ...c.feeds, ...paramFeeds(x) })
        const logits = out.logits.data as Float32Array
        c.texts.forEach((row, r) => {
          let best = 0
          for (let j = 1; j < k; j++) if (logits[r * k + j] > logits[r * k + best]) best = j
          pred[row] = best
        })
      }
      return pred
    }

    const grid = devChunks.length > 0 ? [...BASELINE_C_GRID] : [BASELINE_DEFAULT_C]
    const trials: BaselineTrial[] = []
    let x: Float32Array = new Float32Array(d * k + k)
    let best: { index: number; x: Float32Array } | undefined
    for (const [trial, c] of grid.entries()) {
      const t0 = performance.now()
      // scikit-learn fits two classes as one binary logistic regression; the softmax's two weight
      // vectors at the optimum are ±half of its one, so the same C needs twice the penalty.
      const lambda = (k === 2 ? 2 : 1) / (c * totalWeight)
      let iteration = 0
      const r = await minimizeLbfgs(
        async (p) => {
          o.onProgress?.({ trial, trials: grid.length, c, iteration: iteration++ })
          return evaluate(p, lambda)
        },
        x,
        { ...BASELINE_LBFGS, checkpoint },
      )
      x = r.x
      const final = await evaluate(x, lambda)
      let dev: ClassificationReport | undefined
      if (devChunks.length > 0) {
        dev = classificationReport(o.dev!.labels, await devPredictions(x), [...Array(k).keys()])
      }
      trials.push({
        c,
        iterations: r.iterations,
        evaluations: r.evaluations + 1,
        converged: r.converged,
        trainLoss: final.meanLoss,
        devMacroF1: dev ? dev.macro.f1 : null,
        ...(dev ? { dev } : {}),
        seconds: (performance.now() - t0) / 1000,
      })
      // Strictly better only: on a tie the stronger regularisation (tried first) stays.
      if (!best || (dev && dev.macro.f1 > trials[best.index].devMacroF1!))
        best = { index: trial, x: Float32Array.from(x) }
    }
    const chosen = best!
    return {
      config,
      vocab,
      weights: new Map([
        [BASELINE_PARAMS.embedding, chosen.x.slice(0, d * k)],
        [BASELINE_PARAMS.bias, chosen.x.slice(d * k)],
      ]),
      trials,
      chosen: chosen.index,
      trainSeconds: (performance.now() - started) / 1000,
    }
  } finally {
    await objective.session.release()
    await scorer.session.release()
  }
}
