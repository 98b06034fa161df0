// The evaluation view of a finished run: classification report, confusion matrix, ROC/PR curves,
// calibration, bootstrap intervals, the binary operating point and misclassified test texts.
import { z } from 'zod'
import { idSchema } from './common'

/** Most rows of the threshold table sent over the bridge (evenly downsampled, ends kept). */
export const MAX_THRESHOLD_ROWS = 200
/** Most misclassified examples sent over the bridge (highest confidence first). */
export const MAX_MISCLASSIFIED = 500

export interface ReportRowDto {
  /** Label name, or 'macro avg' / 'weighted avg' for the averages. */
  label: string
  precision: number
  recall: number
  f1: number
  support: number
}

export interface ClassificationReportDto {
  /** One row per label in the run's label order. */
  perClass: ReportRowDto[]
  accuracy: number
  macro: ReportRowDto
  weighted: ReportRowDto
}

export interface ConfusionDto {
  /** Label names: rows are true labels, columns predicted labels, in this order. */
  labels: string[]
  counts: number[][]
  /** Each row divided by its total (0 for an empty row). */
  rowNormalised: number[][]
}

export interface ClassCurvesDto {
  label: string
  positives: number
  negatives: number
  /** ROC: false-positive rate (x) and true-positive rate (y), same length. */
  roc: { fpr: number[]; tpr: number[] }
  /** Null when the class has no positives or no negatives in the test split. */
  rocAuc: number | null
  /** Precision-recall: recall (x) and precision (y), same length. */
  pr: { recall: number[]; precision: number[] }
  /** Average precision; null when the class has no positives. */
  averagePrecision: number | null
}

export interface CurvesDto {
  /** Binary: one entry per label (the positive label's entry is the binary curve). */
  perClass: ClassCurvesDto[]
  macroRocAuc: number | null
  macroAveragePrecision: number | null
}

export interface CalibrationBinDto {
  /** Bin covers (lower, upper] of max-probability confidence. */
  lower: number
  upper: number
  count: number
  meanConfidence: number | null
  accuracy: number | null
}

export interface CalibrationDto {
  bins: CalibrationBinDto[]
  /** Expected calibration error. */
  ece: number
  /** Maximum calibration error over non-empty bins. */
  mce: number
}

export interface IntervalDto {
  estimate: number
  lower: number
  upper: number
}

export interface IntervalsDto {
  /** e.g. 0.95 */
  level: number
  resamples: number
  macroF1: IntervalDto
  /** Per label, run label order; null for a label with no test texts. */
  recall: { label: string; interval: IntervalDto | null }[]
}

export interface OperatingPointDto {
  /** A text is called positive when its positive-label probability is >= threshold. */
  threshold: number
  tp: number
  fp: number
  tn: number
  fn: number
  sensitivity: number
  specificity: number
  /** At the chosen prevalence; null when undefined (0/0). */
  ppv: number | null
  npv: number | null
}

export interface OperatingViewDto {
  positiveLabel: string
  /** The prevalence PPV/NPV are computed at (the user's, else the test split's). */
  prevalence: number
  targetSensitivity: number
  /** The highest threshold reaching the target sensitivity (best specificity among those). */
  point: OperatingPointDto
  /** Thresholds decreasing; at most MAX_THRESHOLD_ROWS rows (downsampled, first and last kept). */
  table: OperatingPointDto[]
  /** Rows of the full table before downsampling. */
  tableRows: number
}

export interface MisclassifiedDto {
  /** The text's id in the project (for 'labels/set'); null for runs trained from files. */
  textId: number | null
  text: string
  trueLabel: string
  predictedLabel: string
  /** Probability of the predicted label. */
  confidence: number
}

export interface EvaluationViewDto {
  runId: number
  labels: string[]
  split: 'test'
  /** Test texts evaluated. */
  total: number
  report: ClassificationReportDto
  confusion: ConfusionDto
  curves: CurvesDto
  calibration: CalibrationDto
  intervals: IntervalsDto
  /** Binary tasks with both classes in the test split; null otherwise. */
  operatingPoint: OperatingViewDto | null
  /** Sorted by confidence, highest first; at most MAX_MISCLASSIFIED. */
  misclassified: MisclassifiedDto[]
  /** All misclassified test texts (may exceed the list's length). */
  misclassifiedTotal: number
}

const probability = z.number().gt(0).lt(1)

export const evaluationArgs = {
  'runs/evaluation': z
    .object({
      runId: idSchema,
      /** Binary tasks: the positive label's name (default: the second label, e.g. 疾病). */
      positiveLabel: z.string().min(1).optional(),
      /** Expected share of positives where the model will be used (default: the test split's). */
      prevalence: probability.optional(),
      /** Default 0.9. */
      targetSensitivity: z.number().min(0).max(1).optional(),
    })
    .strict(),
}

export interface EvaluationResults {
  'runs/evaluation': EvaluationViewDto
}
