// The evaluation report's model: everything a run's report shows, computed once from the run record
// and its test-set predictions, so the HTML (and PDF) renderer only lays it out.
import type { RunDto, RunLabelSnapshotDto } from '../../preload/contract/training'
import type { CvResultDto } from '../../preload/contract/cv'
import type { LabelProvenanceDto } from '../../preload/contract/agreement'
import { recordedLicence, type RunLicence } from '../ml/models/run-licence'
import {
  bootstrapIntervals,
  type BootstrapOptions,
  type BootstrapResult,
} from '../ml/eval/bootstrap'
import { calibration, type Calibration } from '../ml/eval/calibration'
import { oneVsRestCurves, type CurveSet } from '../ml/eval/curves'
import { DEFAULT_TARGET_SENSITIVITY, REPORT_SENSITIVITY_TARGETS } from '../ml/eval/eval-defaults'
import { argmaxRows, classificationReport, type ClassificationReport } from '../ml/eval/metrics'
import {
  operatingTable,
  pointForSensitivity,
  type OperatingPoint,
} from '../ml/eval/operating-point'

export type ReportLocale = 'en' | 'zh-CN'

export type SplitName = 'train' | 'dev' | 'test'

export interface DatasetSummary {
  /** Label names in class-index order. */
  labels: string[]
  /** Texts per label (class-index order) in each split. */
  splits: { split: SplitName; counts: number[] }[]
  /** Exact duplicate texts removed before splitting. */
  duplicatesRemoved: number
}

export interface EpochPoint {
  epoch: number
  trainLoss: number
  devMacroF1: number | null
  devAccuracy: number | null
}

export interface ReportOperatingPoint {
  /** Class index treated as "positive" (binary tasks only). */
  positiveLabel: number
  prevalence: number
  targetSensitivity: number
  point: OperatingPoint
  /** The same at the usual sensitivity targets (and the user's), ascending, for comparison. */
  table: { targetSensitivity: number; point: OperatingPoint }[]
  /** Every operating point of the split, threshold decreasing: the table the points come from. */
  rows: OperatingPoint[]
}

export interface ReportModel {
  locale: ReportLocale
  runId: number
  projectName: string | null
  /** ISO time the run was created and the report generated. */
  runCreatedAt: string
  generatedAt: string
  dataHash: string
  dataset: DatasetSummary
  model: {
    kind: string
    baseModel: string
    /** The base model's licence as the run recorded it; null for a baseline or an older run. */
    licence: RunLicence | null
    hyperparameters: Record<string, string | number | boolean | null>
    seed: number
  }
  /** Execution provider that actually ran (cpu, cuda …). */
  provider: string | null
  trainSeconds: number | null
  epochs: EpochPoint[]
  /** The split the evaluation below describes (the held-out test split). */
  evaluatedSplit: SplitName
  classification: ClassificationReport
  /** Confusion matrix with each row divided by its total (0 for an empty row). */
  confusionRowNormalised: number[][]
  curves: CurveSet
  calibration: Calibration
  intervals: BootstrapResult
  /** Present for binary tasks. */
  operatingPoint: ReportOperatingPoint | null
  /** User-written text; the renderer adds the default wording when absent. */
  intendedUse: string | null
  /** User-written limitations, shown before the ones derived from the data. */
  limitations: string[]
  /** The project's newest finished cross-validation (report-cv.ts), or null. */
  crossValidation?: CvResultDto | null
  /** Annotators, gold-label policy and agreement as the run recorded them (report-labels.ts). */
  labelProvenance?: LabelProvenanceDto | null
  /** Where in the project's label history the data was read (team workspaces, issue #17). */
  labelSnapshot?: RunLabelSnapshotDto | null
}

export interface ReportInput {
  run: Pick<
    RunDto,
    | 'id'
    | 'modelKind'
    | 'baseModel'
    | 'labels'
    | 'config'
    | 'dataHash'
    | 'seed'
    | 'provider'
    | 'createdAt'
    | 'trainSeconds'
    | 'epochs'
    | 'labelProvenance'
    | 'labelSnapshot'
  >
  projectName?: string | null
  dataset: DatasetSummary
  /** Held-out texts: true class index and the model's probabilities per class. */
  evaluation: { split?: SplitName; yTrue: number[]; probs: number[][] }
  locale?: ReportLocale
  /** Binary tasks: which class is positive (default 1, e.g. 疾病/disease) and the expected prevalence. */
  positiveLabel?: number
  prevalence?: number
  targetSensitivity?: number
  bootstrap?: BootstrapOptions
  intendedUse?: string | null
  limitations?: string[]
  /** The project's newest finished cross-validation, shown in its own section. */
  crossValidation?: CvResultDto | null
  /** Fixed time for reproducible output (tests); default now. */
  generatedAt?: string
}

