// Training runs end to end: resolves the config (defaults in ml/train/defaults), splits the data
// (seeded, stratified, de-duplicated, groups kept together), records the run, trains in a job
// process and records epochs, metrics and the outcome.
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { CtsError, DATASET_ARTIFACT, DATASET_SUMMARY_ARTIFACT, METRICS_ARTIFACT } from '../shared'
import type { HandlersOf, ValidArgs } from '../../preload/contract'
import type { RunDto, trainingArgs } from '../../preload/contract/training'
import type { LabelProvenanceDto } from '../../preload/contract/agreement'
import type { JobProgressOf } from '../../preload/contract/jobs'
import { baselineRunSettings } from '../jobs/baseline-fit-job'
import type { JobService } from '../jobs/job-service'
import type { TrainHyper, TrainJobInput } from '../jobs/train-job'
import { BASELINE_DEFAULTS, BERT_DEFAULTS, DEFAULT_SEED } from '../ml/train/defaults'
import { REFERENCE_POLICY, SEED_RECIPE, type RecipeName } from '../ml/train/recipes'
import { datasetSummary } from '../reports/run-artifacts'
import type { Repositories } from '../store/repositories'
import { requireLeadHere } from './annotators-service'
import type { AuditTrail } from './audit-service'
import type { ModelChoiceService, ResolvedChoice } from './model-choice-service'
import {
  BUNDLED_MODEL_FOLDER,
  DEFAULT_MODEL_ID,
  baseModelLicence,
  defaultBundledModelDir,
} from './models-service'
import { compactLabels, type LabelledRow } from './project-labelled'
import { trainingDefaults } from './training-defaults'
import { filesData } from './training-files'
import { RunsService, type RunOutcome } from './runs-service'
import {
  checkExplicitSplit,
  hasGroupIds,
  prepareSplits,
  dataSnapshotHash,
  type TrainingData,
} from './training-data'

/** A training config as dispatch validated it (defaults filled): what the services take. */
export type TrainingConfig = ValidArgs<'training/start'>['config']

export {
  dataSnapshotHash,
  prepareSplits,
  type SplitMode,
  type TrainingData,
  type WithIds,
} from './training-data'

export interface StartedRun {
  runId: number
  jobId: string
  /** Settles with the recorded run once the job has ended (success, cancelled or error). */
  done: Promise<RunDto>
}

/**
 * The recipe a config asks for: its own, else 'manual' when it sets an epochs, batch size or
 * learning rate, else 'reference'. ('auto' is only ever chosen explicitly: the CLI and the train
 * view send it; the study service turns it into reference-loop candidates.)
 */
export function recipeOf(c: TrainingConfig): RecipeName {
  const explicit =
    c.epochs !== undefined || c.batchSize !== undefined || c.learningRate !== undefined
  // Reference with a setting changed is no longer the reference recipe.
  if (c.recipe && !(c.recipe === 'reference' && explicit)) return c.recipe
  return explicit ? 'manual' : 'reference'
}

/** Merge a config with the model family's defaults and its recipe (the values recorded in the run). */
export function resolveHyper(c: TrainingConfig): TrainHyper {
  const d = c.model === 'baseline' ? BASELINE_DEFAULTS : BERT_DEFAULTS
  const recipe = recipeOf(c)
  const common = {
    seed: c.seed ?? DEFAULT_SEED,
    device: c.device ?? 'auto',
    classWeights: c.classWeights ?? false,
    freezeEmbeddings: c.freezeEmbeddings ?? false,
    freezeLayers: c.freezeLayers ?? 0,
  } as const
  if (recipe === 'seed') {
    if (c.model === 'baseline') {
      throw new CtsError(
        'bad-input',
        'The seed recipe fine-tunes a pretrained model; choose a pretrained model (or the reference or auto recipe for the baseline).',
      )
    }
    const set = (['epochs', 'batchSize', 'learningRate', 'maxLength'] as const).filter(
      (k) => c[k] !== undefined,
    )
    if (set.length > 0) {
      throw new CtsError(
        'bad-input',
        `The seed recipe has fixed settings (learning rate 2e-5, batch 16, 5 epochs, 128 tokens); leave out ${set.join(', ')} or choose the manual recipe.`,
      )
    }
    const { policy, ...fixed } = SEED_RECIPE
    return { ...d, ...fixed, ...policy, ...common, recipe }
  }
  return {
    ...d,
    ...REFERENCE_POLICY,
    epochs: c.epochs ?? d.epochs,
    batchSize: c.batchSize ?? d.batchSize,
    learningRate: c.learningRate ?? d.learningRate,
    maxLength: c.maxLength ?? d.maxLength,
    ...common,
    recipe,
  }
}

