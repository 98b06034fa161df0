// The evaluation view of a finished run ('runs/evaluation'): every number recomputed from the
// run's frozen test predictions through the same report model the PDF uses, so view and report agree.
import type { HandlersOf } from '../../preload/contract'
import { CtsError, DATASET_ARTIFACT, TEST_PREDICTIONS_ARTIFACT } from '../shared'
import {
  MAX_MISCLASSIFIED,
  MAX_THRESHOLD_ROWS,
  type EvaluationViewDto,
  type MisclassifiedDto,
  type OperatingPointDto,
} from '../../preload/contract/evaluation'
import type { RunDto } from '../../preload/contract/training'
import { argmax } from '../ml/eval/metrics'
import { buildReportModel, type ReportInput, type ReportModel } from '../reports/report-model'
import { reportInputFromRun } from '../reports/run-artifacts'
import type { RunsService } from './runs-service'

export interface EvaluationOptions {
  /** Binary tasks: the positive label's name (default the second label). */
  positiveLabel?: string
  prevalence?: number
  targetSensitivity?: number
}

/** A run's frozen evaluation inputs, read and checked against each other. */
export interface RunEvaluationInputs {
  run: RunDto
  datasetJson: string
  predictionsJson: string
  /** Test texts in prediction order, and their project ids (null for runs trained from files). */
  texts: string[]
  textIds: (number | null)[]
}

/** Read a finished run's dataset.json and test predictions; clear errors when either is missing. */
export async function readEvaluationInputs(
  runs: RunsService,
  runId: number,
): Promise<RunEvaluationInputs> {
  const run = await runs.get(runId)
  if (run.status !== 'success') {
    throw new CtsError(
      'bad-input',
      `Run ${runId} has no evaluation: it ${run.status === 'running' ? 'is still training' : `ended with status "${run.status}"`}.`,
    )
  }
  if (run.studyId !== undefined && run.test === null) {
    // Auto recipe: test texts are scored once, by the study's winner only.
    throw new CtsError(
      'bad-input',
      `Run ${runId} is a candidate of study ${run.studyId} that was not scored on test: only the study's winner is (cts study show ${run.studyId}).`,
    )
  }
  // A run trained on another computer of a team workspace: its files, checked, come first (#17).
  await runs.localRunDir(runId)
  let predictionsJson: string
  try {
    predictionsJson = runs.readArtifact(runId, TEST_PREDICTIONS_ARTIFACT).toString('utf8')
  } catch {
    throw new CtsError(
      'not-found',
      `Run ${runId} was trained before test predictions were kept with each run; train it again to evaluate it.`,
    )
  }
  const datasetJson = runs.readArtifact(runId, DATASET_ARTIFACT).toString('utf8')
  const test = (JSON.parse(datasetJson) as { test?: { texts?: string[] } }).test
  const preds = JSON.parse(predictionsJson) as { yTrue?: unknown[]; textIds?: (number | null)[] }
  const texts = test?.texts ?? []
  const n = Array.isArray(preds.yTrue) ? preds.yTrue.length : -1
  if (texts.length !== n) {
    throw new CtsError(
      'bad-input',
      `Run ${runId}: its test split has ${texts.length} texts but ${n} predictions; the run folder was changed.`,
    )
  }
  const textIds =
    Array.isArray(preds.textIds) && preds.textIds.length === n
      ? preds.textIds
      : texts.map(() => null)
  return { run, datasetJson, predictionsJson, texts, textIds }
}

/** Name → class index for the binary positive label (default: index 1, e.g. 疾病/disease). */
export function positiveIndex(labels: string[], name: string | undefined): number | undefined {
  if (name === undefined) return undefined
  const i = labels.indexOf(name)
  if (i < 0) {
    throw new CtsError(
      'bad-input',
      `"${name}" is not a label of this run; its labels are ${labels.join(', ')}.`,
    )
  }
  return i
}

/** Evenly spaced rows, first and last always kept, so a long table fits the bridge. */
export function downsample<T>(rows: T[], max: number): T[] {
  if (rows.length <= max) return rows
  const out: T[] = []
  for (let k = 0; k < max; k++) out.push(rows[Math.round((k * (rows.length - 1)) / (max - 1))])
  return out
}

export class EvaluationService {
  constructor(private readonly runs: RunsService) {}

