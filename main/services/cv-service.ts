// Cross-validation and learning curves of a project (or of texts from files): plans the folds
// (cv-plan.ts), trains them in one 'cv' job, then computes per-fold and pooled metrics with
// bootstrap intervals and the learning curve. Fold models are NOT kept as runs: only their
// out-of-fold predictions and the numbers are stored, in <home>/cv/<id>.json (+ -predictions.json).
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { HandlersOf, ValidArgs } from '../../preload/contract'
import { CtsError, DATASET_SUMMARY_ARTIFACT } from '../shared'
import {
  type cvArgs,
  type CvCurveDto,
  type CvEstimateDto,
  type CvResultDto,
} from '../../preload/contract/cv'
import type { JobService } from '../jobs/job-service'
import type { CvJobInput, CvJobResult } from '../jobs/cv-job'
import { CURVE_FRACTIONS, DEFAULT_FOLDS } from '../ml/eval/cv-folds'
import {
  curveVerdict,
  pairedMacroF1Gain,
  perFoldMetrics,
  pooledMetrics,
  type OutOfFold,
} from '../ml/eval/cv-metrics'
import { BOOTSTRAP_RESAMPLES, CONFIDENCE_LEVEL } from '../ml/eval/eval-defaults'
import { DEFAULT_SEED } from '../ml/train/defaults'
import { planCrossValidation, type CvPlan } from './cv-plan'
import { CV_DIR } from '../store/cv-records-repository'
import type { Repositories } from '../store/repositories'
import { compactLabels } from './project-labelled'
import type { RunsService } from './runs-service'
import { dataSnapshotHash, type TrainingData } from './training-data'
import { curveSentence } from '../reports/report-cv'
import { filesData } from './training-files'
import { resolveHyper, type TrainingService } from './training-service'

/** A cross-validation config as dispatch validated it: what the service takes. */
export type CvConfig = NonNullable<ValidArgs<'cv/start'>['config']>
export { CV_DIR }

/**
 * Rule-of-thumb training speed (texts × epochs per second) when no finished run says better, and
 * the seconds each training spends besides (loading, saving, predicting its fold). Baseline:
 * measured on the bundled 160-text sample, 2 shared CPU cores (about 16,000 text-epochs/s and
 * 0.75 s per training), rounded to the slow side; all-MiniLM-L6-v2 fine-tuning on the same
 * machine: 7 texts/s at max length 128, plus loading, saving and predicting (about 8 s).
 */
const RULE_OF_THUMB = { baseline: 5000, bert: 7 }
const OVERHEAD = { baseline: 0.8, bert: 8 }

export interface StartedCv {
  cvId: number
  jobId: string
  estimate: CvEstimateDto
  /** Settles with the stored result once the job has ended (success, cancelled or error). */
  done: Promise<CvResultDto>
}

interface Prepared {
  plan: CvPlan
  data: TrainingData
  k: number
  seed: number
  model: string
  curve: boolean
  input: Omit<CvJobInput, 'workDir'>
  baseModel: string
  kind: 'baseline' | 'bert'
}

export class CvService {
  private readonly dir: string

  constructor(
    home: string,
    private readonly jobs: JobService,
    private readonly training: TrainingService,
    private readonly runs: RunsService,
    /** A project's texts and the CV records. */
    private readonly store: Pick<Repositories, 'texts' | 'cvRecords'>,
  ) {
    this.dir = join(home, CV_DIR)
  }

  /** A project's labelled texts as `cts train` sees them (single label, not skipped). */
  async projectData(projectId: number): Promise<TrainingData> {
    const { names, rows: single } = await this.store.texts.singleLabelled(projectId)
    const { labels, of } = compactLabels(single, names)
    // Texts an import marked test are the project's test split: they never enter CV.
    const test = single.filter((r) => r.split === 'test')
    return {
      projectId,
      labels,
      train: of(single.filter((r) => r.split !== 'test')),
      ...(test.length > 0 ? { test: of(test) } : {}),
    }
  }

