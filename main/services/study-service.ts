// Studies (the auto recipe): the baseline, then a learning-rate walk for each suitable pretrained
// model within a time budget, each candidate a kept run scored on dev only; then an ensemble of
// the baseline and the best fine-tuned model weighed on dev; the winner alone is scored on test.
import { basename, dirname, join } from 'node:path'
import type { HandlersOf } from '../../preload/contract'
import { CtsError, DATASET_ARTIFACT } from '../shared'
import {
  type studiesArgs,
  type StudyCandidateDto,
  type StudyDto,
  type StudyEnsembleDto,
  type StudyEstimateDto,
  type StudyStatus,
} from '../../preload/contract/studies'
import type { RunDto } from '../../preload/contract/training'
import type { JobProgressDto } from '../../preload/contract/jobs'
import type { JobService } from '../jobs/job-service'
import { type TestRunJobInput, type TrainJobInput } from '../jobs/train-job'
import { BASELINE_DEFAULTS, BERT_DEFAULTS, DEFAULT_SEED } from '../ml/train/defaults'
import { AUTO_RECIPE, nextLearningRate } from '../ml/train/recipes'
import type { Repositories } from '../store/repositories'
import type { StudyRecord } from '../store/studies-repository'
import { CJK_SHARE_THRESHOLD, isChineseCapable } from './model-choice'
import type { ResolvedChoice } from './model-choice-service'
import {
  createEnsembleRun,
  ensembleConfig,
  ensembleWins,
  readDevPredictions,
  weighOnDev,
  type WeighedEnsemble,
} from './ensemble-runs'
import { DEFAULT_MODEL_ID } from './models-service'
import type { RunsService } from './runs-service'
import {
  BASELINE_EPOCHS,
  BASIS_TEXT,
  CalibratedEstimator,
  estimateTexts,
  type CalibrationSource,
  type CandidateEstimate,
  type EstimateRequest,
  type StudyEstimator,
} from './study-estimate'
import { workspaceCalibration } from './study-estimate-cache'
import { EpochTracker, type Refinement } from './study-estimate-refine'
import { ensembleSummary, fmt, MIN_EPOCHS, refinedNote, winnerReason } from './study-messages'
import { filesData } from './training-files'
import type { TrainingConfig, TrainingData, TrainingService } from './training-service'

/** Learning rates each model's walk is planned to try (the walk usually stops after three). */
const PLANNED_PER_MODEL = 3
/** Share of CJK characters from which a project counts as (partly) Chinese. */
const MIXED_CJK_SHARE = 0.05

/** A pretrained model a study fine-tunes. */
export interface PretrainedCandidate {
  /** config.model for the training service ('default', an imported model's id, a folder). */
  model: string
  name: string
  dir: string
  /** Set when 'default' resolved to this model (recorded in the run as config.modelChoice). */
  chosen?: ResolvedChoice
}

export interface StudyServiceOptions {
  /** Milliseconds (tests inject a fake clock). */
  now?: () => number
  /** Default: a CalibratedEstimator per study (probe cached in the workspace). */
  estimator?: StudyEstimator
  /** Which pretrained models suit the texts; by default the model choice's language rules. */
  pretrained?: (data: TrainingData, config: TrainingConfig) => Promise<PretrainedCandidate[]>
  /** Study-level messages (estimates, skips, the decision): the CLI prints them on stderr. */
  onMessage?: (studyId: number, message: string) => void
}

export interface StartedStudy {
  studyId: number
  /** Settles with the study once it ended (success, cancelled or error). */
  done: Promise<StudyDto>
}

interface CandidateRecord {
  runId: number | null
  label: string
  kind: 'baseline' | 'bert' | 'ensemble'
  model: string
  /** Null for the ensemble (it trains nothing). */
  learningRate: number | null
  epochsAllowed: number
  estimateSeconds: number
  /** The estimate refined after each of its epochs (seconds, total of the candidate). */
  refinedSeconds?: number
  seconds: number | null
  skipped?: boolean
  /** It could not start (its note says why). */
  failed?: boolean
  note?: string
  /** The ensemble's dev macro-F1 (weighed, not trained: it has a run only when it won). */
  devMacroF1?: number
}

interface Summary {
  candidates: CandidateRecord[]
  ensemble: StudyEnsembleDto | null
  reason: string | null
  reasonZh: string | null
  testScoredBy: number | null
  elapsedSeconds: number
  /** The latest refined estimate of the running candidate and of what the budget still allows. */
  estimateNote?: string
}