/** Hyper-parameters worth showing: scalars of the run config (nested objects are summarised). */
function omitKey(config: Record<string, unknown>, key: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([k]) => k !== key))
}

function scalarConfig(
  config: Record<string, unknown>,
): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {}
  for (const [k, v] of Object.entries(config)) {
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v))
      out[k] = v as string | number | boolean | null
    else out[k] = JSON.stringify(v)
  }
  return out
}

export function rowNormalise(m: number[][]): number[][] {
  return m.map((row) => {
    const total = row.reduce((a, b) => a + b, 0)
    return row.map((v) => (total === 0 ? 0 : v / total))
  })
}

/** Compute every evaluation view of a finished run and gather what the report shows. */
export function buildReportModel(input: ReportInput): ReportModel {
  const { run, evaluation } = input
  const k = run.labels.length
  if (evaluation.yTrue.length === 0) throw new Error('The evaluated split has no texts')
  if (evaluation.probs.some((row) => row.length !== k)) {
    throw new Error(`Every probability row must have ${k} values, one per label`)
  }
  const labels = [...Array(k).keys()]
  const yPred = argmaxRows(evaluation.probs.flat(), k)
  const classification = classificationReport(evaluation.yTrue, yPred, labels)
  let operatingPoint: ReportOperatingPoint | null = null
  if (k === 2) {
    const positiveLabel = input.positiveLabel ?? 1
    const prevalence =
      input.prevalence ??
      evaluation.yTrue.filter((y) => y === positiveLabel).length / evaluation.yTrue.length
    const targetSensitivity = input.targetSensitivity ?? DEFAULT_TARGET_SENSITIVITY
    const isPos = evaluation.yTrue.map((y) => y === positiveLabel)
    if (isPos.includes(true) && isPos.includes(false) && prevalence > 0 && prevalence < 1) {
      const table = operatingTable(
        isPos,
        evaluation.probs.map((p) => p[positiveLabel]),
        prevalence,
      )
      const targets = [...new Set([...REPORT_SENSITIVITY_TARGETS, targetSensitivity])].sort(
        (a, b) => a - b,
      )
      operatingPoint = {
        positiveLabel,
        prevalence,
        targetSensitivity,
        point: pointForSensitivity(table, targetSensitivity),
        table: targets.map((t) => ({ targetSensitivity: t, point: pointForSensitivity(table, t) })),
        rows: table.rows,
      }
    }
  }
  return {
    locale: input.locale ?? 'en',
    runId: run.id,
    projectName: input.projectName ?? null,
    runCreatedAt: run.createdAt,
    generatedAt: input.generatedAt ?? new Date().toISOString(),
    dataHash: run.dataHash,
    dataset: input.dataset,
    model: {
      kind: run.modelKind,
      baseModel: run.baseModel,
      licence: recordedLicence(run.config),
      // The licence has its own line in the model section.
      hyperparameters: scalarConfig(omitKey(run.config, 'baseModelLicence')),
      seed: run.seed,
    },
    provider: run.provider,
    trainSeconds: run.trainSeconds,
    epochs: run.epochs.map((e) => ({
      epoch: e.epoch,
      trainLoss: e.train_loss,
      devMacroF1: e.dev?.macro_f1 ?? null,
      devAccuracy: e.dev?.accuracy ?? null,
    })),
    evaluatedSplit: evaluation.split ?? 'test',
    classification,
    confusionRowNormalised: rowNormalise(classification.confusion),
    curves: oneVsRestCurves(evaluation.yTrue, evaluation.probs),
    calibration: calibration(evaluation.yTrue, evaluation.probs),
    intervals: bootstrapIntervals(evaluation.yTrue, yPred, k, input.bootstrap),
    operatingPoint,
    intendedUse: input.intendedUse ?? null,
    limitations: input.limitations ?? [],
    crossValidation: input.crossValidation ?? null,
    labelProvenance: run.labelProvenance ?? null,
    ...(run.labelSnapshot ? { labelSnapshot: run.labelSnapshot } : {}),
  }
}
