// The NVIDIA Triton Inference Server model-repository layout of an export (issue #17 point 7):
// triton/<model>/config.pbtxt, labels.txt, README.txt and 1/model.onnx — the same ONNX file as
// the export's, so Triton's onnxruntime backend serves exactly what the app predicts with.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CtsError } from '../../shared'
import {
  TRITON_LABELS_FILE,
  TRITON_MAX_BATCH_SIZE,
  tritonConfigText,
  tritonModelConfig,
  type TritonModelConfig,
} from './triton-config'

/** The repository folder inside an export. */
export const TRITON_DIR = 'triton'

/** Triton's model name for a run: the folder name clients address (v2/models/<name>/infer). */
export function tritonModelName(runId: number): string {
  return `cts_run_${runId}`
}

export interface TritonLayoutInfo {
  runId: number
  kind: 'bert' | 'baseline'
  labels: string[]
  /** BERT: tokens per text; baseline: feature ids per text. */
  maxLength: number
  /** The baseline's form ('tfidf' needs the vocabulary file too). */
  baselineForm?: string
  /** int8 models use onnxruntime contrib ops (Triton's onnxruntime build has them). */
  int8: boolean
}

/** What the client must do before and after calling Triton (the model takes ids, not text). */
function readme(c: TritonModelConfig, info: TritonLayoutInfo): string {
  const names = c.inputs.map((t) => `${t.name} (${t.dataType}, [batch, ${t.dims.join(', ')}])`)
  const prep =
    info.kind === 'bert'
      ? [
          'Tokenise with the Hugging Face tokenizer files of this export, two folders up:',
          '  tokenizer.json (+ vocab.txt, tokenizer_config.json), e.g. in Python:',
          '  AutoTokenizer.from_pretrained(EXPORT_DIR)(texts, truncation=True,',
          `      max_length=${info.maxLength}, padding="max_length", return_tensors="np")`,
          ...(c.inputs.some((t) => t.name === 'token_type_ids')
            ? ['token_type_ids are all 0.']
            : []),
          `Padding every text to max_length ${info.maxLength} (not to the longest of a request) lets`,
          "Triton's dynamic batcher merge any requests: it batches only inputs of the same shape.",
        ]
      : [
          'Compute the feature ids as featurizer.json of this export (two folders up) describes',
          ...(info.baselineForm === 'tfidf'
            ? ['(with its vocabulary file baseline-vocab.bin).']
            : ['.']),
          `Pad the bag to ${info.maxLength} (maxFeatures) with id 0 and mask 0 so that requests`,
          "share a shape and Triton's dynamic batcher can merge them.",
        ]
  return [
    `Triton model ${c.name}: run ${info.runId} of Clinical Text Studio, for NVIDIA Triton Inference Server`,
    `(onnxruntime backend). Copy this folder into a model repository and start Triton with`,
    `  tritonserver --model-repository=/path/to/repository`,
    '',
    'Tokenisation happens OUTSIDE Triton: the model takes ids, not text.',
    ...prep,
    '',
    `Inputs: ${names.join('; ')}.`,
    `Outputs: logits and probs (TYPE_FP32, [batch, ${info.labels.length}]); probs are the`,
    `probabilities in the order of ${TRITON_LABELS_FILE} (one label per line), so Triton's`,
    `classification extension ("class_count" on probs) names the labels.`,
    `At most ${TRITON_MAX_BATCH_SIZE} texts per batch (max_batch_size in config.pbtxt).`,
    ...(info.int8
      ? [
          '',
          'This model is int8 (com.microsoft DynamicQuantizeMatMul): Triton’s onnxruntime backend runs it.',
        ]
      : []),
    '',
  ].join('\n')
}

/**
 * Writes the layout under `exportDir`/triton/<model>/ from the ONNX bytes the export wrote.
 * Returns the files written, relative to `exportDir`, sorted.
 */
export function writeTritonLayout(
  exportDir: string,
  onnx: Uint8Array,
  info: TritonLayoutInfo,
): string[] {
  const bad = info.labels.findIndex((l) => /[\r\n]/.test(l))
  if (bad >= 0)
    throw new CtsError(
      'bad-input',
      `Label ${bad + 1} contains a line break, which Triton's labels file cannot hold; rename it, or export without --triton.`,
    )
  const name = tritonModelName(info.runId)
  const config = tritonModelConfig(name, onnx)
  const modelDir = join(exportDir, TRITON_DIR, name)
  mkdirSync(join(modelDir, '1'), { recursive: true })
  const files: Record<string, string | Uint8Array> = {
    'config.pbtxt': tritonConfigText(config),
    [TRITON_LABELS_FILE]: info.labels.join('\n') + '\n',
    'README.txt': readme(config, info),
    '1/model.onnx': onnx,
  }
  for (const [f, content] of Object.entries(files)) writeFileSync(join(modelDir, f), content)
  return Object.keys(files)
    .map((f) => `${TRITON_DIR}/${name}/${f}`)
    .sort()
}