/** 1e-4, 5e-5, 2e-4. */
const lrText = (lr: number) => lr.toExponential()

export class StudyService {
  private readonly now: () => number
  /** Where a study's estimator takes its step-time calibration (cached probe, else a probe job). */
  private readonly calibration: CalibrationSource
  /** Live studies: the job to cancel and whether a cancel was asked for. */
  private readonly live = new Map<number, { jobId?: string; cancelled: boolean }>()

  constructor(
    private readonly training: TrainingService,
    private readonly runs: RunsService,
    private readonly jobs: JobService,
    private readonly store: Pick<Repositories, 'studies'>,
    private readonly options: StudyServiceOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now())
    // <home>/step-calibration.json (runDir(0) is <home>/runs/0).
    this.calibration = workspaceCalibration(
      jobs,
      join(dirname(dirname(runs.runDir(0))), 'step-calibration.json'),
    )
  }

  async startForProject(projectId: number, config: TrainingConfig): Promise<StartedStudy> {
    const p = await this.training.projectData(projectId, config)
    return this.start(p.data, p.config, p.resolved)
  }

  /** Starts the study; candidates train one after another in job processes. */
  async start(
    data: TrainingData,
    config: TrainingConfig,
    chosen?: ResolvedChoice,
  ): Promise<StartedStudy> {
    const c: TrainingConfig = { ...config, recipe: 'auto' }
    const budgetSeconds = (c.budgetMinutes ?? AUTO_RECIPE.budgetMinutes) * 60
    const studyId = await this.store.studies.create({
      projectId: data.projectId ?? null,
      config: c,
      budgetSeconds,
      summary: emptySummary(),
    })
    return this.launch(studyId, () => this.search(studyId, data, c, budgetSeconds, chosen))
  }

  private launch(studyId: number, search: () => Promise<void>): StartedStudy {
    this.live.set(studyId, { cancelled: false })
    const done = search()
      .catch(async (e: unknown) => {
        const err =
          e instanceof CtsError
            ? { code: e.code, message: e.message }
            : { code: 'internal', message: e instanceof Error ? e.message : String(e) }
        await this.finish(studyId, 'error', null, err)
      })
      .then(() => {
        this.live.delete(studyId)
        return this.get(studyId)
      })
    return { studyId, done }
  }

  /**
   * Continues a stopped (cancelled, failed or crashed) study: candidates that finished are reused,
   * the rest of the search runs in what is left of the budget, on the same split texts.
   */
  async resume(studyId: number): Promise<StartedStudy> {
    if (this.live.has(studyId)) throw new CtsError('conflict', `Study ${studyId} is still running.`)
    const row = await this.store.studies.get(studyId)
    if (!row) throw new CtsError('not-found', `Study ${studyId} does not exist.`)
    if (row.status === 'success')
      throw new CtsError('conflict', `Study ${studyId} has finished; start a new one instead.`)
    const prior = row.summary ? (row.summary as Summary) : emptySummary()
    let first: CandidateRecord | undefined
    for (const c of prior.candidates) {
      if (c.runId !== null && (await this.tryRun(c.runId))) {
        first = c
        break
      }
    }
    if (!first) {
      throw new CtsError(
        'conflict',
        `Study ${studyId} kept no candidate run to take its texts from; start a new study instead.`,
      )
    }
    // The exact split texts of the study (every candidate trains on the same ones).
    await this.runs.localRunDir(first.runId!)
    const input = JSON.parse(
      this.runs.readArtifact(first.runId!, DATASET_ARTIFACT).toString('utf8'),
    ) as TrainJobInput
    const data: TrainingData = {
      projectId: row.projectId,
      labels: input.labels,
      train: input.train,
      dev: input.dev ?? { texts: [], labels: [] },
      test: input.test,
      // The labels' provenance of that snapshot, not of the project's labels now.
      labelProvenance: (await this.runs.get(first.runId!)).labelProvenance ?? null,
    }
    const config = row.config as TrainingConfig
    // Two resumes of one study at once: only the first goes on.
    if (this.live.has(studyId)) throw new CtsError('conflict', `Study ${studyId} is still running.`)
    await this.store.studies.reopen(studyId)
    return this.launch(studyId, () =>
      this.search(studyId, data, config, row.budgetSeconds, undefined, prior),
    )
  }

  /** Cancels the candidate in training and stops the study; finished candidates are kept. */
  cancel(studyId: number): boolean {
    const live = this.live.get(studyId)
    if (!live) return false
    live.cancelled = true
    if (live.jobId) this.jobs.cancel(live.jobId)
    return true
  }

  async get(studyId: number): Promise<StudyDto> {
    const row = await this.store.studies.get(studyId)
    if (!row) throw new CtsError('not-found', `Study ${studyId} does not exist.`)
    return this.toDto(row)
  }

  async list(projectId?: number): Promise<StudyDto[]> {
    const out: StudyDto[] = []
    for (const row of await this.store.studies.list(projectId)) out.push(await this.toDto(row))
    return out
  }

  /** Contract handlers: 'studies/start' | 'studies/get' | 'studies/list' | 'studies/cancel'. */
  handlers(): HandlersOf<keyof typeof studiesArgs> {
    return {
      'studies/start': async ({ projectId, config }) => {
        const { studyId, done } = await this.startForProject(projectId, config)
        void done // the view follows it with 'studies/get' and the jobs' progress events
        return { studyId }
      },
      'studies/startFiles': async ({ files, config }) => {
        const { data, skipped } = await filesData(files)
        const { studyId, done } = await this.start(data, config)
        void done
        return { studyId, skipped }
      },
      'studies/get': async ({ studyId }) => this.get(studyId),
      'studies/estimate': async ({ projectId, config }) => this.estimate(projectId, config),
      'studies/list': async ({ projectId }) => this.list(projectId),
      'studies/resume': async ({ studyId: id }) => {
        const { studyId, done } = await this.resume(id)
        void done
        return { studyId }
      },
      'studies/cancel': async ({ studyId }) => ({ cancelled: this.cancel(studyId) }),
    }
  }

  /**
   * A study's plan before it starts: the baseline and each model's first learning rate with the
   * epochs the budget would give them, from this computer's cached probe or the prior (no probe
   * runs for a preview; the study probes when it starts).
   */
  async estimate(projectId: number, config: TrainingConfig): Promise<StudyEstimateDto> {
    const p = await this.training.projectData(projectId, config)
    return this.estimatePlan(p.data, p.config, p.resolved)
  }

  /** estimate() on texts handed in directly (tests, files). */
  async estimatePlan(
    data: TrainingData,
    config: TrainingConfig,
    chosen?: ResolvedChoice,
  ): Promise<StudyEstimateDto> {
    const c: TrainingConfig = { ...config, recipe: 'auto' }
    const budgetSeconds = (c.budgetMinutes ?? AUTO_RECIPE.budgetMinutes) * 60
    const cachedOnly: CalibrationSource = { cached: (r, l) => this.calibration.cached(r, l) }
    const estimator = this.options.estimator ?? new CalibratedEstimator(cachedOnly, this.now)
    const texts = estimateTexts(data, c)
    const models = await this.pretrained(data, c, chosen)
    const base = await estimator.estimate({
      key: 'baseline',
      kind: 'baseline',
      trainTexts: texts.train,
      devTexts: texts.dev,
      maxLength: BASELINE_DEFAULTS.maxLength,
    })
    const baseSeconds = base.startSeconds + BASELINE_EPOCHS * base.epochSeconds + base.finishSeconds
    const timings = (e: CandidateEstimate) => ({
      epochSeconds: e.epochSeconds,
      startSeconds: e.startSeconds,
      finishSeconds: e.finishSeconds,
      basis: e.basis,
    })
    const candidates: StudyEstimateDto['candidates'] = [
      {
        label: 'baseline',
        kind: 'baseline',
        ...timings(base),
        epochsAllowed: BASELINE_EPOCHS,
        estimateSeconds: baseSeconds,
      },
    ]
    const remaining = budgetSeconds - baseSeconds
    const planned = models.length * PLANNED_PER_MODEL
    for (const m of models) {
      const est = await estimator.estimate(bertRequest(m.dir, texts, c, data.labels.length))
      const epochs = epochsAllowed(remaining, planned, est)
      const fixed = est.startSeconds + est.finishSeconds
      candidates.push({
        label: `${m.name} lr ${lrText(AUTO_RECIPE.firstLearningRate)}`,
        kind: 'bert',
        ...timings(est),
        epochsAllowed: Math.max(0, epochs < MIN_EPOCHS ? 0 : epochs),
        estimateSeconds: fixed + est.epochSeconds * Math.max(epochs, MIN_EPOCHS),
      })
    }
    return { budgetSeconds, candidates }
  }

  /** Which pretrained models the study fine-tunes: a named model, else by the texts' language. */
  private async pretrained(
    data: TrainingData,
    config: TrainingConfig,
    chosen?: ResolvedChoice,
  ): Promise<PretrainedCandidate[]> {
    if (this.options.pretrained) return this.options.pretrained(data, config)
    const model = config.model
    if (model === 'baseline') return []
    if (model !== DEFAULT_MODEL_ID) {
      const dir = this.training.resolveModelDir(model)
      return [{ model, name: basename(dir), dir }]
    }
    const texts = [data.train, data.dev, data.test].flatMap((s) => s?.texts ?? [])
    const resolved = chosen ?? (await this.training.modelChoice().forTexts(texts))
    const choice = resolved.choice
    const capable = choice.candidates.filter((c) => isChineseCapable(c.unkShare))
    const ids: string[] = []
    // English texts: the English default; Chinese: every Chinese-capable model; mixed: both.
    if (choice.cjkShare < CJK_SHARE_THRESHOLD || capable.length === 0) ids.push(DEFAULT_MODEL_ID)
    if (choice.cjkShare >= MIXED_CJK_SHARE) ids.push(...capable.map((c) => c.id))
    return [...new Set(ids)].map((id) => {
      const name = choice.candidates.find((c) => c.id === id)?.name ?? id
      // The model 'default' resolved to trains as 'default', so its run records why.
      if (id === choice.chosen.id && resolved.dir)
        return { model: DEFAULT_MODEL_ID, name, dir: resolved.dir, chosen: resolved }
      return { model: id, name, dir: this.training.resolveModelDir(id) }
    })
  }

  private async search(
    studyId: number,
    data: TrainingData,
    config: TrainingConfig,
    budgetSeconds: number,
    chosen?: ResolvedChoice,
    /** A resumed study's summary: its finished candidates are reused, not trained again. */
    prior?: Summary,
  ): Promise<void> {
    const started = this.now()
    const spent = prior?.elapsedSeconds ?? 0
    const elapsed = () => spent + (this.now() - started) / 1000
    const summary = emptySummary()
    const finished: CandidateRecord[] = []
    for (const c of prior?.candidates ?? []) {
      if (c.runId !== null && (await this.tryRun(c.runId))?.status === 'success') finished.push(c)
    }
    // Summaries are written in the order they were taken: a progress callback cannot await its
    // write, so a failed write rejects the next awaited save() instead.
    let saving: Promise<void> = Promise.resolve()
    const save = (): Promise<void> => {
      summary.elapsedSeconds = elapsed()
      const snapshot = structuredClone(summary)
      saving = saving.then(() => this.store.studies.saveSummary(studyId, snapshot))
      return saving
    }
    const say = (m: string) => this.options.onMessage?.(studyId, m)
    const live = this.live.get(studyId)!
    const splitsOf = async (runId: number) => {
      await this.runs.localRunDir(runId)
      return JSON.parse(
        this.runs.readArtifact(runId, DATASET_ARTIFACT).toString('utf8'),
      ) as TrainJobInput
    }

    const runCandidate = async (
      rec: CandidateRecord,
      cfg: TrainingConfig,
      hyper: Record<string, unknown>,
      pick?: ResolvedChoice,
      /** Its job's progress (a fine-tune's estimate is refined after each epoch). */
      onProgress?: (p: JobProgressDto) => void,
    ): Promise<RunDto | undefined> => {
      const done = finished.find((c) => c.label === rec.label)
      if (done) {
        // Resumed: this candidate finished before the study was stopped.
        summary.candidates.push(done)
        await save()
        return this.runs.get(done.runId!)
      }
      summary.candidates.push(rec)
      await save()
      const t0 = this.now()
      let run
      try {
        run = await this.training.start(data, { ...cfg, recipe: 'auto' }, pick, {
          studyId,
          hyper,
          label: rec.label,
        })
      } catch (e) {
        // A model that cannot be trained (a broken folder) ends its own walk, not the study.
        rec.failed = true
        rec.note = e instanceof Error ? e.message : String(e)
        await save()
        return undefined
      }
      rec.runId = run.runId
      live.jobId = run.jobId
      // A cancel that came while this candidate was being set up.
      if (live.cancelled) this.jobs.cancel(run.jobId)
      await save()
      const unwatch = onProgress ? this.jobs.watch(run.jobId, onProgress) : undefined
      const final = await run.done
      unwatch?.()
      live.jobId = undefined
      rec.seconds = (this.now() - t0) / 1000
      if (final.status === 'error') rec.note = final.error?.message
      await save()
      return final
    }

    // The pretrained models to fine-tune, decided first: a named model that is not there fails
    // the study before anything trains.
    const models = await this.pretrained(data, config, chosen)

    // Estimates: a fresh estimator per study (measured epochs belong to these texts), on the texts
    // the candidates will train on and score each epoch.
    const estimator = this.options.estimator ?? new CalibratedEstimator(this.calibration, this.now)
    const texts = estimateTexts(data, config)

    // 1. The baseline: cheap, and the floor every other candidate must beat.
    const baseEst = await estimator.estimate({
      key: 'baseline',
      kind: 'baseline',
      trainTexts: texts.train,
      devTexts: texts.dev,
      maxLength: BASELINE_DEFAULTS.maxLength,
    })
    const baseRec: CandidateRecord = {
      runId: null,
      label: 'baseline',
      kind: 'baseline',
      model: 'baseline',
      learningRate: BASELINE_DEFAULTS.learningRate,
      epochsAllowed: BASELINE_EPOCHS,
      estimateSeconds:
        baseEst.startSeconds + baseEst.epochSeconds * BASELINE_EPOCHS + baseEst.finishSeconds,
      seconds: null,
    }
    say(`baseline: estimated ${fmt(baseRec.estimateSeconds)}`)
    // The baseline keeps its own defaults (maxLength counts n-grams there, not tokens).
    const baseConfig = { ...config, model: 'baseline' }
    for (const k of ['epochs', 'batchSize', 'learningRate', 'maxLength'] as const)
      delete baseConfig[k]
    const baselineRun = await runCandidate(baseRec, baseConfig, {})
    const results: { rec: CandidateRecord; run: RunDto }[] = []
    if (baselineRun?.status === 'success') results.push({ rec: baseRec, run: baselineRun })

    // 2. Each suitable pretrained model: a learning-rate walk, interleaved across models.
    const tried = new Map(models.map((m) => [m.model, new Map<number, number>()]))
    const done = new Set<string>()
    while (!live.cancelled && done.size < models.length) {
      for (const m of models) {
        if (live.cancelled || done.has(m.model)) continue
        const scores = tried.get(m.model)!
        const lr = nextLearningRate(scores)
        if (lr === undefined) {
          done.add(m.model)
          continue
        }
        const est = await estimator.estimate(bertRequest(m.dir, texts, config, data.labels.length))
        if (est.probeSeconds !== undefined) {
          say(
            est.probeError
              ? `${m.name}: the timing probe failed (${est.probeError}); estimating from token counts`
              : `${m.name}: timed on this computer by a short probe (${fmt(est.probeSeconds)}, spent from the budget): ${fmt(est.epochSeconds)} per epoch, ${fmt(est.startSeconds + est.finishSeconds)} to start and finish a candidate`,
          )
        }
        const perEpoch = est.epochSeconds
        // Loading, graph building and the final bundle: once per candidate, whatever its epochs.
        const fixed = est.startSeconds + est.finishSeconds
        const remaining = budgetSeconds - elapsed()
        // The rest of the budget is shared by the candidates still planned; early stopping hands
        // unused time on to the later ones.
        const planned = models
          .filter((o) => !done.has(o.model))
          .reduce((n, o) => n + Math.max(1, PLANNED_PER_MODEL - tried.get(o.model)!.size), 0)
        const epochs = epochsAllowed(remaining, planned, est)
        const label = `${m.name} lr ${lrText(lr)}`
        const how = BASIS_TEXT[est.basis]
        if (epochs < MIN_EPOCHS) {
          const rec: CandidateRecord = {
            runId: null,
            label,
            kind: 'bert',
            model: m.name,
            learningRate: lr,
            epochsAllowed: 0,
            estimateSeconds: fixed + perEpoch * MIN_EPOCHS,
            seconds: null,
            skipped: true,
            note: `skipped: ${MIN_EPOCHS} epochs need about ${fmt(fixed + perEpoch * MIN_EPOCHS)} (${how}), ${fmt(Math.max(0, remaining))} of the budget left`,
          }
          summary.candidates.push(rec)
          await save()
          say(`${label}: ${rec.note}`)
          done.add(m.model)
          continue
        }
        const rec: CandidateRecord = {
          runId: null,
          label,
          kind: 'bert',
          model: m.name,
          learningRate: lr,
          epochsAllowed: epochs,
          estimateSeconds: fixed + perEpoch * epochs,
          seconds: null,
        }
        say(
          `${label}: up to ${epochs} epochs, estimated ${fmt(perEpoch)} per epoch (${how}), at most ${fmt(rec.estimateSeconds)}; ${fmt(remaining)} of the budget left`,
        )
        // After each epoch: the measured seconds per epoch refine this candidate's estimate and
        // every later one (observe), and the study says what the budget still allows.
        const tracker = new EpochTracker(this.now(), epochs, est.finishSeconds)
        const morePlanned = planned > 1
        const refine = (r: Refinement) => {
          rec.refinedSeconds = r.candidateSeconds
          estimator.observe(m.dir, { epochSeconds: r.epochSeconds, startSeconds: r.startSeconds })
          summary.estimateNote = refinedNote(label, r, {
            epochsAllowed: epochs,
            firstEpochSeconds: perEpoch,
            budgetLeft: budgetSeconds - elapsed(),
            nextSeconds: morePlanned ? fixed + MIN_EPOCHS * r.epochSeconds : undefined,
          })
          save().catch(() => undefined) // a failed write rejects the next awaited save()
          say(summary.estimateNote)
        }
        const run = await runCandidate(
          rec,
          { ...config, model: m.model },
          {
            learningRate: lr,
            epochs,
            patience: AUTO_RECIPE.patience,
            warmupRatio: AUTO_RECIPE.warmupRatio,
            ...AUTO_RECIPE.policy,
          },
          m.chosen,
          (p) => {
            const r = tracker.progress(p, this.now())
            if (r) refine(r)
          },
        )
        if (run?.status === 'success') {
          const dev = devF1(run)
          scores.set(lr, dev)
          results.push({ rec, run })
          const now = this.now()
          const r = tracker.refinement(now)
          const finish = tracker.finishedSeconds(now)
          // Measured per epoch when the epochs' ends were seen apart, else the candidate's mean
          // (a resumed study's finished candidate was not timed here: nothing to observe).
          const measured =
            r && r.epochSeconds > 0
              ? {
                  epochSeconds: r.epochSeconds,
                  startSeconds: r.startSeconds,
                  ...(finish !== undefined ? { finishSeconds: finish } : {}),
                }
              : rec.seconds !== null
                ? {
                    epochSeconds: rec.seconds / Math.max(1, run.epochs.length),
                    startSeconds: 0,
                    finishSeconds: 0,
                  }
                : undefined
          if (measured) estimator.observe(m.dir, measured)
          say(`${label}: dev macro-F1 ${dev.toFixed(4)} after ${run.epochs.length} epochs`)
        } else {
          // A failed or cancelled learning rate ends this model's walk (the next would fail alike).
          done.add(m.model)
        }
      }
    }
    if (live.cancelled) {
      await save()
      await this.finish(studyId, 'cancelled', null, null)
      return
    }
    if (results.length === 0) {
      throw new CtsError(
        'training-failed',
        'No candidate of the study finished; see each candidate run for its error.',
      )
    }

    // 3. The best single candidate on dev (ties: the earlier, i.e. cheaper, one).
    const best = results.reduce((a, b) => (devF1(b.run) > devF1(a.run) ? b : a))
    const ranked = [...results].sort((a, b) => devF1(b.run) - devF1(a.run))
    const runnerUp = ranked.find((r) => r !== best)
    const bestSingle = { label: best.rec.label, devMacroF1: devF1(best.run) }
    let winner = best.run
    let reason = winnerReason(
      bestSingle,
      runnerUp && { label: runnerUp.rec.label, devMacroF1: devF1(runnerUp.run) },
      results.length,
    )

    // 4. The ensemble of the baseline and the best fine-tuned model, weighed on dev: it wins when
    // strictly better than the best single candidate (a tie keeps the simpler single model).
    const tuned = results.filter((r) => r.rec.kind === 'bert')
    if (baselineRun?.status === 'success' && tuned.length > 0) {
      const top = tuned.reduce((a, b) => (devF1(b.run) > devF1(a.run) ? b : a))
      let weighed: WeighedEnsemble | undefined
      try {
        weighed = await this.weighEnsemble(baselineRun, top.run)
      } catch {
        // No dev predictions (no dev texts): nothing to weigh an ensemble on.
        say('ensemble not tried: the candidates have no dev predictions')
      }
      if (weighed) {
        const label = `ensemble (baseline + ${top.rec.label})`
        const rec: CandidateRecord = {
          runId: null,
          label,
          kind: 'ensemble',
          model: 'ensemble',
          learningRate: null,
          epochsAllowed: 0,
          estimateSeconds: 0,
          seconds: 0,
          devMacroF1: weighed.devMacroF1,
        }
        const wins = ensembleWins(weighed, bestSingle.devMacroF1)
        const members: [number, number] = [baselineRun.id, top.run.id]
        if (wins) {
          const t0 = this.now()
          // Resumed after it won: the ensemble run kept then is reused, not recorded twice.
          let kept: RunDto | undefined
          for (const c of finished.filter((c) => c.kind === 'ensemble' && c.label === label)) {
            const r = await this.tryRun(c.runId!)
            if (r && ensembleConfig(r)?.members.every((m, i) => m.runId === members[i])) {
              kept = r
              break
            }
          }
          const run =
            kept ??
            (await createEnsembleRun(this.runs, {
              baseline: baselineRun,
              tuned: top.run,
              weight: weighed.weight,
              studyId,
              candidate: label,
            }))
          rec.runId = run.id
          rec.seconds = (this.now() - t0) / 1000
          winner = run
          reason = winnerReason(
            { label, devMacroF1: weighed.devMacroF1 },
            bestSingle,
            results.length + 1,
          )
        } else if (
          weighed.weight > 0 &&
          weighed.weight < 1 &&
          weighed.devMacroF1 === bestSingle.devMacroF1
        ) {
          reason = winnerReason(
            bestSingle,
            { label, devMacroF1: weighed.devMacroF1 },
            results.length + 1,
            'simpler',
          )
        }
        summary.ensemble = ensembleSummary(weighed, members, bestSingle, wins, rec.runId)
        rec.note = summary.ensemble.note
        summary.candidates.push(rec)
        await save()
        say(summary.ensemble.note)
      }
    }
    Object.assign(summary, reason)

    // 5. Only the winner is scored on test, once.
    say(`winner: ${summary.reason}`)
    const input = await splitsOf(winner.id)
    const testInput: TestRunJobInput = {
      runDir: await this.runs.localRunDir(winner.id),
      labels: input.labels,
      test: input.test,
      batchSize: input.hyper.batchSize,
    }
    const job = this.jobs.start('test-run', testInput, { runId: winner.id })
    live.jobId = job.jobId
    const final = await job.done
    live.jobId = undefined
    if (final.status !== 'success') {
      if (final.status === 'cancelled' || live.cancelled) {
        await save()
        await this.finish(studyId, 'cancelled', winner.id, null)
        return
      }
      throw new CtsError(
        final.error?.code ?? 'internal',
        `The winner (run ${winner.id}) could not be scored on test: ${final.error?.message ?? 'unknown error'}`,
      )
    }
    const r = final.result
    await this.runs.setTest(winner.id, r.test, r.evalSeconds)
    summary.testScoredBy = winner.id
    await save()
    await this.finish(studyId, 'success', winner.id, null)
  }

  /**
   * Weighs the baseline's and the fine-tuned model's dev probabilities: w × fine-tuned +
   * (1 − w) × baseline for w in AUTO_RECIPE.ensembleWeights (0, 0.1 … 1).
   */
  private async weighEnsemble(baseline: RunDto, tuned: RunDto): Promise<WeighedEnsemble> {
    return weighOnDev(
      await readDevPredictions(this.runs, baseline.id),
      await readDevPredictions(this.runs, tuned.id),
      baseline.labels.length,
      AUTO_RECIPE.ensembleWeights,
    )
  }

  private async finish(
    studyId: number,
    status: Exclude<StudyStatus, 'running'>,
    winner: number | null,
    error: { code: string; message: string } | null,
  ): Promise<void> {
    await this.store.studies.finish(studyId, {
      status,
      winnerRunId: status === 'success' ? winner : null,
      error,
    })
  }

  private async toDto(row: StudyRecord): Promise<StudyDto> {
    const s = row.summary ? (row.summary as Summary) : emptySummary()
    const runs = new Map<number, RunDto | undefined>()
    for (const c of s.candidates)
      if (c.runId !== null) runs.set(c.runId, await this.tryRun(c.runId))
    const candidates: StudyCandidateDto[] = s.candidates.map((c) => {
      const run = c.runId !== null ? runs.get(c.runId) : undefined
      const dev = run && run.status === 'success' ? devF1(run) : (c.devMacroF1 ?? null)
      // The ensemble is weighed, not trained: without a run (it lost) it still finished.
      const weighedOnly = c.kind === 'ensemble' && c.runId === null
      return {
        runId: c.runId,
        label: c.label,
        kind: c.kind,
        model: c.model,
        learningRate: c.learningRate,
        status: c.skipped
          ? 'skipped'
          : c.failed
            ? 'error'
            : weighedOnly
              ? 'success'
              : (run?.status ?? 'running'),
        devMacroF1: dev,
        bestEpoch: run?.bestEpoch ?? null,
        epochsTrained: run?.epochs.length ?? 0,
        epochsAllowed: c.epochsAllowed,
        seconds: c.seconds,
        estimateSeconds: c.estimateSeconds,
        ...(c.refinedSeconds !== undefined ? { refinedSeconds: c.refinedSeconds } : {}),
        ...(c.note ? { note: c.note } : {}),
      }
    })
    return {
      id: row.id,
      projectId: row.projectId,
      status: row.status,
      budgetSeconds: row.budgetSeconds,
      createdAt: row.createdAt,
      finishedAt: row.finishedAt,
      elapsedSeconds: s.elapsedSeconds,
      remainingSeconds: Math.max(0, row.budgetSeconds - s.elapsedSeconds),
      estimateNote: s.estimateNote ?? null,
      candidates,
      ensemble: s.ensemble,
      winnerRunId: row.winnerRunId,
      reason: s.reason,
      reasonZh: s.reasonZh,
      testScoredBy: s.testScoredBy,
      error: row.error,
    }
  }

  private async tryRun(runId: number): Promise<RunDto | undefined> {
    try {
      return await this.runs.get(runId)
    } catch {
      return undefined // deleted since
    }
  }
}

