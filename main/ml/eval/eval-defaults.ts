// The one home of the evaluation numbers that matter: calibration bins, bootstrap size, confidence
// level and seed. Reports state these values next to the results they produced.

/** Equal-width bins of max-probability confidence for the reliability diagram and ECE. */
export const CALIBRATION_BINS = 10

/** Bootstrap resamples for confidence intervals (percentile method). */
export const BOOTSTRAP_RESAMPLES = 1000

/** Two-sided confidence level of the intervals. */
export const CONFIDENCE_LEVEL = 0.95

/** Seed of the bootstrap's PRNG when the caller gives none, so a report is reproducible. */
export const BOOTSTRAP_SEED = 20240229

/** Default target sensitivity for the binary operating point (screening use). */
export const DEFAULT_TARGET_SENSITIVITY = 0.9

/** Sensitivities the report's operating-point table lists besides the user's target. */
export const REPORT_SENSITIVITY_TARGETS = [0.8, 0.9, 0.95, 0.99]
