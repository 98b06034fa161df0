// The live quality estimate of the in-loop model: accuracy and macro-F1 on the labelled audit texts
// (a seeded random sample never trained on), with 95 % intervals: macro-F1 by the evaluation
// report's own stratified percentile bootstrap (stratifiedBootstrap, main/ml/eval/bootstrap.ts);
// accuracy by Wilson's score interval, which stays honest on a handful of texts that are all right
// (a bootstrap would say [1, 1] there).
import type { AuditEstimateDto } from '../../preload/contract/loop'
import { percentile, stratifiedBootstrap } from '../ml/eval/bootstrap'
import { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, CONFIDENCE_LEVEL } from '../ml/eval/eval-defaults'
import { classificationReport } from '../ml/eval/metrics'
import { wilsonInterval } from '../ml/eval/proportion-interval'

/**
 * Estimate from the audit texts' human labels and the model's top labels (label ids). Macro-F1 is
 * over the labels that occur in either (scikit-learn's default). Null without any audit text.
 */
export function auditEstimate(
  trueLabelIds: number[],
  predictedLabelIds: number[],
  options: { resamples?: number; seed?: number } = {},
): AuditEstimateDto | null {
  const n = trueLabelIds.length
  if (n === 0) return null
  const classes = [...new Set([...trueLabelIds, ...predictedLabelIds])].sort((a, b) => a - b)
  const index = new Map(classes.map((id, i) => [id, i]))
  const yTrue = trueLabelIds.map((id) => index.get(id)!)
  const yPred = predictedLabelIds.map((id) => index.get(id)!)
  const labels = classes.map((_, i) => i)
  const f1s: number[] = []
  stratifiedBootstrap(
    yTrue,
    yPred,
    labels,
    { resamples: options.resamples ?? BOOTSTRAP_RESAMPLES, seed: options.seed ?? BOOTSTRAP_SEED },
    (rep) => void f1s.push(rep.macro.f1),
  )
  const full = classificationReport(yTrue, yPred, labels)
  const alpha = (1 - CONFIDENCE_LEVEL) / 2
  const ci = (sample: number[]): [number, number] => {
    const s = [...sample].sort((a, b) => a - b)
    return [percentile(s, 100 * alpha), percentile(s, 100 * (1 - alpha))]
  }
  return {
    n,
    accuracy: full.accuracy,
    accuracyCi: wilsonInterval(
      yTrue.reduce((right, y, i) => right + (y === yPred[i] ? 1 : 0), 0),
      n,
    ),
    macroF1: full.macro.f1,
    macroF1Ci: ci(f1s),
  }
}
