// English strings of the evaluation view's cross-validation and learning-curve section; zh-cn-cv.ts
// is typed against this one.
export const enCv = {
  cv: {
    title: 'Cross-validation and learning curve',
    hint: 'Trains {k} models, each without one fold of the training texts, and predicts that fold: every training text is predicted once by a model that never saw it. The test texts take no part. The learning curve repeats this with 10, 25 and 50 % of the training texts.',
    folds: 'Folds',
    model: 'Model',
    baseline: 'Baseline (seconds)',
    runModel: "This run's model: {name} (slow on a CPU)",
    curve: 'Learning curve',
    start: 'Cross-validate',
    cancel: 'Cancel',
    estimate: '{n} trainings on {texts} texts, about {time}.',
    estimateBasis: '(measured on an earlier run)',
    running: 'Training {task} of {tasks} (fold {fold}, {share} of the texts){eta}',
    eta: ', about {time} left',
    cancelled: 'The cross-validation was cancelled.',
    failed: 'The cross-validation failed: {message}',
    none: 'No cross-validation yet for this project.',
    of: '{k}-fold {split} cross-validation of {model}, {texts} training texts ({test} test texts kept out), {date}.',
    stratified: 'stratified',
    grouped: 'grouped-by-patient',
    pooled: 'Pooled macro-F1',
    pooledHint: 'Over all out-of-fold predictions; 95% CI {lo}–{hi}',
    accuracy: 'Pooled accuracy',
    spread: 'Fold mean ± SD',
    fold: 'Fold',
    trainTexts: 'Training texts',
    evalTexts: 'Held-out texts',
    macroF1: 'Macro-F1',
    interval: '95% interval',
    curveTitle: 'Learning curve',
    share: 'Share of the training texts',
    estimateLine: 'Macro-F1',
    ciLine: '95% interval',
    verdict: {
      likely:
        'Going from 50% to 100% of the training texts changed macro-F1 by {gain} (95% CI {lo} to {hi}): more labels are likely to help.',
      plateau:
        'Going from 50% to 100% of the training texts changed macro-F1 by {gain} (95% CI {lo} to {hi}): the curve has flattened, so more labels of the same kind are unlikely to help much.',
      unclear:
        'Going from 50% to 100% of the training texts changed macro-F1 by {gain} (95% CI {lo} to {hi}): too uncertain to say whether more labels would help; label more and cross-validate again.',
    },
  },
}

export type CvMessages = typeof enCv
