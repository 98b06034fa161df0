// `cts cv`: k-fold cross-validation (and the learning curve) of a project or a training file, in
// a job process with progress on stderr; --json prints one JSON object (folds, pooled, curve).
import { Command } from 'commander'
import { CtsError } from '../../shared'
import type { CvConfigInput, JobProgressDto } from '../../../preload/contract'
import { CV_MAX_K, CV_MIN_K, type CvResultDto } from '../../../preload/contract/cv'
import { withContext, type FlagMap } from '../context'
import { numberFlag, progressPrinter } from '../flags'
import type { CliCommand } from './command'

interface CvOptions {
  project?: string
  train?: string
  test?: string
  textCol?: string
  labelCol?: string
  groupCol?: string
  k: string
  model: string
  curve: boolean
  seed?: string
  split?: string
  json?: boolean
}

/** Which flag fills which argument of 'cv/start' and 'cv/startFiles'. */
const CV_FLAGS: FlagMap = {
  'files.train': '--train',
  'files.test': '--test',
  'files.textColumn': '--text-col',
  'files.labelColumn': '--label-col',
  'files.groupColumn': '--group-col',
  'config.k': '--k',
  'config.model': '--model',
  'config.seed': '--seed',
  'config.split': '--split',
}

/** The JSON `cts cv --json` prints (snake_case like `cts train --json`). */
export function cvJson(r: CvResultDto, estimateSeconds: number): Record<string, unknown> {
  const ci = (v: { estimate: number; lower: number; upper: number }) => ({
    estimate: v.estimate,
    lower: v.lower,
    upper: v.upper,
  })
  return {
    cv_id: r.id,
    status: r.status,
    model: r.baseModel,
    requested_model: r.model,
    k: r.k,
    seed: r.seed,
    split: r.split,
    labels: r.labels,
    texts: r.texts,
    test_excluded: r.testExcluded,
    duplicates_removed: r.duplicatesRemoved,
    data_hash: r.dataHash,
    confidence_level: r.level,
    bootstrap_resamples: r.resamples,
    folds: r.folds.map((f) => ({
      fold: f.fold,
      train_texts: f.trainTexts,
      dev_texts: f.devTexts,
      eval_texts: f.evalTexts,
      accuracy: f.accuracy,
      macro_f1: ci(f.macroF1),
      seconds: f.seconds,
    })),
    pooled: r.pooled && {
      texts: r.pooled.texts,
      accuracy: r.pooled.accuracy,
      weighted_f1: r.pooled.weightedF1,
      macro_f1: ci(r.pooled.macroF1),
      fold_mean_macro_f1: r.pooled.foldMean,
      fold_sd_macro_f1: r.pooled.foldSd,
      per_class: r.pooled.perClass,
      confusion_matrix: r.pooled.confusion,
    },
    learning_curve: r.curve && {
      points: r.curve.points.map((p) => ({
        fraction: p.fraction,
        train_texts: p.trainTexts,
        macro_f1: ci(p.macroF1),
      })),
      gain: { from: r.curve.gain.from, to: r.curve.gain.to, ...ci(r.curve.gain) },
      verdict: r.curve.verdict,
      sentence: r.curve.sentence ?? null,
    },
    timings: { seconds: r.seconds, estimate_seconds: estimateSeconds },
  }
}

function progressLine(p: JobProgressDto): string | undefined {
  const m = p.kind === 'cv' ? p.metrics : undefined
  if (m?.task === undefined) return p.status === 'running' ? p.phase : undefined
  const where = `training ${m.task}/${m.tasks} (fold ${m.fold}/${m.folds}, ${Math.round(m.fraction * 100)}% of the texts)`
  const eta = p.etaSeconds !== undefined ? `, about ${Math.round(p.etaSeconds)} s left` : ''
  return `${where}: ${p.phase}${eta}`
}