/** How start() runs a study's candidate (see StudyService). */
export interface CandidateOptions {
  studyId: number
  /** Settings decided by the study (learning rate, epochs, policy) over the config's. */
  hyper: Partial<TrainHyper>
  /** Short name shown in the study ("baseline", "all-MiniLM-L6-v2 lr 1e-4"). */
  label: string
}

export interface TrainingServiceOptions {
  /** Where imported models live (<home>/models); a model name resolves to a folder there. */
  modelsDir?: string
  /** The bundled default model's folder (tests point elsewhere). */
  bundledModelDir?: string
  /** Who the audit log names for deletions. */
  actor?: string
  /** Which model 'default' means: the workspace's one, built by main/root (boot). */
  modelChoice: ModelChoiceService
  /**
   * A project's annotators, gold-label policy and agreement (agreement-service, wired in boot),
   * recorded with every run trained from the project; without it such runs record null.
   */
  labelProvenance?: LabelProvenanceSource
  /** The audit log: each run's start and outcome (issue #15 point 4); ids and counts, never text. */
  audit?: AuditTrail
  /** Tests: the waits between attempts to record a finished run (default ~1 min in all). */
  finishRetryDelaysMs?: readonly number[]
}

/** Reads a project's label provenance (injected so training does not depend on agreement). */
export type LabelProvenanceSource = (projectId: number) => Promise<LabelProvenanceDto>

export class TrainingService {
  /** Runs whose job is in progress in this process (they cannot be deleted). */
  private readonly live = new Set<number>()

  constructor(
    private readonly runs: RunsService,
    private readonly jobs: JobService,
    /** A project's texts (training from a project, the model choice); none for files only. */
    private readonly store: Pick<Repositories, 'texts' | 'textSample' | 'annotators'> | undefined,
    private readonly options: TrainingServiceOptions,
  ) {}

  /**
   * 'default' → the bundled model (startChoosing / startForProject first let the texts decide),
   * a folder path → itself, a name → an imported model; the bundled model's own name → it.
   */
  resolveModelDir(model: string): string {
    const bundled = this.options.bundledModelDir ?? defaultBundledModelDir()
    if (model === DEFAULT_MODEL_ID) return bundled
    if (existsSync(model)) return resolve(model)
    const imported = this.options.modelsDir ? join(this.options.modelsDir, model) : undefined
    if (imported && existsSync(imported)) return imported
    if (model === BUNDLED_MODEL_FOLDER && existsSync(bundled)) return bundled
    throw new CtsError(
      'not-found',
      `No model "${model}": give "default", "baseline", a model folder, or the name of an imported model.`,
    )
  }

  /** Which model 'default' means for texts or a project (model-choice.ts). */
  modelChoice(): ModelChoiceService {
    return this.options.modelChoice
  }

  /** Like start, but 'default' is first resolved by the texts (train, dev and test together). */
  async startChoosing(data: TrainingData, config: TrainingConfig): Promise<StartedRun> {
    if (config.model !== DEFAULT_MODEL_ID) return this.start(data, config)
    const texts = [data.train, data.dev, data.test].flatMap((s) => s?.texts ?? [])
    return this.start(data, config, await this.modelChoice().forTexts(texts))
  }

