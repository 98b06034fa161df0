// Bounds both sides of the bridge check (the contract's schemas and the renderer's inputs), in a
// file without zod so the renderer can import the numbers.

/** Most distinct n-grams the baseline reads per text (a BERT model is capped by its positions). */
export const MAX_BASELINE_FEATURES = 8192
