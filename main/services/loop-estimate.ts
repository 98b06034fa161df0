// The live quality estimate of the in-loop model: accuracy and macro-F1 on the labelled audit texts
// (a seeded random sample never trained on), with percentile-bootstrap 95 % intervals resampled
// exactly as the evaluation report's (main/ml/eval/bootstrap.ts: stratified by true label).
import type { AuditEstimateDto } from '../../preload/contract/loop'
import { percentile } from '../ml/eval/bootstrap'
import { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, CONFIDENCE_LEVEL } from '../ml/eval/eval-defaults'
import { classificationReport } from '../ml/eval/metrics'
import { Rng } from '../ml/train/rng'

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
  const byClass: number[][] = labels.map(() => [])
  yTrue.forEach((y, i) => byClass[y].push(i))

  const resamples = options.resamples ?? BOOTSTRAP_RESAMPLES
  const rng = new Rng(options.seed ?? BOOTSTRAP_SEED)
  const accuracies: number[] = []
  const f1s: number[] = []
  const t = new Array<number>(n)
  const p = new Array<number>(n)
  for (let r = 0; r < resamples; r++) {
    let k = 0
    for (const members of byClass) {
      for (let j = 0; j < members.length; j++) {
        const i = members[rng.int(members.length)]
        t[k] = yTrue[i]
        p[k] = yPred[i]
        k++
      }
    }
    const rep = classificationReport(t, p, labels)
    accuracies.push(rep.accuracy)
    f1s.push(rep.macro.f1)
  }
  const full = classificationReport(yTrue, yPred, labels)
  const alpha = (1 - CONFIDENCE_LEVEL) / 2
  const ci = (sample: number[]): [number, number] => {
    const s = [...sample].sort((a, b) => a - b)
    return [percentile(s, 100 * alpha), percentile(s, 100 * (1 - alpha))]
  }
  return {
    n,
    accuracy: full.accuracy,
    accuracyCi: ci(accuracies),
    macroF1: full.macro.f1,
    macroF1Ci: ci(f1s),
  }
}
