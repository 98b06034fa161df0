// Training recipes: how a run's schedule, kept epoch, early stopping and batching are chosen.
// 'reference' is today's defaults (defaults.ts, parity tests); 'seed' replays the seed app's script;
// 'auto' searches (main/services/study-service.ts); 'manual' is reference with explicit settings.

export type RecipeName = 'auto' | 'reference' | 'seed' | 'manual'

/** The loop policies a recipe fixes (trainer.ts options of the same names). */
export interface RecipePolicy {
  schedule: 'linear' | 'constant'
  keep: 'best' | 'last'
  earlyStopping: boolean
  batching: 'bucketed' | 'random'
}

/** Reference and manual runs: warm-up + linear decay, early stopping, best dev epoch, buckets. */
export const REFERENCE_POLICY: RecipePolicy = {
  schedule: 'linear',
  keep: 'best',
  earlyStopping: true,
  batching: 'bucketed',
}

/**
 * The seed app's PyTorch loop: AdamW at a constant 2e-5 (no scheduler), batch 16, 5 epochs, 128
 * tokens, shuffled batches, a classification report on dev after every epoch, the last epoch's
 * weights scored on test. AdamW's decay 0.01 and the 1.0 clip are the reference's (torch's AdamW
 * default decay is also 0.01).
 */
export const SEED_RECIPE = {
  learningRate: 2e-5,
  batchSize: 16,
  epochs: 5,
  maxLength: 128,
  warmupRatio: 0,
  policy: {
    schedule: 'constant',
    keep: 'last',
    earlyStopping: false,
    batching: 'random',
  } satisfies RecipePolicy,
} as const

/**
 * The auto recipe's search for each pretrained model. Learning rates in the order tried: 1e-4
 * first (0.960 vs 0.757 for 2e-5 on the 24-class set), then its neighbours; a neighbour
 * is only tried while it may still win (see nextLearningRate).
 */
export const AUTO_RECIPE = {
  learningRates: [2e-5, 5e-5, 1e-4, 2e-4] as const,
  firstLearningRate: 1e-4,
  maxEpochs: 20,
  patience: 3,
  warmupRatio: 0.1,
  /** Minutes on CPU when the user gives no budget. */
  budgetMinutes: 10,
  ensembleWeights: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
  policy: {
    schedule: 'linear',
    keep: 'best',
    earlyStopping: true,
    batching: 'random',
  } satisfies RecipePolicy,
}

/**
 * The next learning rate of a model's search given the dev macro-F1 of those tried (a local
 * search on the ordered grid): start at 1e-4, step towards the better side, stop when both
 * neighbours of the best are tried or off the grid. undefined: the search is done.
 */
export function nextLearningRate(tried: ReadonlyMap<number, number>): number | undefined {
  const grid = AUTO_RECIPE.learningRates
  if (tried.size === 0) return AUTO_RECIPE.firstLearningRate
  let best = -1
  let bestScore = -Infinity
  grid.forEach((lr, i) => {
    const s = tried.get(lr)
    if (s !== undefined && s > bestScore) {
      best = i
      bestScore = s
    }
  })
  if (best < 0) return undefined
  // The lower neighbour first: smaller rates are the safer side for a pretrained model.
  for (const j of [best - 1, best + 1]) {
    if (j >= 0 && j < grid.length && !tried.has(grid[j])) return grid[j]
  }
  return undefined
}
