// English strings of the model in the loop: suggestions, queue order, the in-loop status, the audit
// estimate and the label review. zh-cn-loop.ts is typed against this one.
export const enLoop = {
  loop: {
    title: 'Model in the loop',
    suggestion: 'Model suggestion',
    suggestionBy: '{model}, trained on 1 label | {model}, trained on {n} labels',
    /** The in-loop model main trains (main/services/loop-service.ts LOOP_MODEL_NAME). */
    baselineName: 'TF-IDF baseline (in the loop)',
    acceptKey: 'Accept suggestion',
    acceptHint: 'Press {key} to accept',
    noSuggestion: 'No suggestion yet: the model trains once {threshold} texts are labelled.',
    suggestionsHidden: 'Suggestions are hidden.',
    noSuggestionHere:
      'No suggestion for this text: audit texts never show one, so your own reading measures the model.',
    showSuggestions: "Show the model's suggestions",
    showSuggestionsHint:
      'Hide them to avoid anchoring bias: a suggestion seen first pulls your judgement towards it.',
    showSuggestionsHelp:
      'Seeing a suggestion before you read the text pulls your judgement towards it (anchoring bias), and the model then learns its own mistakes back. Hide suggestions when each label should be your own reading; the model still learns from your labels.',
    enabled: 'Retrain while I label',
    threshold: 'Retrain after',
    thresholdUnit: 'new labels',
    retrainNow: 'Retrain now',
    training: 'Retraining…',
    trainedOn: 'Model trained on 1 label | Model trained on {n} labels',
    newSince: 'no new labels since | 1 new label since | {n} new labels since',
    due: '(retrains when you pause)',
    noModel: 'No model yet — {n} of {threshold} labels needed',
    order: 'Which text next',
    orders: {
      sequential: 'In file order',
      uncertainty: 'Most uncertain first',
      diversity: 'Most unlike the labelled texts',
      random: 'Random',
      mislabelled: 'Most likely mislabelled',
    },
    orderHelp:
      'Uncertain and unlike texts teach the model most per label; every order but file order mixes in the audit texts.',
    why: 'Why this text:',
    reasons: {
      sequential: 'Next in file order',
      uncertainty: "Uncertain: margin {value} between the model's two likeliest labels",
      diversity: 'Unlike the labelled texts: cosine distance {value}',
      random: 'Drawn at random',
      fallback: 'Drawn at random until the model has trained — then: {order}',
      mislabelled: 'Possibly mislabelled: the model gives the current label {value}',
      audit: 'Audit sample text (every {nth}) — keeps the quality estimate honest',
    },
    audit: 'Quality estimate',
    auditEstimate: 'Estimated on {n} audit texts only: macro-F1 {f1} (95 % CI {lo}–{hi})',
    auditAccuracy: 'Accuracy {acc} (95 % CI {lo}–{hi})',
    auditPending: 'No estimate yet: {labelled} of {sample} audit texts labelled.',
    auditHint: 'Audit texts: a random sample, mixed into the queue, never trained on.',
    auditHelp:
      'Audit texts are a random sample of the project, mixed into the queue and never used to train the in-loop model, so the estimate is not flattered by choosing texts the model finds easy or hard.',
    agreement: 'Your label matched the suggestion on {equal} of {compared} texts ({pct}).',
    noAgreement: 'No label compared with a suggestion yet.',
    failed: 'The model could not retrain: {message}',
  },
  review: {
    tab: 'Review labels',
    title: 'Labels that may be wrong',
    hint: 'Each labelled text is predicted by a model that did not see it ({folds}-fold cross-validation over {labelled} labelled texts); texts are ranked by how little the model believes the given label (confident learning).',
    keys: "K keeps the label, R takes the model's label, 1–9 sets that label.",
    computing: 'Cross-validating the labelled texts…',
    empty: 'No label looks wrong to the model.',
    given: 'Given',
    model: 'Model',
    modelGives: 'model: {p}',
    keep: 'Keep',
    relabel: 'Relabel as {label}',
    kept: 'Kept',
    relabelled: 'Relabelled as {label}',
    rank: '#{rank}',
    refresh: 'Recompute',
    done: '{n} reviewed',
  },
}

export type LoopMessages = typeof enLoop
