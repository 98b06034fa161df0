// The 'cv' job (runs in the job process): trains one model per fold × learning-curve fraction
// through runTrainJob — the very code `cts train` runs — in a scratch folder, keeps only each
// model's predictions on its held-out fold, and deletes the model before the next one.
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { argmax } from '../ml/eval/metrics'
import { TEST_PREDICTIONS_ARTIFACT } from '../shared'
import { JobCancelledError, type JobContext } from './job-worker'
import { runTrainJob, type TrainHyper } from './train-job'
import type { CvJobResult, CvJobTaskResult } from '../../preload/contract/job-results'

export interface CvJobTask {
  fold: number
  fraction: number
  train: number[]
  dev: number[]
  eval: number[]
}

export interface CvJobInput {
  /** Scratch folder; each training gets a subfolder, removed once its predictions are read. */
  workDir: string
  model: 'baseline' | { bertDir: string }
  labels: string[]
  hyper: TrainHyper
  pool: { texts: string[]; labels: number[] }
  tasks: CvJobTask[]
}

export type { CvJobResult, CvJobTaskResult } from '../../preload/contract/job-results'

export async function runCvJob(raw: unknown, ctx: JobContext<'cv'>): Promise<CvJobResult> {
  const input = raw as CvJobInput
  const pick = (idx: number[]) => ({
    texts: idx.map((i) => input.pool.texts[i]),
    labels: idx.map((i) => input.pool.labels[i]),
  })
  const start = performance.now()
  const totalTexts = input.tasks.reduce((s, t) => s + t.train.length, 0)
  let doneTexts = 0
  const results: CvJobTaskResult[] = []
  for (const [ti, task] of input.tasks.entries()) {
    if (ctx.signal.aborted) throw new JobCancelledError()
    const runDir = join(input.workDir, `task-${ti + 1}`)
    rmSync(runDir, { recursive: true, force: true })
    mkdirSync(runDir, { recursive: true })
    const about = {
      task: ti + 1,
      tasks: input.tasks.length,
      fold: task.fold + 1,
      folds: Math.max(...input.tasks.map((t) => t.fold)) + 1,
      fraction: task.fraction,
    }
    // Time left: this training's own estimate plus the rest at the pace measured so far.
    const elapsed = () => (performance.now() - start) / 1000
    const rest = () =>
      doneTexts > 0 ? (elapsed() / doneTexts) * (totalTexts - doneTexts - task.train.length) : 0
    const sub: JobContext<'train'> = {
      signal: ctx.signal,
      report: (p) =>
        ctx.report({
          ...p,
          phase: p.phase,
          metrics: { ...(p.metrics ?? {}), ...about },
          ...(p.etaSeconds !== undefined ? { etaSeconds: p.etaSeconds + rest() } : {}),
        }),
    }
    const r = await runTrainJob(
      {
        runDir,
        model: input.model,
        labels: input.labels,
        hyper: input.hyper,
        train: pick(task.train),
        dev: task.dev.length > 0 ? pick(task.dev) : undefined,
        test: pick(task.eval),
      },
      sub,
    )
    const preds = JSON.parse(readFileSync(join(runDir, TEST_PREDICTIONS_ARTIFACT), 'utf8')) as {
      probs: number[][]
    }
    rmSync(runDir, { recursive: true, force: true })
    results.push({
      fold: task.fold,
      fraction: task.fraction,
      trainTexts: task.train.length,
      devTexts: task.dev.length,
      yPred: preds.probs.map((row) => argmax(row)),
      ...(task.fraction === 1
        ? { probs: preds.probs.map((row) => row.map((p) => Math.round(p * 1e4) / 1e4)) }
        : {}),
      trainSeconds: r.trainSeconds,
      provider: r.provider,
    })
    doneTexts += task.train.length
  }
  return { tasks: results, seconds: (performance.now() - start) / 1000 }
}