/** Dev macro-F1 of the epoch a run kept (an ensemble: of its mixed dev probabilities). */
export function devF1(run: RunDto): number {
  const ensemble = ensembleConfig(run)
  if (ensemble) return ensemble.dev.macro_f1
  const kept = run.epochs.find((e) => e.epoch === run.bestEpoch) ?? run.epochs.at(-1)
  return kept?.dev?.macro_f1 ?? 0
}

function emptySummary(): Summary {
  return {
    candidates: [],
    ensemble: null,
    reason: null,
    reasonZh: null,
    testScoredBy: null,
    elapsedSeconds: 0,
  }
}

/** What a fine-tune's estimate needs: the study's texts and the auto recipe's batches. */
function bertRequest(
  dir: string,
  texts: { train: string[]; dev: string[] },
  config: TrainingConfig,
  numClasses: number,
): EstimateRequest {
  return {
    key: dir,
    kind: 'bert',
    trainTexts: texts.train,
    devTexts: texts.dev,
    maxLength: config.maxLength ?? BERT_DEFAULTS.maxLength,
    batchSize: config.batchSize ?? BERT_DEFAULTS.batchSize,
    numClasses,
    seed: config.seed ?? DEFAULT_SEED,
    batching: AUTO_RECIPE.policy.batching,
    lengthMultiple: BERT_DEFAULTS.lengthMultiple,
    device: config.device ?? 'auto',
    threads: BERT_DEFAULTS.threads,
  }
}

/**
 * Epochs a fine-tune gets: its share of the budget left, or all of it when the share allows fewer
 * than MIN_EPOCHS, after its start and finish, capped at the recipe's maximum.
 */
export function epochsAllowed(remaining: number, planned: number, est: CandidateEstimate): number {
  const fixed = est.startSeconds + est.finishSeconds
  const fit = (seconds: number) =>
    Math.min(AUTO_RECIPE.maxEpochs, Math.floor((seconds - fixed) / est.epochSeconds))
  const share = fit(remaining / planned)
  return share >= MIN_EPOCHS ? share : fit(remaining)
}
