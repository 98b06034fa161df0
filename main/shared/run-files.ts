// The names of the files inside a run folder (<home>/runs/<id>/), defined once: the job that writes
// a file and every reader (services, reports, serve, CLI) import the name from here.

/** The trained classifier's inference graph (weights inside). */
export const BUNDLE_MODEL = 'model.onnx'

/** BUNDLE_MODEL quantized to int8 (issue #13), saved by the train job's dev check of a BERT run. */
export const BUNDLE_MODEL_INT8 = 'model.int8.onnx'

/** The bundle's labels and how to encode texts (format 'cts-classifier/1'), or an ensemble's members. */
export const BUNDLE_META = 'model.json'

/** Folder of a BERT bundle's tokenizer files, so neither predictions nor exports need the model folder. */
export const BUNDLE_TOKENIZER_DIR = 'tokenizer'

/** The baseline bundle's vocabulary: D uint32 hashes (ascending), then D float32 idf. */
export const BASELINE_VOCAB_FILE = 'baseline-vocab.bin'

/** The base model's config.json, copied so explanations still work after the model folder goes. */
export const MODEL_CONFIG_FILE = 'config.json'

/** The train job's input, with the exact texts of each split (resume, audit). */
export const DATASET_ARTIFACT = 'dataset.json'

/** Texts per label and split, duplicates removed (no text). */
export const DATASET_SUMMARY_ARTIFACT = 'dataset-summary.json'

/** The train job's result (TrainJobResult): metrics, epochs, provider. */
export const METRICS_ARTIFACT = 'metrics.json'

/** Held-out predictions next to metrics.json: true class and probabilities per text, no text. */
export const TEST_PREDICTIONS_ARTIFACT = 'test-predictions.json'

/** A study candidate's kept model's probabilities on dev. */
export const DEV_PREDICTIONS_ARTIFACT = 'dev-predictions.json'

/** Folder of the training checkpoints; removed once the bundle holds the best weights. */
export const CHECKPOINTS_DIR = 'checkpoints'

/** In CHECKPOINTS_DIR: the newest epoch's weights, AdamW moments and loop state (resume). */
export const LAST_CHECKPOINT = 'last.ckpt'

/** In CHECKPOINTS_DIR: the best epoch's weights so far. */
export const BEST_CHECKPOINT = 'best.ckpt'
