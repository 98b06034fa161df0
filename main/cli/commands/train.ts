// `cts train`: train a classifier on a project or on files, in a job process, with progress on
// stderr; --json prints one JSON object (run id, labels, epochs, test metrics, timings) on stdout.
import { join, resolve } from 'node:path'
import { Command } from 'commander'
import { CtsError, type JobProgressDto } from '../../../preload/contract'
import type { EvaluationDto, RunDto, TrainingConfigInput } from '../../../preload/contract/training'
import type { TrainJobResult } from '../../jobs/train-job'
import { MODELS_DIR } from '../../services/models-service'
import { RunsService } from '../../services/runs-service'
import { StudyService, type StartedStudy } from '../../services/study-service'
import {
  TrainingService,
  type StartedRun,
  type TrainingData,
} from '../../services/training-service'
import { AUTO_RECIPE, type RecipeName } from '../../ml/train/recipes'
import { openWorkspace } from '../../store/workspace'
import { withContext } from '../context'
import { stderrProgressJobs } from '../progress-jobs'
import type { CliCommand } from './command'
import { labelIndices, labelOrder, readTextsFile } from './train-data'

interface TrainOptions {
  project?: string
  train?: string
  dev?: string
  test?: string
  textCol?: string
  labelCol?: string
  groupCol?: string
  model: string
  epochs?: string
  batchSize?: string
  lr?: string
  maxLength?: string
  seed?: string
  device?: string
  classWeights?: boolean
  freezeEmbeddings?: boolean
  freezeLayers?: string
  split?: string
  recipe?: string
  budget?: string
  json?: boolean
  resume?: string
}

const RECIPES = ['auto', 'reference', 'seed', 'manual'] as const

/**
 * The recipe of a `cts train`: --recipe when given; else explicit --lr, --epochs, --batch-size or
 * a named --model (`modelNamed`: typed on the command line, even `--model default`) make a manual
 * run with exactly those settings; else auto.
 */
export function cliRecipe(
  opts: Pick<TrainOptions, 'recipe' | 'lr' | 'epochs' | 'batchSize'>,
  modelNamed = false,
): RecipeName {
  if (opts.recipe !== undefined) {
    if (!(RECIPES as readonly string[]).includes(opts.recipe)) {
      throw new CtsError(
        'bad-input',
        `--recipe must be auto, reference, seed or manual (got "${opts.recipe}").`,
      )
    }
    return opts.recipe as RecipeName
  }
  const explicit = [opts.lr, opts.epochs, opts.batchSize].some((v) => v !== undefined)
  return explicit || modelNamed ? 'manual' : 'auto'
}

const SPLIT_MODES = ['stratified', 'grouped']

const num = (flag: string, v: string | undefined, int = true): number | undefined => {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isFinite(n) || (int && !Number.isInteger(n))) {
    throw new CtsError(
      'bad-input',
      `${flag} must be ${int ? 'a whole number' : 'a number'} (got "${v}").`,
    )
  }
  return n
}

function progressLine(p: JobProgressDto): string | undefined {
  const m = p.metrics ?? {}
  if (p.phase === 'training' && p.step !== undefined) {
    const eta = p.etaSeconds !== undefined ? ` eta ${Math.round(p.etaSeconds)}s` : ''
    return `epoch ${m.epoch}/${m.epochs} step ${p.step}/${p.total} loss ${p.loss?.toFixed(4)} ${p.samplesPerSecond?.toFixed(0)} texts/s${eta}`
  }
  if (p.phase === 'evaluating' && m.devMacroF1 !== undefined)
    return `epoch ${m.epoch} dev macro-F1 ${m.devMacroF1.toFixed(4)}`
  if (p.status === 'running') return p.phase
  return undefined
}

export function runJson(run: RunDto, result: TrainJobResult | undefined): Record<string, unknown> {
  return {
    run_id: run.id,
    status: run.status,
    labels: run.labels,
    /** The model trained from: for --model default, the one the texts resolved it to. */
    model: run.baseModel,
    /** Why 'default' resolved as it did (requested, resolved, reason, shares); null otherwise. */
    model_choice: run.config.modelChoice ?? null,
    provider: run.provider,
    config: run.config,
    epochs: run.epochs,
    test: run.test,
    timings: {
      train_seconds: run.trainSeconds,
      eval_seconds: run.evalSeconds,
      train_samples_per_second: result?.trainSamplesPerSecond ?? null,
    },
    best_epoch: run.bestEpoch,
    stopped_early: run.stoppedEarly,
  }
}