  /**
   * Train on texts handed in directly (CLI files, tests). `chosen` is what 'default' resolved to
   * (startChoosing, startForProject); without it 'default' is the bundled model.
   */
  async start(
    data: TrainingData,
    config: TrainingConfig,
    chosen?: ResolvedChoice,
    candidate?: CandidateOptions,
  ): Promise<StartedRun> {
    const model = config.model
    const choice = model === DEFAULT_MODEL_ID ? chosen : undefined
    const bertDir = model === 'baseline' ? undefined : (choice?.dir ?? this.resolveModelDir(model))
    if (data.labels.length < 2) {
      throw new CtsError('bad-input', 'Training needs at least two labels with labelled texts.')
    }
    if (!candidate && recipeOf(config) === 'auto') {
      throw new CtsError(
        'bad-input',
        "The auto recipe trains several candidates as a study: start it with 'studies/start' (cts train --recipe auto), or choose the reference, seed or manual recipe for a single run.",
      )
    }
    const hyper = { ...resolveHyper(config), ...candidate?.hyper }
    const splitMode = config.split
    const splits = prepareSplits(data, hyper.seed, splitMode, {
      allTrainWithDevFile: hyper.recipe === 'seed' || hyper.recipe === 'auto',
    })
    if (splits.train.texts.length < 2) {
      throw new CtsError(
        'bad-input',
        'Too few labelled texts to train on: label more texts and try again.',
      )
    }
    const runId = await this.runs.create({
      projectId: data.projectId ?? null,
      ...(candidate ? { studyId: candidate.studyId } : {}),
      modelKind: bertDir ? 'bert' : 'baseline',
      // A resolved 'default' records the model's name; config.modelChoice says why.
      baseModel: choice ? choice.record.resolved : model,
      labels: data.labels,
      config: {
        ...(bertDir ? hyper : baselineRunSettings(hyper)),
        model,
        ...(choice ? { modelChoice: choice.record } : {}),
        ...(candidate ? { candidate: candidate.label } : {}),
        // The base model's licence travels with the run (report, model card): helper "install".
        ...(bertDir ? { baseModelLicence: baseModelLicence(bertDir) } : {}),
        duplicatesRemoved: splits.duplicates,
        split:
          splitMode === 'explicit'
            ? 'explicit'
            : data.test
              ? 'files'
              : (splitMode ?? (hasGroupIds(data) ? 'grouped' : 'stratified')),
        ...(splitMode === 'explicit'
          ? { leftOutNoSplit: data.leftOut ?? 0, devFromTrain: !data.dev }
          : {}),
      },
      dataHash: dataSnapshotHash(data.labels, {
        train: splits.train,
        dev: splits.dev,
        test: splits.test,
      }),
      seed: hyper.seed,
      labelProvenance: data.labelProvenance ?? null,
      labelSnapshot: data.labelSnapshot ?? null,
    })
    const runDir = this.runs.runDir(runId)
    const input: TrainJobInput = {
      runDir,
      model: bertDir ? { bertDir } : 'baseline',
      labels: data.labels,
      hyper,
      train: splits.train,
      dev: splits.dev.texts.length > 0 ? splits.dev : undefined,
      test: splits.test,
      ...(candidate ? { scoreTest: false } : {}),
    }
    // The exact texts of each split, so the run can be resumed and audited later.
    // Through the runs service: encrypted in an encrypted workspace (issue #15 point 2).
    this.runs.writeArtifact(runId, DATASET_ARTIFACT, JSON.stringify(input))
    // What the report's dataset section shows, frozen with the run (label counts only, no text).
    this.runs.writeArtifact(
      runId,
      DATASET_SUMMARY_ARTIFACT,
      JSON.stringify(
        datasetSummary(data.labels, { ...splits, dev: splits.dev }, splits.duplicates),
        null,
        2,
      ),
    )
    await this.options.audit?.record('train', data.projectId ?? null, {
      event: 'started',
      runId,
      model: choice ? choice.record.resolved : model,
      modelKind: bertDir ? 'bert' : 'baseline',
      labels: data.labels.length,
      texts: {
        train: splits.train.texts.length,
        dev: splits.dev.texts.length,
        test: splits.test.texts.length,
      },
      ...(candidate ? { studyId: candidate.studyId } : {}),
    })
    return this.launch(runId, input)
  }

