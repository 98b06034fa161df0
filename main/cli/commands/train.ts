// `cts train`: train a classifier on a project or on files, in a job process, with progress on
// stderr; --json prints one JSON object (run id, labels, epochs, test metrics, timings) on stdout.
import { Command } from 'commander'
import { CtsError } from '../../shared'
import type { JobProgressDto, TrainJobResult } from '../../../preload/contract'
import type { EvaluationDto, RunDto, TrainingConfigInput } from '../../../preload/contract/training'
import { runFolderOf } from '../../root/run-folder'
import { withContext, type CliContext, type FlagMap } from '../context'
import { numberFlag, progressPrinter } from '../flags'
import type { CliCommand } from './command'

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

type RecipeName = NonNullable<TrainingConfigInput['recipe']>
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

/** Which flag fills which argument of 'training/start(Files)' and 'studies/start(Files)'. */
const TRAIN_FLAGS: FlagMap = {
  'files.train': '--train',
  'files.dev': '--dev',
  'files.test': '--test',
  'files.textColumn': '--text-col',
  'files.labelColumn': '--label-col',
  'files.groupColumn': '--group-col',
  'config.model': '--model',
  'config.epochs': '--epochs',
  'config.batchSize': '--batch-size',
  'config.learningRate': '--lr',
  'config.maxLength': '--max-length',
  'config.seed': '--seed',
  'config.device': '--device',
  'config.freezeLayers': '--freeze-layers',
  'config.split': '--split',
  'config.recipe': '--recipe',
  'config.budgetMinutes': '--budget',
  runId: '--resume',
}

