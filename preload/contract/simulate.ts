// Active-learning simulation on labelled files (`cts simulate`, issue #11 point 6): learning curves
// of the labelling queue's strategies (labels → test macro-F1 mean ± sd). Not offered by the window.
import { z } from 'zod'

/** The queue orders a simulation can replay (the labelling view's, minus "most likely mislabelled"). */
export const SIMULATE_STRATEGIES = ['uncertainty', 'diversity', 'random'] as const
export type SimulateStrategy = (typeof SIMULATE_STRATEGIES)[number]

/** Labelled texts in files on the computer main runs on; a test file is required. */
export const simulateFilesSchema = z
  .object({
    train: z.string().min(1),
    test: z.string().min(1),
    textColumn: z.string().min(1).optional(),
    labelColumn: z.string().min(1).optional(),
  })
  .strict()

const count = z.number().int().min(1).max(1_000_000)

/** Omitted numbers take the service's defaults (main/services/simulate.ts SIMULATE_DEFAULTS). */
export const simulateConfigSchema = z
  .object({
    /** Strategies to simulate; each gets the same seed sample per repeat (paired curves). */
    strategies: z.array(z.enum(SIMULATE_STRATEGIES)).min(1).max(SIMULATE_STRATEGIES.length),
    /** Texts labelled before the first model (a seeded sample, stratified by label). */
    seedSize: count.min(2).optional(),
    /** Texts the strategy picks after each model. */
    step: count.optional(),
    /** Labels at the end of a curve. */
    budget: count.min(2).optional(),
    repeats: z.number().int().min(1).max(100).optional(),
    /** Repeat r uses seed + r. */
    seed: z.number().int().min(0).max(2147483647).optional(),
  })
  .strict()
export type SimulateConfigInput = z.input<typeof simulateConfigSchema>

export interface SimulatePointDto {
  labels: number
  macroF1Mean: number
  /** Sample standard deviation over the repeats (0 with one repeat). */
  macroF1Sd: number
  runs: number
}

export interface SimulateResultDto {
  settings: {
    strategies: SimulateStrategy[]
    seedSize: number
    step: number
    budget: number
    repeats: number
    seed: number
    labels: string[]
    trainTexts: number
    testTexts: number
    /** Rows of the files left out (no text or no label). */
    skipped: { train: number; test: number }
    /** The model refitted after every step, and how each strategy picks. */
    model: string
    uncertainty: string
    diversity: string
  }
  /** One curve per strategy: from seedSize labels to budget, one point per step. */
  curves: Partial<Record<SimulateStrategy, SimulatePointDto[]>>
  /**
   * With random among the strategies: random's macro-F1 at the budget, and the labels each other
   * strategy's mean curve first reached it with (null: not within the budget) and their share of
   * the budget.
   */
  reach: {
    randomFinalMacroF1: number
    strategies: Partial<Record<SimulateStrategy, { labels: number | null; ratio: number | null }>>
  } | null
  seconds: number
}

export const simulateArgs = {
  'simulate/run': z.object({ files: simulateFilesSchema, config: simulateConfigSchema }).strict(),
}

export interface SimulateResults {
  'simulate/run': SimulateResultDto
}