  /** Resume a run whose job process died (its checkpoints are in the run folder). */
  async resume(runId: number): Promise<StartedRun> {
    const run = await this.runs.get(runId)
    const crashed = run.status === 'error' && run.error?.code === 'job-crashed'
    if (run.modelKind === 'ensemble') {
      // Nothing to train: an ensemble mixes its members' models.
      throw new CtsError('conflict', `Run ${runId} is an ensemble; it has no training to resume.`)
    }
    if (run.status !== 'running' && !crashed) {
      throw new CtsError(
        'conflict',
        `Run ${runId} has already ended (${run.status}); start a new run instead.`,
      )
    }
    if (crashed) await this.runs.reopen(runId)
    // A team workspace: nothing is stored for an unfinished run, so this is the local folder.
    await this.runs.localRunDir(runId)
    const input = JSON.parse(
      this.runs.readArtifact(runId, DATASET_ARTIFACT).toString('utf8'),
    ) as TrainJobInput
    await this.options.audit?.record('train', run.projectId, {
      event: 'resumed',
      runId,
      model: run.baseModel,
    })
    return this.launch(runId, input)
  }

  /**
   * Train on a project's labelled texts (texts with exactly one label; skipped texts left out).
   * Labels that came with an import have no annotations row, so that join is a LEFT one.
   */
  async startForProject(projectId: number, config: TrainingConfig): Promise<StartedRun> {
    // B (#17.3): an annotator's session sees only its own share of the texts.
    if (this.store)
      await requireLeadHere(
        this.store,
        'starting training runs (a run learns from every annotator’s labels)',
      )
    const p = await this.projectData(projectId, config)
    return this.start(p.data, p.config, p.resolved)
  }

  /** A project's training data as startForProject trains on it (also a study's candidates). */
  async projectData(
    projectId: number,
    config: TrainingConfig,
  ): Promise<{ data: TrainingData; config: TrainingConfig; resolved?: ResolvedChoice }> {
    if (!this.store)
      throw new CtsError('internal', 'Training from a project needs the workspace database.')
    // One consistent read (one repeatable-read transaction on a team workspace) while others
    // label: the run records the newest history id it saw, and dataHash is the hash of exactly
    // the labels as of that id.
    const {
      names,
      rows: all,
      historyId,
      takenAt,
    } = await this.store.texts.labelledSnapshot(projectId)
    const labelSnapshot = { historyId, takenAt }
    // Read with the texts: the gold labels above are what this provenance describes.
    const labelProvenance = (await this.options.labelProvenance?.(projectId)) ?? null
    // The explicit split uses each text's imported split; texts without one sit out (counted).
    const mode = config.split
    const explicit =
      mode === 'explicit' || (mode === undefined && all.some((r) => r.split === 'test'))
    const single = explicit ? all.filter((r) => r.split !== null) : all
    const { labels, of: ofRows } = compactLabels(single, names)
    const of = (pred: (r: LabelledRow) => boolean) => ofRows(single.filter(pred))
    // 'default' follows the project's texts, exactly as the train view explains it.
    const resolved =
      config.model === DEFAULT_MODEL_ID ? await this.modelChoice().forProject(projectId) : undefined
    if (!explicit) {
      const data = { projectId, labels, train: of(() => true), labelProvenance, labelSnapshot }
      return { data, config, resolved }
    }
    const count = (split: string) => single.filter((r) => r.split === split).length
    checkExplicitSplit({
      train: count('train'),
      test: count('test'),
      none: all.length - single.length,
    })
    const data: TrainingData = {
      projectId,
      labels,
      train: of((r) => r.split === 'train'),
      dev: count('dev') > 0 ? of((r) => r.split === 'dev') : undefined,
      test: of((r) => r.split === 'test'),
      leftOut: all.length - single.length,
      labelProvenance,
      labelSnapshot,
    }
    return { data, config: { ...config, split: 'explicit' }, resolved }
  }

