// ROC and precision-recall curves with scikit-learn's exact semantics (roc_curve with
// drop_intermediate, precision_recall_curve, roc_auc_score, average_precision_score), binary and
// one-vs-rest per class with macro averages.

/** Cumulative counts at each distinct score, highest score first (sklearn's confusion_matrix_at_thresholds). */
export interface ThresholdCounts {
  /** Distinct scores, decreasing. */
  thresholds: number[]
  /** True positives with score >= thresholds[i]. */
  tps: number[]
  /** False positives with score >= thresholds[i]. */
  fps: number[]
  positives: number
  negatives: number
}

export interface RocCurve {
  /** False-positive rate (1 − specificity), increasing from 0; NaN when there are no negatives. */
  fpr: number[]
  /** True-positive rate (sensitivity), increasing from 0; NaN when there are no positives. */
  tpr: number[]
  /** thresholds[0] is +Infinity (nothing called positive), then decreasing scores. */
  thresholds: number[]
}

export interface PrCurve {
  /** Precision, ending with 1 (sklearn's convention for the zero-recall end). */
  precision: number[]
  /** Recall, decreasing to 0. */
  recall: number[]
  /** Increasing scores; one fewer than precision/recall. */
  thresholds: number[]
}

/** Curves and areas for one class against the rest. AUC/AP are null where undefined. */
export interface ClassCurves {
  /** Class index (column of the probability matrix). */
  label: number
  positives: number
  negatives: number
  roc: RocCurve
  /** ROC AUC; null when the class has no positives or no negatives (undefined, as in sklearn). */
  rocAuc: number | null
  pr: PrCurve
  /** Average precision; null when the class has no positives in the evaluated texts. */
  averagePrecision: number | null
}

export interface CurveSet {
  perClass: ClassCurves[]
  /** Unweighted mean over classes; null when any class's value is undefined (sklearn gives NaN). */
  macroRocAuc: number | null
  macroAveragePrecision: number | null
}

function checkBinaryInputs(yTrue: ArrayLike<number | boolean>, scores: ArrayLike<number>): void {
  if (yTrue.length !== scores.length) {
    throw new Error(`y_true has ${yTrue.length} values but the scores have ${scores.length}`)
  }
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) throw new Error(`Score ${i} is not a finite number`)
  }
}

/**
 * Sort by decreasing score and accumulate tps/fps at the last index of each group of tied
 * scores, so tied texts move together (one point per distinct score).
 */
export function thresholdCounts(
  yTrue: ArrayLike<number | boolean>,
  scores: ArrayLike<number>,
): ThresholdCounts {
  checkBinaryInputs(yTrue, scores)
  const n = scores.length
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => scores[b] - scores[a] || a - b,
  )
  const thresholds: number[] = []
  const tps: number[] = []
  const fps: number[] = []
  let tp = 0
  for (let k = 0; k < n; k++) {
    if (yTrue[order[k]]) tp++
    if (k === n - 1 || scores[order[k + 1]] !== scores[order[k]]) {
      thresholds.push(scores[order[k]])
      tps.push(tp)
      fps.push(k + 1 - tp)
    }
  }
  return { thresholds, tps, fps, positives: tp, negatives: n - tp }
}

/** sklearn.metrics.roc_curve(y_true, y_score) with its default drop_intermediate=True. */
export function rocCurve(
  yTrue: ArrayLike<number | boolean>,
  scores: ArrayLike<number>,
  dropIntermediate = true,
): RocCurve {
  const c = thresholdCounts(yTrue, scores)
  let keep = c.thresholds.map((_, i) => i)
  if (dropIntermediate && keep.length > 2) {
    // Keep a point only where the curve bends (second difference of fps or tps is non-zero).
    keep = keep.filter(
      (i) =>
        i === 0 ||
        i === c.thresholds.length - 1 ||
        c.fps[i + 1] - 2 * c.fps[i] + c.fps[i - 1] !== 0 ||
        c.tps[i + 1] - 2 * c.tps[i] + c.tps[i - 1] !== 0,
    )
  }
  const fps = [0, ...keep.map((i) => c.fps[i])]
  const tps = [0, ...keep.map((i) => c.tps[i])]
  return {
    fpr: fps.map((v) => (c.negatives > 0 ? v / c.negatives : NaN)),
    tpr: tps.map((v) => (c.positives > 0 ? v / c.positives : NaN)),
    thresholds: [Infinity, ...keep.map((i) => c.thresholds[i])],
  }
}

/** sklearn.metrics.precision_recall_curve(y_true, y_score) (drop_intermediate=False). */
export function precisionRecallCurve(
  yTrue: ArrayLike<number | boolean>,
  scores: ArrayLike<number>,
): PrCurve {
  const c = thresholdCounts(yTrue, scores)
  const precision = c.tps.map((tp, i) => (tp + c.fps[i] === 0 ? 0 : tp / (tp + c.fps[i])))
  // No positive at all: sklearn sets recall to 1 everywhere.
  const recall = c.tps.map((tp) => (c.positives === 0 ? 1 : tp / c.positives))
  return {
    precision: [...precision.reverse(), 1],
    recall: [...recall.reverse(), 0],
    thresholds: [...c.thresholds].reverse(),
  }
}