function progressLine(p: JobProgressDto): string | undefined {
  const m = p.kind === 'train' ? p.metrics : undefined
  if (p.phase === 'training' && p.step !== undefined) {
    const eta = p.etaSeconds !== undefined ? ` eta ${Math.round(p.etaSeconds)}s` : ''
    return `epoch ${m?.epoch}/${m?.epochs} step ${p.step}/${p.total} loss ${p.loss?.toFixed(4)} ${p.samplesPerSecond?.toFixed(0)} texts/s${eta}`
  }
  if (p.phase === 'evaluating' && m?.devMacroF1 !== undefined)
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
    /** Annotators, gold-label policy and agreement when trained from a project; null otherwise. */
    label_provenance: run.labelProvenance ?? null,
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

/** <home>/runs/<id> (a team workspace: its local cache): where the run's model and files are. */
function runFolder(ctx: CliContext, runId: number): string {
  return runFolderOf(ctx.home, runId)
}

/** The train job's result of a run trained in this process (timings the run row does not hold). */
async function trainResult(
  ctx: CliContext,
  runId: number,
  jobId?: string,
): Promise<TrainJobResult | undefined> {
  const jobs = await ctx.call('jobs/list', {})
  const job = jobs.find(
    (j) =>
      j.kind === 'train' &&
      j.status === 'success' &&
      (jobId ? j.jobId === jobId : j.runId === runId),
  )
  return job?.kind === 'train' && job.status === 'success' ? job.result : undefined
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
            // The CLI offers the two random splits; 'explicit' follows a project's split column.
            if (opts.split !== undefined && !SPLIT_MODES.includes(opts.split)) {
              throw new CtsError(
                'bad-input',
                `--split must be stratified or grouped (got "${opts.split}").`,
              )
            }
            const recipe = cliRecipe(opts, cmd.getOptionValueSource('model') === 'cli')
            if (opts.budget !== undefined && recipe !== 'auto') {
              throw new CtsError(
                'bad-input',
                `--budget is the auto recipe's time budget; this is a ${recipe} run (add --recipe auto).`,
              )
            }
            const config: TrainingConfigInput = {
              model: opts.model,
              recipe,
              ...(opts.budget !== undefined ? { budgetMinutes: numberFlag(opts.budget) } : {}),
              epochs: numberFlag(opts.epochs),
              batchSize: numberFlag(opts.batchSize),
              learningRate: numberFlag(opts.lr),
              maxLength: numberFlag(opts.maxLength),
              seed: numberFlag(opts.seed),
              device: opts.device as TrainingConfigInput['device'],
              classWeights: opts.classWeights,
              freezeEmbeddings: opts.freezeEmbeddings,
              freezeLayers: numberFlag(opts.freezeLayers),
              split: opts.split as TrainingConfigInput['split'],
            }
            const files = {
              train: opts.train!,
              dev: opts.dev,
              test: opts.test,
              textColumn: opts.textCol,
              labelColumn: opts.labelCol,
              groupColumn: opts.groupCol,
            }
            ctx.onEvent('jobs/progress', progressPrinter(progressLine))
            const skippedNote = (skipped: number) => {
              if (skipped > 0)
                process.stderr.write(`${skipped} rows without text or label were left out\n`)
            }
            if (recipe === 'auto' && !opts.resume) {
              let studyId: number
              if (opts.project) {
                const project = await ctx.resolveProject(opts.project)
                ;({ studyId } = await ctx.call(
                  'studies/start',
                  { projectId: project.id, config },
                  TRAIN_FLAGS,
                ))
              } else {
                const started = await ctx.call('studies/startFiles', { files, config }, TRAIN_FLAGS)
                skippedNote(started.skipped)
                studyId = started.studyId
              }
              // Ctrl-C stops the study (finished candidates are kept); shutdown stops the jobs.
              ctx.onInterrupt(() => ctx.call('studies/cancel', { studyId }))
              const budget = (await ctx.call('studies/get', { studyId })).budgetSeconds / 60
              process.stderr.write(`study ${studyId}: auto recipe, budget ${budget} min\n`)
              const s = await ctx.ended(() => ctx.call('studies/get', { studyId }))
              if (s.status !== 'success' || s.winnerRunId === null) {
                throw new CtsError(
                  s.error?.code ?? s.status,
                  s.error?.message ??
                    `Study ${s.id} ${s.status}; its finished candidates are kept (cts study show ${s.id}).`,
                )
              }
              const run = await ctx.call('runs/get', { runId: s.winnerRunId })
              if (opts.json)
                return ctx.printJson({ ...runJson(run, await trainResult(ctx, run.id)), study: s })
              for (const c of s.candidates) {
                const dev = c.devMacroF1 === null ? '—' : c.devMacroF1.toFixed(4)
                ctx.print(
                  `  ${c.runId === s.winnerRunId ? '*' : ' '} ${c.label}: ${c.status}, dev macro-F1 ${dev}${c.seconds !== null ? `, ${c.seconds.toFixed(0)} s` : ''}${c.note ? ` (${c.note})` : ''}`,
                )
              }
              if (s.ensemble) ctx.print(`    ${s.ensemble.note}`)
              const t = run.test!
              ctx.print(
                `Study ${s.id}: ${s.reason} Test (scored once, by the winner only): accuracy ${t.accuracy.toFixed(4)}, macro-F1 ${t.macro_f1.toFixed(4)}. Model: run ${run.id}, ${runFolder(ctx, run.id)}`,
              )
              return
            }
            let started: { runId: number; jobId: string }
            if (opts.resume) {
              started = await ctx.call(
                'training/resume',
                { runId: numberFlag(opts.resume)! },
                TRAIN_FLAGS,
              )
            } else if (opts.project) {
              const project = await ctx.resolveProject(opts.project)
              started = await ctx.call(
                'training/start',
                { projectId: project.id, config },
                TRAIN_FLAGS,
              )
            } else {
              // 'default' follows the training file's texts (with --dev and --test).
              const s = await ctx.call('training/startFiles', { files, config }, TRAIN_FLAGS)
              skippedNote(s.skipped)
              started = s
            }
            const { runId, jobId } = started
            ctx.onInterrupt(() => ctx.call('jobs/cancel', { jobId }))
            process.stderr.write(`run ${runId}: training (job ${jobId})\n`)
            await ctx.jobEnded(jobId)
            const run = await ctx.ended(() => ctx.call('runs/get', { runId }))
            const result = await trainResult(ctx, runId, jobId)
            if (result?.fallbackMessage) process.stderr.write(result.fallbackMessage + '\n')
            if (result?.placementMessage) process.stderr.write(result.placementMessage + '\n')
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
                `Model: ${runFolder(ctx, run.id)}`,
            )
          }),
        ),
    )
  },
}