/** scikit-learn's classification_report layout: per label, then accuracy and the averages. */
export function classificationReportText(title: string, e: EvaluationDto): string {
  const names = Object.keys(e.per_class)
  const w = Math.max(12, ...names.map((n) => n.length))
  const row = (name: string, p: string, r: string, f: string, n: string) =>
    `${name.padStart(w)} ${p.padStart(9)} ${r.padStart(9)} ${f.padStart(9)} ${n.padStart(9)}`
  const support = names.reduce((n, k) => n + e.per_class[k].support, 0)
  const avg = (key: 'precision' | 'recall', weighted: boolean) =>
    names.reduce(
      (sum, k) =>
        sum +
        e.per_class[k][key] * (weighted ? e.per_class[k].support / support : 1 / names.length),
      0,
    )
  return [
    title,
    row('', 'precision', 'recall', 'f1-score', 'support'),
    ...names.map((k) => {
      const c = e.per_class[k]
      return row(k, c.precision.toFixed(4), c.recall.toFixed(4), c.f1.toFixed(4), String(c.support))
    }),
    row('accuracy', '', '', e.accuracy.toFixed(4), String(support)),
    row(
      'macro avg',
      avg('precision', false).toFixed(4),
      avg('recall', false).toFixed(4),
      e.macro_f1.toFixed(4),
      String(support),
    ),
    row(
      'weighted avg',
      avg('precision', true).toFixed(4),
      avg('recall', true).toFixed(4),
      e.weighted_f1.toFixed(4),
      String(support),
    ),
  ].join('\n')
}

/** The texts of --train (and --dev, --test) files as training data. */
async function filesData(opts: TrainOptions): Promise<TrainingData> {
  const cols = { textCol: opts.textCol, labelCol: opts.labelCol, groupCol: opts.groupCol }
  const train = await readTextsFile(resolve(opts.train!), cols, true)
  const labels = labelOrder(train.labels as string[])
  const other = async (file: string | undefined) => {
    if (!file) return undefined
    const f = await readTextsFile(resolve(file), cols, true)
    return { texts: f.texts, labels: labelIndices(f.labels, labels, file) }
  }
  if (train.skipped > 0)
    process.stderr.write(`${train.skipped} rows without text or label were left out\n`)
  return {
    labels,
    train: {
      texts: train.texts,
      labels: labelIndices(train.labels, labels, opts.train!),
      groups: train.groups,
    },
    dev: await other(opts.dev),
    test: await other(opts.test),
  }
}

/** The train job's result kept with a run (timings the run row does not hold). */
function metricsOf(runs: RunsService, runId: number): TrainJobResult | undefined {
  try {
    return JSON.parse(runs.readArtifact(runId, 'metrics.json').toString('utf8')) as TrainJobResult
  } catch {
    return undefined
  }
}

