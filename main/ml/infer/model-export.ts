// Exports a run's model as a self-contained folder any onnxruntime can use: model.onnx (the same
// inference graph the app predicts with), labels.json, tokenizer files (BERT) or featurizer.json
// (baseline), inference.json (inputs/outputs) and MODEL_CARD.md. Written to a temp folder, then
// renamed, so a half-written export never appears; an existing folder is never overwritten.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { BASELINE_VOCAB_FILE, BUNDLE_MODEL, BUNDLE_TOKENIZER_DIR, CtsError } from '../../shared'
import { readArtifact } from '../../shared/artifact-crypto'
import type { BaselineModelConfig } from '../models/baseline'
import { bertOptions, mergeSpecialTokens } from '../tokenize/load-tokenizer'
import { parseVocabTxt, synthesizeBertTokenizerJson } from '../tokenize/vocab-tokenizer'
import { TOKENIZER_FILES } from './classifier-bundle'
import { readBundleMeta } from './bundle-graph'
import { modelCardMarkdown, type ModelCardInfo } from './model-card'
import { int8ModelBytes, type Quantization } from './quantize'
import { resolveQuantization } from './quantize-check'
import { TRITON_DIR, writeTritonLayout } from './triton-layout'

export const EXPORT_FORMAT = 'cts-export/1'

/** inference.json's `quantization` of an int8 export. */
export const INT8_EXPORT_NOTE = {
  kind: 'int8 dynamic',
  detail:
    'linear layers are com.microsoft DynamicQuantizeMatMul (int8 weights, symmetric per output column); needs onnxruntime',
}

/** The card's facts the caller knows (the run record); the rest comes from the bundle. */
export type ExportRunInfo = Omit<ModelCardInfo, 'kind' | 'labels' | 'maxLength' | 'inputs'>

/** The baseline's features, spelled out so other code can compute the same ids. */
function featurizerSpec(cfg: BaselineModelConfig): Record<string, unknown> {
  if (cfg.form === 'tfidf') return tfidfFeaturizerSpec(cfg)
  return {
    format: 'cts-hashed-ngrams/1',
    normalize: 'Unicode NFKC, then lower case',
    cjkScripts: ['Han', 'Hiragana', 'Katakana', 'Hangul'],
    tokenPattern:
      '[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}]+|' +
      '(?:(?![\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}])[\\p{L}\\p{N}])+',
    ngrams: [
      "for each token in order: a non-CJK token t yields 'w:' + t, then 'b:' + previous + ' ' + t",
      'when the previous token was non-CJK (a CJK token resets the previous token);',
      "charNgrams 'cjk': a CJK token yields 'c<n>:' + chars[i:i+n] for n = 1, 2, 3 and every i;",
      "charNgrams 'all': every token does, non-CJK ones over '<' + t + '>'; 'none': no char n-grams",
    ],
    hash: 'FNV-1a 32-bit over the UTF-8 bytes of the n-gram string; id = hash % buckets',
    buckets: cfg.buckets,
    charNgrams: cfg.charNgrams,
    maxFeatures: cfg.maxFeatures,
    inputs: {
      ids: 'int64 [batch, bag]: the first maxFeatures ids, padded with 0',
      mask: 'float32 [batch, bag]: 1 for real ids, 0 for padding (a text without ids: bag 1, mask 0)',
    },
  }
}

