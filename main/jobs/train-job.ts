// The 'train' job (runs in the job process): trains a classifier on the given splits, writes the
// model bundle into the run folder, evaluates it on the test split and returns epochs + metrics.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { EvaluationDto } from '../../preload/contract/training'
import type { ClassificationReport } from '../ml/eval/metrics'
import { argmaxRows, classificationReport } from '../ml/eval/metrics'
import {
  copyTokenizerFiles,
  loadClassifierBundle,
  saveClassifierBundle,
} from '../ml/infer/classifier-bundle'
import { checkInt8OnDev } from '../ml/infer/quantize-check'
import { createBertAdapter } from '../ml/models/bert-adapter'
import type { ClassifierAdapter } from '../ml/train/classifier-adapter'
import type { TrainingDefaults } from '../ml/train/defaults'
import type { RecipeName, RecipePolicy } from '../ml/train/recipes'
import { createGraphStepRunner } from '../ml/train/graph-step-runner'
import {
  trainClassifier,
  TrainingCancelledError,
  type LabelledTexts,
  type TrainResult,
} from '../ml/train/trainer'
import { fitBaselineRun, type BaselineFitRun } from './baseline-fit-job'
import type { DeviceChoice } from '../ml/runtime'
import { placementFields, type ProviderPlacement } from '../ml/runtime/provider-placement'
import { writeFileAtomic, writeNewFileAtomic } from '../shared/atomic-file'
import {
  BUNDLE_MODEL,
  CHECKPOINTS_DIR,
  DEV_PREDICTIONS_ARTIFACT,
  MODEL_CONFIG_FILE,
  TEST_PREDICTIONS_ARTIFACT,
} from '../shared'
import type { JobContext } from './job-worker'
import type { TestRunJobResult, TrainJobResult } from '../../preload/contract/job-results'
import { JobCancelledError } from './job-worker'

/** Fully resolved hyper-parameters (defaults merged by the training service). */
export interface TrainHyper extends TrainingDefaults, Partial<RecipePolicy> {
  seed: number
  device: DeviceChoice
  classWeights: boolean
  freezeEmbeddings: boolean
  freezeLayers: number
  /** The recipe that chose these settings (absent in runs recorded before recipes: reference). */
  recipe?: RecipeName
}

export interface TrainJobInput {
  runDir: string
  /** 'baseline', or a BERT-family model folder (validated when the job starts). */
  model: 'baseline' | { bertDir: string }
  labels: string[]
  hyper: TrainHyper
  train: LabelledTexts
  dev?: LabelledTexts
  /** `ids`: the texts' project ids, so evaluation can point back at them (absent for files). */
  test: LabelledTexts & { ids?: number[] }
  /**
   * Default true. False (a study's candidate): test is not scored (only the study's winner is,
   * later, by the 'test-run' job); the bundle's dev probabilities are written instead.
   */
  scoreTest?: boolean
}

/** Input of the 'test-run' job: score a trained run's bundle on its test texts, once. */
export interface TestRunJobInput {
  runDir: string
  labels: string[]
  test: LabelledTexts & { ids?: number[] }
  batchSize: number
}

export type { TestRunJobResult, TrainJobResult } from '../../preload/contract/job-results'

/** Probability rows (run label order) of a flat row-major matrix. */
export function probabilityRows(flat: ArrayLike<number>, numClasses: number): number[][] {
  const rows: number[][] = []
  for (let i = 0; i + numClasses <= flat.length; i += numClasses) {
    rows.push(Array.from({ length: numClasses }, (_, c) => flat[i + c]))
  }
  return rows
}

/** scikit-learn-style report → the DTO keyed by label names. */
export function toEvaluationDto(r: ClassificationReport, labels: string[]): EvaluationDto {
  return {
    accuracy: r.accuracy,
    macro_f1: r.macro.f1,
    weighted_f1: r.weighted.f1,
    per_class: Object.fromEntries(
      r.perClass.map((c) => [
        labels[c.label],
        { precision: c.precision, recall: c.recall, f1: c.f1, support: c.support },
      ]),
    ),
    confusion_matrix: r.confusion,
  }
}