  private async prepare(data: TrainingData, c: CvConfig = {}): Promise<Prepared> {
    if (data.labels.length < 2) {
      throw new CtsError(
        'bad-input',
        'Cross-validation needs at least two labels with labelled texts.',
      )
    }
    const k = c.k ?? DEFAULT_FOLDS
    const seed = c.seed ?? DEFAULT_SEED
    const model = c.model ?? 'baseline'
    const curve = c.curve ?? true
    const plan = planCrossValidation(data, {
      k,
      seed,
      split: c.split,
      fractions: curve ? CURVE_FRACTIONS : [1],
    })
    let bertDir: string | undefined
    let baseModel = 'baseline'
    if (model !== 'baseline') {
      if (model === 'default') {
        const choice = await this.training.modelChoice().forTexts(plan.pool.texts)
        bertDir = choice?.dir ?? this.training.resolveModelDir(model)
        baseModel = choice?.record.resolved ?? model
      } else {
        bertDir = this.training.resolveModelDir(model)
        baseModel = model
      }
    }
    // The same hyper-parameters `cts train --model M` records (the reference recipe's defaults).
    const hyper = resolveHyper({ model: bertDir ? model : 'baseline', seed })
    return {
      plan,
      data,
      k,
      seed,
      model,
      curve,
      baseModel,
      kind: bertDir ? 'bert' : 'baseline',
      input: {
        model: bertDir ? { bertDir } : 'baseline',
        labels: data.labels,
        hyper,
        pool: { texts: plan.pool.texts, labels: plan.pool.labels },
        tasks: plan.tasks,
      },
    }
  }

  /**
   * Seconds the job will take: training texts × epochs at the speed a finished run of the same
   * model in this workspace measured (else a rule of thumb), plus a per-training overhead. Early
   * stopping usually makes it shorter.
   */
  private async estimateOf(p: Prepared): Promise<CvEstimateDto> {
    const epochs = p.input.hyper.epochs
    const textEpochs = p.plan.tasks.reduce((s, t) => s + t.train.length * epochs, 0)
    let rate: number = RULE_OF_THUMB[p.kind]
    let basis: CvEstimateDto['basis'] = 'rule-of-thumb'
    const previous = (await this.runs.list())
      .filter((r) => r.status === 'success' && r.baseModel === p.baseModel && r.trainSeconds)
      .reverse()
    for (const r of previous) {
      try {
        await this.runs.localRunDir(r.id)
        const summary = JSON.parse(
          this.runs.readArtifact(r.id, DATASET_SUMMARY_ARTIFACT).toString('utf8'),
        ) as { splits: { split: string; counts: number[] }[] }
        const n = summary.splits.find((s) => s.split === 'train')?.counts.reduce((a, b) => a + b, 0)
        if (!n || r.epochs.length === 0) continue
        rate = (n * r.epochs.length) / r.trainSeconds!
        basis = 'previous-run'
        break
      } catch {
        continue
      }
    }
    return {
      trainings: p.plan.tasks.length,
      texts: p.plan.pool.texts.length,
      seconds: Math.round(textEpochs / rate + p.plan.tasks.length * OVERHEAD[p.kind]),
      basis,
    }
  }

  async estimate(data: TrainingData, config?: CvConfig): Promise<CvEstimateDto> {
    return this.estimateOf(await this.prepare(data, config))
  }