/** The TF-IDF form: the same n-grams (1–4 characters, CJK runs as words), then the vocabulary. */
function tfidfFeaturizerSpec(cfg: BaselineModelConfig): Record<string, unknown> {
  const charMax = cfg.charMax ?? 4
  return {
    format: 'cts-tfidf-ngrams/1',
    normalize:
      'Unicode NFKC and lower case, per word token and per character (offsets stay those of the text)',
    wordPattern: '[\\p{L}\\p{N}_]{2,}',
    cjkScripts: ['Han', 'Hiragana', 'Katakana', 'Hangul'],
    ngrams: [
      "word tokens (wordPattern, in order) yield 'w:' + t each, then 'b:' + t[i-1] + ' ' + t[i] for each pair",
      "a text whose letters are more than half CJK: 'c<n>:' + chars[i:i+n] over the whole text (each run of",
      `2+ whitespace characters read as one space), n = 1 … ${charMax}; any other text: for each whitespace-`,
      "separated chunk padded as ' ' + chunk + ' ', the same n-grams, a padded chunk of length L ≤ n yielding",
      `itself once as 'c<L>:' and no longer n-grams (scikit-learn's char and char_wb analyzers)`,
    ],
    hash: `FNV-1a 32-bit over the UTF-8 bytes of the n-gram string, looked up in ${BASELINE_VOCAB_FILE}`,
    vocabulary: `${BASELINE_VOCAB_FILE}: ${cfg.buckets} uint32 hashes (ascending, little-endian; an n-gram's id is its position; n-grams not listed are dropped), then ${cfg.buckets} float32 idf`,
    values:
      "per distinct n-gram: (1 + ln count) × idf; then the word n-grams ('w:', 'b:') and the character n-grams ('c<n>:') are each scaled to unit L2 norm",
    vocabularySize: cfg.buckets,
    charMax,
    maxFeatures: cfg.maxFeatures,
    inputs: {
      ids: 'int64 [batch, bag]: the ids of the first maxFeatures distinct known n-grams (words first), padded with 0',
      mask: 'float32 [batch, bag]: their values, 0 for padding',
    },
  }
}

/** tokenizer.json for a vocab-only tokenizer folder, as Hugging Face's converter would write it. */
function synthesizedTokenizerJson(tokDir: string): string {
  const read = (f: string) =>
    existsSync(join(tokDir, f))
      ? (JSON.parse(readFileSync(join(tokDir, f), 'utf8')) as Record<string, unknown>)
      : {}
  const cfg = mergeSpecialTokens(read('tokenizer_config.json'), read('special_tokens_map.json'))
  const json = synthesizeBertTokenizerJson(
    parseVocabTxt(readFileSync(join(tokDir, 'vocab.txt'), 'utf8')),
    bertOptions(cfg),
  )
  return JSON.stringify(json, null, 2)
}

const BERT_SPECIAL: Record<string, string> = {
  unk_token: '[UNK]',
  sep_token: '[SEP]',
  pad_token: '[PAD]',
  cls_token: '[CLS]',
  mask_token: '[MASK]',
}

/**
 * tokenizer_config.json naming every special token the tokenizer has and the model's maximum
 * length, so Hugging Face tokenizers (Python and transformers.js) pad and truncate out of the box.
 */
function completeTokenizerConfig(exportDir: string, maxLength: number): string {
  const path = join(exportDir, 'tokenizer_config.json')
  const config = existsSync(path)
    ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>)
    : {}
  const tokenizer = JSON.parse(readFileSync(join(exportDir, 'tokenizer.json'), 'utf8')) as {
    added_tokens?: { content?: string }[]
  }
  const added = new Set((tokenizer.added_tokens ?? []).map((t) => t.content))
  for (const [key, name] of Object.entries(BERT_SPECIAL)) {
    if (config[key] === undefined && added.has(name)) config[key] = name
  }
  config.model_max_length = maxLength
  return JSON.stringify(config, null, 2) + '\n'
}

/** inference.json's tokenizer section; token types only where the graph takes them (not DistilBERT). */
export function bertTokenizerInfo(inputs: string[], maxLength: number): Record<string, string> {
  return {
    files: 'tokenizer.json (+ vocab.txt, tokenizer_config.json) in this folder',
    truncation: `longest first, at ${maxLength} tokens including the start and end tokens`,
    padding: 'to the longest text of the batch with the pad id; attention_mask 0 there',
    ...(inputs.includes('token_type_ids') ? { tokenTypeIds: 'all 0' } : {}),
  }
}

/**
 * Write the export of the bundle in `bundleDir` to `outDir` (must not exist). Returns the files
 * written, relative to `outDir`, sorted.
 */