  /** The report model of a run (also used by the reports service). */
  model(inputs: RunEvaluationInputs, options: EvaluationOptions = {}): ReportModel {
    return buildReportModel(reportInput(inputs, options))
  }

  /** Contract handlers (arguments already validated at dispatch). */
  handlers(): HandlersOf<'runs/evaluation'> {
    return {
      'runs/evaluation': async ({ runId, ...options }) => {
        return this.view(runId, options)
      },
    }
  }

  async view(runId: number, options: EvaluationOptions = {}): Promise<EvaluationViewDto> {
    const inputs = await readEvaluationInputs(this.runs, runId)
    const { run } = inputs
    const labels = run.labels
    const input = reportInput(inputs, options)
    const m = buildReportModel(input)
    const c = m.classification
    const row = (
      label: string,
      r: { precision: number; recall: number; f1: number; support: number },
    ) => ({
      label,
      precision: r.precision,
      recall: r.recall,
      f1: r.f1,
      support: r.support,
    })
    const { evaluation } = input
    let operatingPoint: EvaluationViewDto['operatingPoint'] = null
    if (m.operatingPoint) {
      const op = m.operatingPoint
      operatingPoint = {
        positiveLabel: labels[op.positiveLabel],
        prevalence: op.prevalence,
        targetSensitivity: op.targetSensitivity,
        point: pointDto(op.point),
        table: downsample(op.rows, MAX_THRESHOLD_ROWS).map(pointDto),
        tableRows: op.rows.length,
      }
    }
    const wrong: MisclassifiedDto[] = []
    evaluation.yTrue.forEach((y, i) => {
      const p = evaluation.probs[i]
      const best = argmax(p)
      if (best !== y) {
        wrong.push({
          textId: inputs.textIds[i],
          text: inputs.texts[i],
          trueLabel: labels[y],
          predictedLabel: labels[best],
          confidence: p[best],
        })
      }
    })
    wrong.sort((a, b) => b.confidence - a.confidence)
    return {
      runId,
      labels,
      split: 'test',
      total: evaluation.yTrue.length,
      report: {
        perClass: c.perClass.map((pc) => row(labels[pc.label], pc)),
        accuracy: c.accuracy,
        macro: row('macro avg', c.macro),
        weighted: row('weighted avg', c.weighted),
      },
      confusion: { labels, counts: c.confusion, rowNormalised: m.confusionRowNormalised },
      curves: {
        perClass: m.curves.perClass.map((k) => ({
          label: labels[k.label],
          positives: k.positives,
          negatives: k.negatives,
          roc: { fpr: k.roc.fpr, tpr: k.roc.tpr },
          rocAuc: k.rocAuc,
          pr: { recall: k.pr.recall, precision: k.pr.precision },
          averagePrecision: k.averagePrecision,
        })),
        macroRocAuc: m.curves.macroRocAuc,
        macroAveragePrecision: m.curves.macroAveragePrecision,
      },
      calibration: {
        bins: m.calibration.bins.map((b) => ({ ...b })),
        ece: m.calibration.ece,
        mce: m.calibration.mce,
      },
      intervals: {
        level: m.intervals.level,
        resamples: m.intervals.resamples,
        macroF1: m.intervals.macroF1,
        recall: m.intervals.recall.map((interval, k) => ({ label: labels[k], interval })),
      },
      operatingPoint,
      misclassified: wrong.slice(0, MAX_MISCLASSIFIED),
      misclassifiedTotal: wrong.length,
    }
  }
}

/** The report input of a run: its frozen test predictions, parsed once, and the view's options. */
function reportInput(inputs: RunEvaluationInputs, options: EvaluationOptions): ReportInput {
  const { run } = inputs
  return reportInputFromRun(run, inputs.datasetJson, inputs.predictionsJson, {
    positiveLabel: positiveIndex(run.labels, options.positiveLabel),
    prevalence: options.prevalence,
    targetSensitivity: options.targetSensitivity,
  })
}

function pointDto(p: OperatingPointDto): OperatingPointDto {
  return {
    threshold: p.threshold,
    tp: p.tp,
    fp: p.fp,
    tn: p.tn,
    fn: p.fn,
    sensitivity: p.sensitivity,
    specificity: p.specificity,
    ppv: p.ppv,
    npv: p.npv,
  }
}