export async function runTrainJob(raw: unknown, ctx: JobContext<'train'>): Promise<TrainJobResult> {
  const input = raw as TrainJobInput
  const h = input.hyper
  const numClasses = input.labels.length
  // Both families meet the trainer as an adapter over their own encoded form.
  const makeAdapter = async (
    weights?: Map<string, Float32Array>,
  ): Promise<{ adapter: ClassifierAdapter; copyModelFiles?: (dir: string) => void }> => {
    // The baseline is fitted apart (baseline-fit-job.ts); only fine-tunes come through here.
    if (input.model === 'baseline') throw new Error('the baseline is not trained by the trainer')
    const adapter = await createBertAdapter(input.model.bertDir, {
      numClasses,
      maxLength: h.maxLength,
      lengthMultiple: h.lengthMultiple,
      initSeed: h.seed,
      freezeEmbeddings: h.freezeEmbeddings,
      freezeLayers: h.freezeLayers,
      weights,
    })
    return {
      adapter: adapter as unknown as ClassifierAdapter,
      copyModelFiles: (dir) => {
        copyTokenizerFiles(adapter.info.dir, dir)
        // Explanations rebuild the graph from config.json; the run keeps its own copy so they
        // still work after the base model folder is deleted or moved.
        const config = readFileSync(join(adapter.info.dir, 'config.json'))
        writeFileAtomic(join(dir, MODEL_CONFIG_FILE), config)
      },
    }
  }
  let result: TrainResult
  let baseline: BaselineFitRun | undefined
  let fallbackMessage: string | undefined
  let placementOf: (() => ProviderPlacement | null | undefined) | undefined
  const checkpointDir = join(input.runDir, CHECKPOINTS_DIR)
  if (input.model === 'baseline') {
    baseline = await fitBaselineRun(input, ctx)
    result = baseline.result
  } else {
    ctx.report({ phase: 'loading model' })
    const { adapter } = await makeAdapter()
    mkdirSync(checkpointDir, { recursive: true })
    try {
      result = await trainClassifier({
        adapter,
        train: input.train,
        dev: input.dev,
        epochs: h.epochs,
        batchSize: h.batchSize,
        learningRate: h.learningRate,
        warmupRatio: h.warmupRatio,
        weightDecay: h.weightDecay,
        clipNorm: h.clipNorm,
        patience: h.patience,
        seed: h.seed,
        classWeights: h.classWeights,
        schedule: h.schedule,
        keep: h.keep,
        earlyStopping: h.earlyStopping,
        batching: h.batching,
        checkpointDir,
        device: h.device,
        signal: ctx.signal,
        createRunner: async (req) => {
          const runner = await createGraphStepRunner(req, h.device, h.threads)
          fallbackMessage = runner.fallbackMessage
          placementOf = () => runner.placement
          return runner
        },
        onProgress: (p) =>
          ctx.report({
            phase: p.phase,
            step: p.step,
            total: p.totalSteps,
            loss: p.loss,
            samplesPerSecond: p.samplesPerSecond,
            etaSeconds: p.etaSeconds,
            metrics: {
              epoch: p.epoch,
              epochs: p.epochs,
              ...(p.learningRate !== undefined ? { learningRate: p.learningRate } : {}),
              ...(p.devMacroF1 !== undefined ? { devMacroF1: p.devMacroF1 } : {}),
            },
          }),
      })
    } catch (e) {
      if (e instanceof TrainingCancelledError) throw new JobCancelledError()
      throw e
    }
  }

  const scoreTest = input.scoreTest ?? true
  ctx.report({ phase: scoreTest ? 'testing' : 'scoring dev' })
  const evalStart = performance.now()
  if (!existsSync(join(input.runDir, BUNDLE_MODEL))) {
    const trained = baseline
      ? { adapter: baseline.adapter, copyModelFiles: baseline.writeExtraFiles }
      : await makeAdapter(result.weights)
    trained.copyModelFiles?.(input.runDir)
    saveClassifierBundle(input.runDir, trained.adapter, input.labels)
  }
  let test: EvaluationDto | null = null
  if (scoreTest) {
    test = await scoreRunOnTest(input.runDir, input.labels, input.test, h.batchSize)
  } else if (input.dev) {
    // A study weighs an ensemble on these; test stays unseen until the winner is chosen.
    const model = await loadClassifierBundle(input.runDir)
    const probs = await model.predict(input.dev.texts, Math.max(64, h.batchSize))
    await model.release()
    writeFileAtomic(
      join(input.runDir, DEV_PREDICTIONS_ARTIFACT),
      JSON.stringify({
        split: 'dev',
        yTrue: input.dev.labels,
        probs: probabilityRows(probs, numClasses),
      }),
    )
  }
  // issue #13: int8 becomes this run's default only if it keeps dev macro-F1 (quantize-check.ts).
  const quantization =
    !baseline && input.dev && input.dev.texts.length > 0
      ? await checkInt8OnDev(input.runDir, numClasses, input.dev, Math.max(64, h.batchSize)).catch(
          () => undefined, // no record: the run predicts with fp32, as before
        )
      : undefined
  const evalSeconds = (performance.now() - evalStart) / 1000
  // The bundle holds the best weights; the checkpoints only served a resume.
  rmSync(checkpointDir, { recursive: true, force: true })
  return {
    epochs: result.epochs.map((e) => ({
      epoch: e.epoch,
      train_loss: e.trainLoss,
      learning_rate: e.learningRate,
      seconds: e.seconds,
      ...(e.dev ? { dev: toEvaluationDto(e.dev, input.labels) } : {}),
    })),
    test,
    bestEpoch: result.bestEpoch,
    stoppedEarly: result.stoppedEarly,
    resumedEpochs: result.resumedEpochs,
    provider: result.provider,
    ...(fallbackMessage ? { fallbackMessage } : {}),
    ...placementFields(placementOf?.(), result.provider),
    trainSeconds: result.trainSeconds,
    evalSeconds,
    trainSamplesPerSecond: result.samplesPerSecond,
    ...(baseline ? { baselineSearch: baseline.search } : {}),
    ...(quantization ? { quantization } : {}),
  }
}