  /** Contract handlers for training and the runs list (arguments already validated at dispatch). */
  handlers(): HandlersOf<TrainingCall> {
    return {
      'training/start': async ({ projectId, config }) => {
        const { runId, jobId } = await this.startForProject(projectId, config)
        return { runId, jobId }
      },
      'training/startFiles': async ({ files, config }) => {
        const { data, skipped } = await filesData(files)
        // 'default' follows the training file's texts (with --dev and --test).
        const { runId, jobId } = await this.startChoosing(data, config)
        return { runId, jobId, skipped }
      },
      'runs/list': async ({ projectId }) => this.runs.list(projectId),
      'runs/get': async ({ runId }) => this.runs.get(runId),
      'training/defaults': async () => trainingDefaults(),
      'training/resume': async ({ runId: id }) => {
        const { runId, jobId } = await this.resume(id)
        return { runId, jobId }
      },
      'runs/compare': async ({ runIds }) => this.runs.compare(runIds),
      'runs/delete': async ({ runId }) => {
        if (this.live.has(runId)) {
          throw new CtsError('conflict', `Run ${runId} is still training: cancel it first.`)
        }
        return this.runs.delete(runId, this.options.actor ?? 'user')
      },
    }
  }

  /** Stores a finished run's files in the team workspace; the error to record when that fails. */
  private async publish(runId: number): Promise<{ code: string; message: string } | undefined> {
    try {
      await this.runs.publish(runId)
      return undefined
    } catch (e) {
      const code = e instanceof CtsError ? e.code : 'internal'
      const why = e instanceof CtsError ? e.message : 'an unexpected error'
      return {
        code,
        message: `The model trained, but its files could not be stored in the team workspace (${why}). Train it again once the server is reachable.`,
      }
    }
  }

  private launch(runId: number, input: TrainJobInput): StartedRun {
    const { jobId, done } = this.jobs.start('train', input, { runId })
    this.live.add(runId)
    const recorded = done.then(async (final) => {
      this.live.delete(runId)
      return this.recordOutcome(runId, final)
    })
    // 'training/start' answers before the run ends and nobody awaits `done` there: failing to
    // record the outcome must never be an unhandled rejection (it would end the backend).
    recorded.catch(() => undefined)
    return { runId, jobId, done: recorded }
  }

  /**
   * Records how the job ended. On a team workspace the server may be restarting just then, so
   * the steps are retried while it cannot be reached (FINISH_RETRY_DELAYS_MS, ~1 min in all); a
   * retry is harmless: epochs already recorded are skipped, and an outcome that a lost reply did
   * record is kept. Still unreachable after that: `done` rejects with a message naming the run.
   */
  private async recordOutcome(runId: number, final: JobEnd): Promise<RunDto> {
    const delays = this.options.finishRetryDelaysMs ?? FINISH_RETRY_DELAYS_MS
    const written = { metrics: false }
    try {
      const run = await whileUnreachable(async (last) => {
        await this.finishRun(runId, final, last, written)
        return this.runs.get(runId)
      }, delays)
      await whileUnreachable(
        async () => this.options.audit?.record('train', run.projectId, trainOutcome(run)),
        delays,
      )
      return run
    } catch (e) {
      if (unreachable(e))
        throw new CtsError(
          (e as CtsError).code,
          `Run ${runId} ended, but its outcome could not be recorded in the team workspace (${(e as CtsError).message}). It shows as running there until it is recorded: train it again with \`cts train --resume ${runId}\` (or Resume in the app) once the server is reachable.`,
        )
      throw e
    }
  }