export const cvCommand: CliCommand = {
  name: 'cv',
  register(program) {
    program.addCommand(
      new Command('cv')
        .description(
          'k-fold cross-validation and learning curve of a project or --train FILE (test texts never take part)',
        )
        .option('--project <project>', 'project name or id')
        .option('--train <file>', 'training file (any importable format)')
        .option('--test <file>', 'test file: kept out (default: the 10% `cts train` would test on)')
        .option('--text-col <column>', 'text column of the files')
        .option('--label-col <column>', 'label column of the files')
        .option('--group-col <column>', 'group / patient id column (its texts stay in one fold)')
        .option('--k <n>', `folds, ${CV_MIN_K} to ${CV_MAX_K}`, '5')
        .option(
          '--model <model>',
          'baseline (seconds) | default | a model name | a model folder (fine-tuning: slow on a CPU)',
          'baseline',
        )
        .option('--no-curve', 'skip the learning curve (10/25/50 % of the training texts)')
        .option('--seed <n>')
        .option('--split <mode>', 'stratified | grouped (the default when group ids exist)')
        .option('--json', 'print one JSON object with the result on stdout')
        .action(
          withContext(async (ctx, opts: CvOptions) => {
            if (!opts.project === !opts.train) {
              throw new CtsError('bad-input', 'Give either --project or --train FILE (not both).')
            }
            const config: CvConfigInput = {
              k: numberFlag(opts.k),
              model: opts.model,
              curve: opts.curve,
              ...(opts.seed !== undefined ? { seed: numberFlag(opts.seed) } : {}),
              ...(opts.split !== undefined ? { split: opts.split as CvConfigInput['split'] } : {}),
            }
            ctx.onEvent('jobs/progress', progressPrinter(progressLine))
            let started: {
              cvId: number
              jobId: string
              estimate: { trainings: number; texts: number; seconds: number }
            }
            if (opts.project) {
              const project = await ctx.resolveProject(opts.project)
              started = await ctx.call('cv/start', { projectId: project.id, config }, CV_FLAGS)
            } else {
              const files = {
                train: opts.train!,
                test: opts.test,
                textColumn: opts.textCol,
                labelColumn: opts.labelCol,
                groupColumn: opts.groupCol,
              }
              const s = await ctx.call('cv/startFiles', { files, config }, CV_FLAGS)
              if (s.skipped > 0)
                process.stderr.write(`${s.skipped} rows without text or label were left out\n`)
              started = s
            }
            const { cvId, jobId } = started
            ctx.onInterrupt(() => ctx.call('jobs/cancel', { jobId }))
            process.stderr.write(
              `cross-validation ${cvId}: ${started.estimate.trainings} trainings on ${started.estimate.texts} texts, about ${started.estimate.seconds} s (job ${jobId})\n`,
            )
            await ctx.jobEnded(jobId)
            const r = await ctx.ended(() => ctx.call('cv/get', { cvId }))
            if (r.status !== 'success') {
              throw new CtsError(
                r.error?.code ?? r.status,
                r.error?.message ?? `Cross-validation ${r.status}.`,
              )
            }
            if (opts.json) return ctx.printJson(cvJson(r, started.estimate.seconds))
            const p = r.pooled!
            const f = (v: number) => v.toFixed(3)
            ctx.print(
              `Cross-validation ${r.id} (${r.k} folds, ${r.split}, ${r.baseModel}, ${r.texts} texts; ${r.testExcluded} test texts kept out): ` +
                `pooled macro-F1 ${f(p.macroF1.estimate)} (95% CI ${f(p.macroF1.lower)}–${f(p.macroF1.upper)}), ` +
                `accuracy ${f(p.accuracy)}; folds ${r.folds.map((x) => f(x.macroF1.estimate)).join(', ')}.`,
            )
            if (r.curve) {
              ctx.print(
                'Learning curve: ' +
                  r.curve.points
                    .map((q) => `${Math.round(q.fraction * 100)}% ${f(q.macroF1.estimate)}`)
                    .join(', ') +
                  '. ' +
                  (r.curve.sentence ?? ''),
              )
            }
          }),
        ),
    )
  },
}
