// English strings of the train view's recipe choice and the study panel (the auto recipe);
// zh-cn-recipes.ts is typed against this one.
export const enRecipes = {
  recipes: {
    recipe: 'Recipe',
    auto: 'Auto (recommended)',
    reference: 'Reference',
    seed: 'Seed script',
    manual: 'Manual',
    autoHint:
      'Trains the baseline and each suitable pretrained model at a few learning rates within the budget, tries an ensemble, and keeps the best on the development texts. The settings below are chosen for you; changing one switches to Manual.',
    referenceHint: 'The fixed defaults: warm-up and decay, early stopping, best epoch kept.',
    seedHint:
      'The original script: constant learning rate 2e-5, batch 16, 5 epochs, 128 tokens, the last epoch kept.',
    manualHint: 'Exactly the settings below.',
    budget: 'Time budget (minutes)',
    studyTitle: 'Study {id}: finding the best model',
    studyStatus: 'Status: {status} · {elapsed} of {budget} min',
    candidate: 'Candidate',
    status: 'Status',
    devF1: 'Dev macro-F1',
    time: 'Time',
    estimate: 'Estimate',
    planFits: '{label}: about {time} ({epochs} epochs of {epoch})',
    planSkipped: '{label}: would not fit ({time} for 3 epochs)',
    planTimed: 'Estimated from a timing of this computer; refined after each epoch.',
    planRough:
      'A rough estimate from token counts: a short timing probe (spent from the budget) replaces it when the study starts, and each epoch refines it.',
    studyRemaining: '{remaining} min of the budget left',
    firstEstimate: 'first estimate {time}',
    estimateHelp:
      'Estimated before it started from a short timing of this computer; refined after each epoch from the measured time.',
    epochs: 'Epochs',
    winner: 'Winner',
    cancel: 'Stop the study',
    testOnce: 'Test texts were scored once, by the winner (run {id}) only.',
    resume: 'Resume the study',
    openWinner: 'Open the winner',
    statuses: {
      running: 'running',
      success: 'done',
      cancelled: 'stopped',
      error: 'failed',
      skipped: 'skipped',
    },
  },
}

export type RecipesMessages = typeof enRecipes