  /** One attempt at writing the outcome (`last`: the final attempt, which records any failure). */
  private async finishRun(
    runId: number,
    final: JobEnd,
    last: boolean,
    written: { metrics: boolean },
  ): Promise<void> {
    let outcome: RunOutcome
    if (final.status === 'success') {
      const r = final.result
      const recorded = new Set((await this.runs.get(runId)).epochs.map((e) => e.epoch))
      for (const e of r.epochs) if (!recorded.has(e.epoch)) await this.runs.addEpoch(runId, e)
      // Artifacts are never overwritten: written once, by the first attempt.
      if (!written.metrics)
        this.runs.writeArtifact(runId, METRICS_ARTIFACT, JSON.stringify(r, null, 2))
      written.metrics = true
      // A team workspace keeps the files before the run says success: whoever sees it can use it.
      const unstored = await this.publish(runId)
      // Files unstored because the server went away: the next attempt stores them.
      if (unstored && unreachable(unstored) && !last)
        throw new CtsError(unstored.code, unstored.message)
      outcome = unstored
        ? { status: 'error', error: unstored }
        : {
            status: 'success',
            provider: r.provider,
            trainSeconds: r.trainSeconds,
            evalSeconds: r.evalSeconds,
            test: r.test,
            bestEpoch: r.bestEpoch,
            stoppedEarly: r.stoppedEarly,
          }
    } else if (final.status === 'cancelled') {
      outcome = { status: 'cancelled' }
    } else {
      // A crashed job keeps its checkpoints in the run folder: resume(runId) continues it.
      outcome = { status: 'error', error: final.error ?? null }
    }
    try {
      await this.runs.finish(runId, outcome)
    } catch (e) {
      // 'conflict' = no longer running: an earlier attempt recorded it and only its reply was lost.
      if (!(e instanceof CtsError && e.code === 'conflict')) throw e
      if ((await this.runs.get(runId)).status === 'running') throw e
    }
  }
}

/** How a train job ended, as JobService settles it. */
type JobEnd = JobProgressOf<'train'>

/**
 * Waits between attempts to record a finished run while the team server cannot be reached
 * (issue #17 point 5): a server restart takes seconds, the sum (~1 min) covers a short outage.
 */
const FINISH_RETRY_DELAYS_MS = [1_000, 2_000, 4_000, 8_000, 15_000, 30_000]

/** 'team-unreachable' / 'team-busy': the step did not happen (or may have) — try it again later. */
function unreachable(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code
  return code === 'team-unreachable' || code === 'team-busy'
}

/** `work` again after each delay while it fails with unreachable(); `last` on the final try. */
async function whileUnreachable<T>(
  work: (last: boolean) => Promise<T>,
  delays: readonly number[],
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const last = attempt >= delays.length
    try {
      return await work(last)
    } catch (e) {
      if (last || !unreachable(e)) throw e
      await new Promise((resolve) => setTimeout(resolve, delays[attempt]))
    }
  }
}

type TrainingCall = keyof typeof trainingArgs

/** A run's outcome as the audit log records it: ids, model, counts and scores, never text. */
function trainOutcome(run: RunDto): Record<string, unknown> {
  const event =
    run.status === 'success' ? 'completed' : run.status === 'cancelled' ? 'cancelled' : 'failed'
  return {
    event,
    runId: run.id,
    model: run.baseModel,
    modelKind: run.modelKind,
    labels: run.labels.length,
    ...(run.status === 'success'
      ? { epochs: run.epochs.length, macroF1: run.test?.macro_f1 ?? null }
      : {}),
    ...(run.status === 'error' ? { error: run.error?.code ?? null } : {}),
  }
}