/**
 * Score a run's saved bundle on its test texts and freeze the predictions with the run: the
 * evaluation view and the report recompute everything from them. A resumed job that crashed after
 * writing them finds the same bundle, hence the same numbers.
 */
async function scoreRunOnTest(
  runDir: string,
  labels: string[],
  test: TestRunJobInput['test'],
  batchSize: number,
): Promise<EvaluationDto> {
  const numClasses = labels.length
  const model = await loadClassifierBundle(runDir)
  const probs = await model.predict(test.texts, Math.max(64, batchSize))
  await model.release()
  const report = classificationReport(test.labels, argmaxRows(probs, numClasses), [
    ...Array(numClasses).keys(),
  ])
  const predictionsPath = join(runDir, TEST_PREDICTIONS_ARTIFACT)
  if (!existsSync(predictionsPath)) {
    writeNewFileAtomic(
      predictionsPath,
      JSON.stringify({
        split: 'test',
        yTrue: test.labels,
        probs: probabilityRows(probs, numClasses),
        textIds: test.ids ?? test.labels.map(() => null),
      }),
    )
  }
  return toEvaluationDto(report, labels)
}

/** The 'test-run' job: a study's winner scored on test, once, after the choice was made on dev. */
export async function runTestRunJob(
  raw: unknown,
  ctx: JobContext<'test-run'>,
): Promise<TestRunJobResult> {
  const input = raw as TestRunJobInput
  ctx.report({ phase: 'testing' })
  const started = performance.now()
  const test = await scoreRunOnTest(input.runDir, input.labels, input.test, input.batchSize)
  return { test, evalSeconds: (performance.now() - started) / 1000 }
}