export function exportModelFolder(
  bundleDir: string,
  outDir: string,
  run: ExportRunInfo,
  opts: { quantize?: Quantization; triton?: boolean } = {},
): string[] {
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    throw new CtsError(
      'conflict',
      `${outDir} already exists and is not empty; choose a new folder.`,
    )
  }
  const meta = readBundleMeta(bundleDir)
  const enc = meta.encoder as Record<string, unknown> & {
    kind: string
    maxLength?: number
    maxFeatures?: number
  }
  const kind = enc.kind === 'bert' ? 'bert' : 'baseline'
  const maxLength = kind === 'bert' ? Number(enc.maxLength) : Number(enc.maxFeatures)
  const parent = dirname(outDir)
  mkdirSync(parent, { recursive: true })
  const temp = join(parent, `.${basename(outDir)}.${process.pid}.${Date.now()}.tmp`)
  mkdirSync(temp)
  let tritonFiles: string[] = []
  try {
    // int8: asked for, or by default where the run's dev check passed (quantize-check.ts).
    const quantization = resolveQuantization(bundleDir, opts.quantize)
    // Decrypted: an export is the model leaving the workspace, at the user's request.
    const modelBytes =
      quantization === 'int8'
        ? int8ModelBytes(bundleDir)
        : readArtifact(join(bundleDir, BUNDLE_MODEL))
    writeFileSync(join(temp, 'model.onnx'), modelBytes)
    writeFileSync(join(temp, 'labels.json'), JSON.stringify(meta.labels, null, 2) + '\n')
    const inference: Record<string, unknown> = {
      format: EXPORT_FORMAT,
      kind,
      labels: meta.labels,
      inputs: meta.inputs,
      outputs: meta.outputs,
      maxLength,
      // Only int8 models say so (fp32 exports are unchanged): they need onnxruntime's contrib ops.
      ...(quantization === 'int8' ? { quantization: INT8_EXPORT_NOTE } : {}),
    }
    if (kind === 'bert') {
      const tokDir = join(bundleDir, BUNDLE_TOKENIZER_DIR)
      for (const f of TOKENIZER_FILES)
        if (existsSync(join(tokDir, f))) copyFileSync(join(tokDir, f), join(temp, f))
      if (!existsSync(join(tokDir, 'tokenizer.json')))
        writeFileSync(join(temp, 'tokenizer.json'), synthesizedTokenizerJson(tokDir))
      writeFileSync(join(temp, 'tokenizer_config.json'), completeTokenizerConfig(temp, maxLength))
      inference.tokenizer = bertTokenizerInfo(meta.inputs, maxLength)
    } else {
      const {
        lengthMultiple: _ignored,
        kind: _kind,
        ...cfg
      } = enc as unknown as BaselineModelConfig & {
        lengthMultiple: number
        kind: string
      }
      writeFileSync(
        join(temp, 'featurizer.json'),
        JSON.stringify(featurizerSpec(cfg), null, 2) + '\n',
      )
      if (cfg.form === 'tfidf') {
        writeFileSync(
          join(temp, BASELINE_VOCAB_FILE),
          readArtifact(join(bundleDir, BASELINE_VOCAB_FILE)),
        )
      }
    }
    writeFileSync(join(temp, 'inference.json'), JSON.stringify(inference, null, 2) + '\n')
    const card = modelCardMarkdown({
      ...run,
      kind,
      ...(kind === 'baseline' && enc.form === 'tfidf' ? { baselineForm: 'tfidf' as const } : {}),
      labels: meta.labels,
      maxLength,
      inputs: meta.inputs,
    })
    writeFileSync(join(temp, 'MODEL_CARD.md'), card)
    // Triton on request only: its copy of model.onnx doubles the export's size.
    if (opts.triton)
      tritonFiles = writeTritonLayout(temp, modelBytes, {
        runId: run.runId,
        kind,
        labels: meta.labels,
        maxLength,
        ...(kind === 'baseline' && typeof enc.form === 'string' ? { baselineForm: enc.form } : {}),
        int8: quantization === 'int8',
      })
    if (existsSync(outDir)) rmSync(outDir, { recursive: true })
    renameSync(temp, outDir)
  } catch (err) {
    rmSync(temp, { recursive: true, force: true })
    throw err
  }
  // The Triton files by their paths (a zip of the export lists each file).
  return [...readdirSync(outDir).filter((f) => f !== TRITON_DIR), ...tritonFiles].sort()
}