export const trainCommand: CliCommand = {
  name: 'train',
  register(program) {
    program.addCommand(
      new Command('train')
        .description('train a classifier on a project, or on --train FILE (progress on stderr)')
        .option('--project <project>', 'project name or id')
        .option('--train <file>', 'training file (any importable format)')
        .option('--dev <file>', 'development file (default: 10% held out of --train)')
        .option('--test <file>', 'test file (default: 10% held out of --train)')
        .option('--text-col <column>', 'text column of the files')
        .option('--label-col <column>', 'label column of the files')
        .option('--group-col <column>', 'group / patient id column (its texts stay in one split)')
        .option(
          '--model <model>',
          'default (follows the texts: a Chinese model for Chinese texts when one is installed) | baseline | a model name | a model folder',
          'default',
        )
        .option('--epochs <n>')
        .option('--batch-size <n>')
        .option('--lr <x>')
        .option('--max-length <n>')
        .option('--seed <n>')
        .option('--device <device>', 'auto | cpu | cuda | webgpu')
        .option('--class-weights', 'weight classes by inverse frequency')
        .option('--freeze-embeddings', 'BERT: keep the embeddings fixed (faster, less memory)')
        .option('--freeze-layers <k>', 'BERT: keep the bottom k encoder layers fixed')
        .option(
          '--split <mode>',
          'stratified | grouped (each group / patient id in one split; the default when ids exist)',
        )
        .option(
          '--recipe <recipe>',
          'auto (default without --lr/--epochs/--batch-size/--model: baseline + a learning-rate search per suitable model + an ensemble, the winner chosen on dev) | reference | seed | manual',
        )
        .option('--budget <minutes>', 'auto: time budget in minutes (default 10)')
        .option('--resume <run>', 'continue a run whose training process died, from its checkpoint')
        .option('--json', 'print one JSON object with the run on stdout')
        .action(
          withContext(async (ctx, opts: TrainOptions, cmd: Command) => {
            if (!opts.resume && !opts.project === !opts.train) {
              throw new CtsError('bad-input', 'Give either --project or --train FILE (not both).')
            }
            if (opts.split !== undefined && !SPLIT_MODES.includes(opts.split)) {
              throw new CtsError(
                'bad-input',
                `--split must be stratified or grouped (got "${opts.split}").`,
              )
            }
            const recipe = cliRecipe(opts, cmd.getOptionValueSource('model') === 'cli')
            const budget = num('--budget', opts.budget, false)
            if (budget !== undefined && (recipe !== 'auto' || budget <= 0)) {
              throw new CtsError(
                'bad-input',
                recipe !== 'auto'
                  ? `--budget is the auto recipe's time budget; this is a ${recipe} run (add --recipe auto).`
                  : `--budget must be a positive number of minutes (got "${opts.budget}").`,
              )
            }
            const config: TrainingConfigInput = {
              model: opts.model,
              recipe,
              ...(budget !== undefined ? { budgetMinutes: budget } : {}),
              epochs: num('--epochs', opts.epochs),
              batchSize: num('--batch-size', opts.batchSize),
              learningRate: num('--lr', opts.lr, false),
              maxLength: num('--max-length', opts.maxLength),
              seed: num('--seed', opts.seed),
              device: opts.device as TrainingConfigInput['device'],
              classWeights: opts.classWeights,
              freezeEmbeddings: opts.freezeEmbeddings,
              freezeLayers: num('--freeze-layers', opts.freezeLayers),
              split: opts.split as TrainingConfigInput['split'],
            }
            const ws = openWorkspace(ctx.home)
            const jobs = stderrProgressJobs(progressLine)
            let studyId: number | undefined
            let studies: StudyService | undefined
            // Ctrl-C stops a study (finished candidates are kept), then the job processes.
            const stopOnSignal = () => {
              if (studies && studyId !== undefined) studies.cancel(studyId)
              jobs.dispose()
            }
            process.once('SIGINT', stopOnSignal)
            try {
              const runs = new RunsService(ws.db, ws.runsDir)
              const training = new TrainingService(runs, jobs, ws.db, {
                modelsDir: join(ws.home, MODELS_DIR),
              })
              if (recipe === 'auto' && !opts.resume) {
                studies = new StudyService(training, runs, jobs, ws.db, {
                  onMessage: (id, m) => process.stderr.write(`study ${id}: ${m}\n`),
                })
                let study: StartedStudy
                if (opts.project) {
                  const project = await ctx.resolveProject(opts.project)
                  study = await studies.startForProject(project.id, config)
                } else {
                  study = studies.start(await filesData(opts), config)
                }
                studyId = study.studyId
                process.stderr.write(
                  `study ${study.studyId}: auto recipe, budget ${config.budgetMinutes ?? AUTO_RECIPE.budgetMinutes} min\n`,
                )
                const s = await study.done
                if (s.status !== 'success' || s.winnerRunId === null) {
                  throw new CtsError(
                    s.error?.code ?? s.status,
                    s.error?.message ??
                      `Study ${s.id} ${s.status}; its finished candidates are kept (cts study show ${s.id}).`,
                  )
                }
                const run = runs.get(s.winnerRunId)
                if (opts.json)
                  return ctx.printJson({ ...runJson(run, metricsOf(runs, run.id)), study: s })
                for (const c of s.candidates) {
                  const dev = c.devMacroF1 === null ? '—' : c.devMacroF1.toFixed(4)
                  ctx.print(
                    `  ${c.runId === s.winnerRunId ? '*' : ' '} ${c.label}: ${c.status}, dev macro-F1 ${dev}${c.seconds !== null ? `, ${c.seconds.toFixed(0)} s` : ''}${c.note ? ` (${c.note})` : ''}`,
                  )
                }
                if (s.ensemble) ctx.print(`    ${s.ensemble.note}`)
                const t = run.test!
                ctx.print(
                  `Study ${s.id}: ${s.reason} Test (scored once, by the winner only): accuracy ${t.accuracy.toFixed(4)}, macro-F1 ${t.macro_f1.toFixed(4)}. Model: run ${run.id}, ${join(ws.runsDir, String(run.id))}`,
                )
                return
              }
              let started: StartedRun
              if (opts.resume) {
                const runId = num('--resume', opts.resume)!
                started = training.resume(runId)
              } else if (opts.project) {
                const project = await ctx.resolveProject(opts.project)
                started = await training.startForProject(project.id, config)
              } else {
                // 'default' follows the training file's texts (with --dev and --test).
                started = await training.startChoosing(await filesData(opts), config)
              }
              process.stderr.write(`run ${started.runId}: training (job ${started.jobId})\n`)
              const run = await started.done
              const final = jobs.list().find((j) => j.jobId === started.jobId)
              const result = final?.result as TrainJobResult | undefined
              if (result?.fallbackMessage) process.stderr.write(result.fallbackMessage + '\n')
              if (run.status !== 'success') {
                throw new CtsError(
                  run.error?.code ?? run.status,
                  run.error?.message ?? `Training ${run.status}.`,
                )
              }
              if (opts.json) return ctx.printJson(runJson(run, result))
              const t = run.test!
              // The seed script printed a classification report on dev after every epoch and on
              // test at the end; the seed recipe does the same (after training, from the run).
              if (run.config.recipe === 'seed') {
                for (const e of run.epochs) {
                  if (e.dev) ctx.print(classificationReportText(`Epoch ${e.epoch}, dev`, e.dev))
                }
                ctx.print(classificationReportText('Test (last epoch)', t))
              }
              ctx.print(
                `Run ${run.id}: test accuracy ${t.accuracy.toFixed(4)}, macro-F1 ${t.macro_f1.toFixed(4)}, ` +
                  `weighted-F1 ${t.weighted_f1.toFixed(4)} (${run.trainSeconds?.toFixed(1)} s training on ${run.provider}). ` +
                  `Model: ${join(ws.runsDir, String(run.id))}`,
              )
            } finally {
              process.off('SIGINT', stopOnSignal)
              ws.close()
            }
          }),
        ),
    )
  },
}