  /** Start a cross-validation of the given texts (a project's, or files' for `cts cv --train`). */
  async start(data: TrainingData, config?: CvConfig): Promise<StartedCv> {
    const p = await this.prepare(data, config)
    const estimate = await this.estimateOf(p)
    const record: CvResultDto = await this.store.cvRecords.create({
      projectId: data.projectId ?? null,
      status: 'running',
      createdAt: new Date().toISOString(),
      finishedAt: null,
      model: p.model,
      baseModel: p.baseModel,
      k: p.k,
      seed: p.seed,
      split: p.plan.split,
      labels: data.labels,
      texts: p.plan.pool.texts.length,
      testExcluded: p.plan.testExcluded,
      duplicatesRemoved: p.plan.duplicatesRemoved,
      dataHash: dataSnapshotHash(data.labels, { pool: p.plan.pool }),
      level: CONFIDENCE_LEVEL,
      resamples: BOOTSTRAP_RESAMPLES,
      folds: [],
      pooled: null,
      curve: null,
      seconds: null,
      jobId: null,
    })
    const cvId = record.id
    // The job's scratch folder, removed when it ends.
    const workDir = join(this.dir, `${cvId}-work`)
    mkdirSync(this.dir, { recursive: true })
    const { jobId, done } = this.jobs.start('cv', { ...p.input, workDir })
    record.jobId = jobId
    await this.store.cvRecords.save(record)
    const finished = done.then(async (final) => {
      rmSync(workDir, { recursive: true, force: true })
      const ended = { ...record, finishedAt: new Date().toISOString() }
      if (final.status === 'success') {
        try {
          const r = final.result
          const out = summarise(ended, p, r)
          await this.store.cvRecords.saveOutOfFold(cvId, outOfFoldArtifact(p, r))
          await this.store.cvRecords.save(out)
          return out
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e)
          const failed: CvResultDto = {
            ...ended,
            status: 'error',
            error: { code: 'internal', message },
          }
          await this.store.cvRecords.save(failed)
          return failed
        }
      }
      const out: CvResultDto = {
        ...ended,
        status: final.status === 'cancelled' ? 'cancelled' : 'error',
        error: final.error ?? null,
      }
      await this.store.cvRecords.save(out)
      return out
    })
    return { cvId, jobId, estimate, done: finished }
  }

  async get(cvId: number): Promise<CvResultDto> {
    const record = await this.store.cvRecords.get(cvId)
    if (!record)
      throw new CtsError('not-found', `Cross-validation ${cvId} does not exist in this workspace.`)
    return record
  }

  /** Newest first; a project's only when given. */
  async list(projectId?: number): Promise<CvResultDto[]> {
    return (await this.store.cvRecords.list()).filter(
      (r) => projectId === undefined || r.projectId === projectId,
    )
  }

  /** The project's newest finished cross-validation (the report's section), or null. */
  async latest(projectId: number): Promise<CvResultDto | null> {
    return (await this.list(projectId)).find((r) => r.status === 'success') ?? null
  }

  /** Contract handlers (arguments already validated at dispatch). */
  handlers(): HandlersOf<keyof typeof cvArgs> {
    return {
      'cv/start': async ({ projectId, config }) => {
        const data = await this.projectData(projectId)
        const { cvId, jobId, estimate } = await this.start(data, config)
        return { cvId, jobId, estimate }
      },
      'cv/startFiles': async ({ files, config }) => {
        // Test texts never take part; a dev file has no role in cross-validation.
        const { data, skipped } = await filesData(files, { dev: false })
        const { cvId, jobId, estimate } = await this.start(data, config)
        return { cvId, jobId, estimate, skipped }
      },
      'cv/estimate': async ({ projectId, config }) => {
        return this.estimate(await this.projectData(projectId), config)
      },
      'cv/list': async ({ projectId }) => this.list(projectId),
      'cv/get': async ({ cvId }) => this.get(cvId),
    }
  }
}

/** Out-of-fold predictions of one fraction in pool order. */
function outOfFold(p: Prepared, r: CvJobResult, fraction: number): OutOfFold {
  const n = p.plan.pool.texts.length
  const yPred = new Array<number>(n).fill(-1)
  p.plan.tasks.forEach((task, ti) => {
    if (task.fraction !== fraction) return
    task.eval.forEach((i, j) => (yPred[i] = r.tasks[ti].yPred[j]))
  })
  return { yTrue: p.plan.pool.labels, yPred, fold: p.plan.fold }
}