/** Trapezoidal area under y(x) (sklearn.metrics.auc); x must be monotonic. */
export function trapezoidArea(x: number[], y: number[]): number {
  if (x.length < 2) throw new Error('At least 2 points are needed to compute an area under a curve')
  let area = 0
  let increasing = true
  let decreasing = true
  for (let i = 1; i < x.length; i++) {
    const dx = x[i] - x[i - 1]
    if (dx < 0) increasing = false
    if (dx > 0) decreasing = false
    area += (dx * (y[i] + y[i - 1])) / 2
  }
  if (!increasing && !decreasing) throw new Error('x is neither increasing nor decreasing')
  return increasing ? area : -area
}

/** Binary ROC AUC (sklearn roc_auc_score); null when only one class is present. */
export function rocAuc(
  yTrue: ArrayLike<number | boolean>,
  scores: ArrayLike<number>,
): number | null {
  const roc = rocCurve(yTrue, scores)
  if (Number.isNaN(roc.fpr[1]) || Number.isNaN(roc.tpr[1])) return null
  return trapezoidArea(roc.fpr, roc.tpr)
}

/** Step-wise average precision (sklearn average_precision_score): Σ (R_n − R_{n−1}) P_n. */
export function averagePrecisionFromCurve(pr: PrCurve): number {
  let s = 0
  for (let i = 0; i + 1 < pr.recall.length; i++)
    s += (pr.recall[i + 1] - pr.recall[i]) * pr.precision[i]
  return Math.max(0, -s)
}

/** Binary average precision; null when there is no positive (sklearn returns a meaningless value). */
export function averagePrecision(
  yTrue: ArrayLike<number | boolean>,
  scores: ArrayLike<number>,
): number | null {
  const pr = precisionRecallCurve(yTrue, scores)
  let positives = 0
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i]) positives++
  return positives === 0 ? null : averagePrecisionFromCurve(pr)
}

/** Curves for one binary target vector against one score column. */
export function classCurves(
  label: number,
  isPositive: ArrayLike<boolean>,
  scores: ArrayLike<number>,
): ClassCurves {
  const roc = rocCurve(isPositive, scores)
  const pr = precisionRecallCurve(isPositive, scores)
  let positives = 0
  for (let i = 0; i < isPositive.length; i++) if (isPositive[i]) positives++
  const negatives = isPositive.length - positives
  return {
    label,
    positives,
    negatives,
    roc,
    rocAuc: positives > 0 && negatives > 0 ? trapezoidArea(roc.fpr, roc.tpr) : null,
    pr,
    averagePrecision: positives > 0 ? averagePrecisionFromCurve(pr) : null,
  }
}

/**
 * One-vs-rest curves for every class of a single-label task: class k's positives are the texts
 * whose true label is k, scored by probs[i][k]. For a binary task, perClass[1] is the usual
 * "positive class" curve. Macro averages match roc_auc_score(multi_class='ovr', labels=…) and
 * average_precision_score(average='macro') when every class occurs.
 */
export function oneVsRestCurves(yTrue: number[], probs: number[][]): CurveSet {
  if (yTrue.length !== probs.length) {
    throw new Error(
      `y_true has ${yTrue.length} labels but there are ${probs.length} probability rows`,
    )
  }
  const k = probs[0]?.length ?? 0
  const perClass: ClassCurves[] = []
  for (let c = 0; c < k; c++) {
    perClass.push(
      classCurves(
        c,
        yTrue.map((y) => y === c),
        probs.map((row) => row[c]),
      ),
    )
  }
  return {
    perClass,
    macroRocAuc: macro(perClass.map((p) => p.rocAuc)),
    macroAveragePrecision: macro(perClass.map((p) => p.averagePrecision)),
  }
}

/** Curves per column of a multi-label indicator matrix (yTrue[i][k] is 1 when text i has label k). */
export function multiLabelCurves(yTrue: number[][], scores: number[][]): CurveSet {
  if (yTrue.length !== scores.length) {
    throw new Error(`y_true has ${yTrue.length} rows but there are ${scores.length} score rows`)
  }
  const k = scores[0]?.length ?? 0
  const perClass = Array.from({ length: k }, (_, c) =>
    classCurves(
      c,
      yTrue.map((row) => row[c] === 1),
      scores.map((row) => row[c]),
    ),
  )
  return {
    perClass,
    macroRocAuc: macro(perClass.map((p) => p.rocAuc)),
    macroAveragePrecision: macro(perClass.map((p) => p.averagePrecision)),
  }
}

function macro(values: (number | null)[]): number | null {
  if (values.length === 0 || values.some((v) => v === null)) return null
  return (values as number[]).reduce((s, v) => s + v, 0) / values.length
}
