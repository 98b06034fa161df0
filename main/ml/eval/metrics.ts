// Classification metrics with scikit-learn's semantics (classification_report, zero_division=0):
// per-class precision/recall/F1/support, accuracy, macro and weighted averages, confusion matrix.

export interface ClassMetrics {
  label: number
  precision: number
  recall: number
  f1: number
  support: number
}

export interface AverageMetrics {
  precision: number
  recall: number
  f1: number
  support: number
}

export interface ClassificationReport {
  /** The labels in report order (rows and columns of the confusion matrix). */
  labels: number[]
  perClass: ClassMetrics[]
  accuracy: number
  macro: AverageMetrics
  weighted: AverageMetrics
  /** confusion[i][j]: texts whose true label is labels[i] and predicted label is labels[j]. */
  confusion: number[][]
  /**
   * Labels whose metric was ill-defined (0/0) and set to 0, as scikit-learn warns:
   * precision when nothing was predicted as the label, recall when no text has it,
   * F1 when both are zero counts (true and predicted).
   */
  zeroDivision: { precision: number[]; recall: number[]; f1: number[] }
}

/**
 * Confusion matrix with rows = true label, columns = predicted label, in `labels` order.
 * Pairs whose true or predicted label is outside `labels` are ignored (as scikit-learn does).
 */
export function confusionMatrix(yTrue: number[], yPred: number[], labels: number[]): number[][] {
  checkLengths(yTrue, yPred)
  const index = new Map(labels.map((l, i) => [l, i]))
  const m = labels.map(() => labels.map(() => 0))
  for (let k = 0; k < yTrue.length; k++) {
    const i = index.get(yTrue[k])
    const j = index.get(yPred[k])
    if (i !== undefined && j !== undefined) m[i][j]++
  }
  return m
}

/**
 * scikit-learn's classification_report(y_true, y_pred, labels=labels, zero_division=0,
 * output_dict=True). Without `labels`, the sorted union of the labels seen in both arrays.
 */
export function classificationReport(
  yTrue: number[],
  yPred: number[],
  labels?: number[],
): ClassificationReport {
  checkLengths(yTrue, yPred)
  const labs = labels ?? [...new Set([...yTrue, ...yPred])].sort((a, b) => a - b)
  const confusion = confusionMatrix(yTrue, yPred, labs)
  const zeroDivision = { precision: [] as number[], recall: [] as number[], f1: [] as number[] }
  const perClass: ClassMetrics[] = labs.map((label, i) => {
    const tp = confusion[i][i]
    // Counts over all pairs (not only those inside `labels`), matching multilabel_confusion_matrix.
    let predicted = 0
    let support = 0
    for (let k = 0; k < yTrue.length; k++) {
      if (yPred[k] === label) predicted++
      if (yTrue[k] === label) support++
    }
    if (predicted === 0) zeroDivision.precision.push(label)
    if (support === 0) zeroDivision.recall.push(label)
    if (predicted + support === 0) zeroDivision.f1.push(label)
    const precision = predicted === 0 ? 0 : tp / predicted
    const recall = support === 0 ? 0 : tp / support
    // sklearn >= 1.3 computes F from counts: 2tp / (2tp + fp + fn) = 2tp / (predicted + support).
    const f1 = predicted + support === 0 ? 0 : (2 * tp) / (predicted + support)
    return { label, precision, recall, f1, support }
  })
  let correct = 0
  for (let k = 0; k < yTrue.length; k++) if (yTrue[k] === yPred[k]) correct++
  const totalSupport = perClass.reduce((s, c) => s + c.support, 0)
  const mean = (key: 'precision' | 'recall' | 'f1') =>
    perClass.length === 0 ? 0 : perClass.reduce((s, c) => s + c[key], 0) / perClass.length
  const weightedMean = (key: 'precision' | 'recall' | 'f1') =>
    totalSupport === 0 ? 0 : perClass.reduce((s, c) => s + c[key] * c.support, 0) / totalSupport
  return {
    labels: labs,
    perClass,
    accuracy: yTrue.length === 0 ? 0 : correct / yTrue.length,
    macro: {
      precision: mean('precision'),
      recall: mean('recall'),
      f1: mean('f1'),
      support: totalSupport,
    },
    weighted: {
      precision: weightedMean('precision'),
      recall: weightedMean('recall'),
      f1: weightedMean('f1'),
      support: totalSupport,
    },
    confusion,
    zeroDivision,
  }
}

/** Index of the largest value (the first on ties): the predicted class of a probability row. */
export function argmax(xs: ArrayLike<number>): number {
  let best = 0
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i
  return best
}

/** Index of the largest value in each row of a [rows, cols] row-major matrix (first on ties). */
export function argmaxRows(values: ArrayLike<number>, cols: number): number[] {
  const rows = Math.floor(values.length / cols)
  const out: number[] = new Array(rows)
  for (let r = 0; r < rows; r++) {
    let best = 0
    for (let c = 1; c < cols; c++) if (values[r * cols + c] > values[r * cols + best]) best = c
    out[r] = best
  }
  return out
}

function checkLengths(a: number[], b: number[]): void {
  if (a.length !== b.length) {
    throw new Error(`y_true has ${a.length} labels but y_pred has ${b.length}`)
  }
}