/** The job's predictions → the stored result (folds, pooled, learning curve). */
function summarise(base: CvResultDto, p: Prepared, r: CvJobResult): CvResultDto {
  const result = summariseMetrics(base, p, r)
  // The sentence `cts cv` prints, worded once (main/reports) and carried by the result.
  if (result.curve) result.curve.sentence = curveSentence(result) ?? undefined
  return result
}

function summariseMetrics(base: CvResultDto, p: Prepared, r: CvJobResult): CvResultDto {
  const numClasses = p.data.labels.length
  const full = outOfFold(p, r, 1)
  const folds = perFoldMetrics(full, p.k)
  const pooled = pooledMetrics(full, p.k, numClasses)
  const fullTasks = p.plan.tasks.flatMap((t, ti) => (t.fraction === 1 ? [ti] : []))
  let curve: CvCurveDto | null = null
  if (p.curve) {
    const fractions = [...new Set(p.plan.tasks.map((t) => t.fraction))].sort((a, b) => a - b)
    const oofs = new Map(fractions.map((f) => [f, outOfFold(p, r, f)]))
    const points = fractions.map((fraction) => {
      const o = oofs.get(fraction)!
      const m = pooledMetrics(o, p.k, numClasses)
      const sizes = p.plan.tasks.filter((t) => t.fraction === fraction).map((t) => t.train.length)
      return {
        fraction,
        trainTexts: sizes.reduce((s, v) => s + v, 0) / sizes.length,
        macroF1: m.macroF1,
      }
    })
    const half = oofs.get(0.5)!
    const gain = pairedMacroF1Gain(full.yTrue, half.yPred, full.yPred, numClasses)
    curve = { points, gain: { ...gain, from: 0.5, to: 1 }, verdict: curveVerdict(gain) }
  }
  return {
    ...base,
    status: 'success',
    folds: folds.map((f, i) => {
      const t = p.plan.tasks[fullTasks[i]]
      return {
        fold: f.fold + 1,
        trainTexts: t.train.length,
        devTexts: t.dev.length,
        evalTexts: f.texts,
        accuracy: f.accuracy,
        macroF1: f.macroF1,
        seconds: r.tasks[fullTasks[i]].trainSeconds,
      }
    }),
    pooled: {
      texts: full.yTrue.length,
      accuracy: pooled.report.accuracy,
      weightedF1: pooled.report.weighted.f1,
      macroF1: pooled.macroF1,
      perClass: pooled.report.perClass.map((c) => ({
        label: p.data.labels[c.label],
        precision: c.precision,
        recall: c.recall,
        f1: c.f1,
        support: c.support,
      })),
      confusion: pooled.report.confusion,
      foldMean: pooled.foldMean,
      foldSd: pooled.foldSd,
    },
    curve,
    seconds: r.seconds,
  }
}

/** What is kept of the fold models: each text's fold, true class and out-of-fold prediction. */
function outOfFoldArtifact(p: Prepared, r: CvJobResult) {
  const full = outOfFold(p, r, 1)
  const probs: number[][] = new Array(full.yTrue.length)
  p.plan.tasks.forEach((task, ti) => {
    if (task.fraction !== 1) return
    task.eval.forEach((i, j) => (probs[i] = r.tasks[ti].probs?.[j] ?? []))
  })
  const byFraction = Object.fromEntries(
    [...new Set(p.plan.tasks.map((t) => t.fraction))].map((f) => [
      String(f),
      outOfFold(p, r, f).yPred,
    ]),
  )
  return {
    labels: p.data.labels,
    textIds: p.plan.pool.ids ?? null,
    fold: p.plan.fold,
    yTrue: full.yTrue,
    yPred: byFraction,
    probs,
  }
}
