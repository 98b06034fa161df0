// A trained classifier on disk: model.onnx (inference graph, weights inside; inputs as the
// encoder packs them, outputs logits and probs) + model.json (labels and how to encode texts).
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { emitOnnx } from '../graph'
import { createSession, type DeviceChoice } from '../runtime'
import {
  placementFields,
  readPlacement,
  type ProviderPlacement,
} from '../runtime/provider-placement'
import { baselineCodec } from '../models/baseline-adapter'
import type { BaselineModelConfig } from '../models/baseline'
import { readTfidfVocabulary } from '../models/baseline-tfidf'
import { writeNewFileAtomic } from '../../shared/atomic-file'
import { artifactKeyFor, readArtifact, writeNewArtifactAtomic } from '../../shared/artifact-crypto'
import { bertCodec } from '../models/bert-adapter'
import { loadTokenizer } from '../tokenize/load-tokenizer'
import type { ClassifierAdapter, EncodedText } from '../train/classifier-adapter'
import { ENSEMBLE_FORMAT, loadEnsembleBundle, type EnsembleMeta } from './ensemble-bundle'
import { fuseInferenceGraph } from './fuse-graph'
import { predictProbabilities } from './predict'
import { predictBatchSize } from '../train/loop-k-choice'
import { int8ModelBytes, type Quantization } from './quantize'
import { BUNDLE_META, BUNDLE_MODEL, BUNDLE_TOKENIZER_DIR } from '../../shared'

const FORMAT = 'cts-classifier/1'

/**
 * Texts per session run when predicting. 16 rather than 64: as fast or faster for MiniLM at 128
 * tokens, int8, 2 threads, and ~200 MB less peak memory (activations, attention scores):
 * 74.5 / 73.8 / 55.2 texts/s and 457 / 524 / 682 MB at 16 / 32 / 64 (infer-ours.ts, issue #13).
 */
export const PREDICT_BATCH = 16

export interface BundleMeta {
  format: typeof FORMAT
  labels: string[]
  /** adapter.describe(): what recreates the encoder (baseline config, or tokenizer folder …). */
  encoder: Record<string, unknown>
  inputs: string[]
  outputs: ['logits', 'probs']
}

/** The inference graph of an adapter whose params hold the trained weights (initializers). */
export function inferenceModelBytes(adapter: ClassifierAdapter): Uint8Array {
  const g = adapter.graph
  return emitOnnx({
    inputs: g.batchInputs,
    outputs: [
      { name: 'logits', tensor: g.evalLogits },
      { name: 'probs', tensor: g.evalProbs },
    ],
  })
}

/** Write model.onnx and model.json into `dir` (atomically; existing files are never replaced). */
export function saveClassifierBundle(
  dir: string,
  adapter: ClassifierAdapter,
  labels: string[],
): void {
  const meta: BundleMeta = {
    format: FORMAT,
    labels,
    encoder: adapter.describe(),
    inputs: adapter.graph.batchInputs.map((t) => (t.source as { name: string }).name),
    outputs: ['logits', 'probs'],
  }
  // The weights: AES-256-GCM in an encrypted workspace (issue #15 point 2).
  const modelPath = join(dir, BUNDLE_MODEL)
  writeNewArtifactAtomic(modelPath, inferenceModelBytes(adapter), artifactKeyFor(modelPath))
  writeNewFileAtomic(join(dir, BUNDLE_META), JSON.stringify(meta, null, 2))
}

export interface LoadedClassifier {
  labels: string[]
  /** Probabilities [texts × labels], row-major. */
  predict(texts: string[], batchSize?: number): Promise<Float32Array>
  release(): Promise<void>
  /** On a GPU provider, after the first predict: where the graph's nodes ran (provider-placement.ts). */
  placement?(): { placement?: ProviderPlacement; placementMessage?: string }
}

export interface LoadClassifierOptions {
  /** 'int8': weight matmuls quantized at load (quantize.ts). Default 'none' (fp32 as trained). */
  quantization?: Quantization
  /** Intra-op threads of each session (default: every core). */
  threads?: number
  /**
   * Sessions of the model run side by side on the CPU, each taking the next batch when free
   * (predict.ts); each holds its own copy of the model (int8 MiniLM: +130 MB peak RSS). Default 1:
   * on a shared 2-core machine two sessions were not reliably faster (issue #13, infer-ab.ts
   * variants int8-pool2 / int8-pool2x1: from −15 % to +25 % against one session, run to run).
   */
  sessions?: number
  /** ORT's spin-waiting threads (default off: on a shared or busy CPU it costs more than it saves). */
  spinning?: boolean
  /**
   * Attention fused into onnxruntime's MultiHeadAttention (fuse-graph.ts) before the session
   * starts. Default off: measured slower on the CPU (serve-before-after.ts --steps).
   */
  fuse?: boolean
}

export async function loadClassifierBundle(
  dir: string,
  device: DeviceChoice = 'cpu',
  opts: LoadClassifierOptions = {},
): Promise<LoadedClassifier> {
  const meta = JSON.parse(readFileSync(join(dir, BUNDLE_META), 'utf8')) as BundleMeta
  // An ensemble run: its members' bundles, probabilities mixed by weight.
  if ((meta.format as string) === ENSEMBLE_FORMAT)
    return loadEnsembleBundle(dir, meta as unknown as EnsembleMeta, (d) =>
      loadClassifierBundle(d, device, opts),
    )
  if (meta.format !== FORMAT)
    throw new Error(`${dir} holds an unknown model format (${meta.format})`)
  const codec = await codecFor(meta.encoder, dir)
  const saved =
    opts.quantization === 'int8' ? int8ModelBytes(dir) : readArtifact(join(dir, BUNDLE_MODEL))
  const model = opts.fuse ? fuseInferenceGraph(saved).bytes : saved
  const sessionOptions = { device, threads: opts.threads, spinning: opts.spinning ?? false }
  const { session, provider } = await createSession(model, sessionOptions)
  // The pool's other sessions: CPU only (a GPU runs one large batch at a time anyway).
  const pool = [session]
  try {
    for (let i = 1; i < (provider === 'cpu' ? (opts.sessions ?? 1) : 1); i++)
      pool.push((await createSession(model, { ...sessionOptions, device: 'cpu' })).session)
  } catch (err) {
    await Promise.all(pool.map((s) => s.release()))
    throw err
  }
  let placement: ProviderPlacement | null | undefined
  return {
    labels: meta.labels,
    predict: async (texts, batchSize = PREDICT_BATCH) => {
      const probs = await predictProbabilities(
        pool,
        codec,
        texts.map((t) => codec.encode(t)),
        // On a GPU large batches (loop-k-choice.ts); on the CPU the caller's, as before.
        { batchSize: predictBatchSize(provider, batchSize, codec.maxLength) },
      )
      // GPU sessions profile their first run only: read it once (nothing on the CPU).
      if (placement === undefined && texts.length > 0) placement = readPlacement(session)
      return probs
    },
    placement: () => placementFields(placement, provider),
    release: async () => {
      await Promise.all(pool.map((s) => s.release()))
    },
  }
}

type Codec = Pick<
  ClassifierAdapter<EncodedText>,
  'encode' | 'feeds' | 'maxLength' | 'lengthMultiple' | 'numClasses'
>

/** Tokenizer files a bundle carries, and an export copies, so neither needs the model folder. */
export const TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'vocab.txt',
  'special_tokens_map.json',
]

/** Copy a model folder's tokenizer files into `<bundleDir>/tokenizer`. */
export function copyTokenizerFiles(modelDir: string, bundleDir: string): void {
  const to = join(bundleDir, BUNDLE_TOKENIZER_DIR)
  mkdirSync(to, { recursive: true })
  for (const f of TOKENIZER_FILES) {
    if (existsSync(join(modelDir, f))) copyFileSync(join(modelDir, f), join(to, f))
  }
}

async function codecFor(encoder: Record<string, unknown>, dir: string): Promise<Codec> {
  if (encoder.kind === 'bert') {
    const e = encoder as { numClasses: number; maxLength: number; lengthMultiple: number }
    const tokenizer = await loadTokenizer(join(dir, BUNDLE_TOKENIZER_DIR))
    return bertCodec(tokenizer, { ...e, describe: encoder }) as unknown as Codec
  }
  if (encoder.kind === 'baseline') {
    const { lengthMultiple, ...config } = encoder as unknown as BaselineModelConfig & {
      lengthMultiple: number
    }
    const vocab = config.form === 'tfidf' ? readTfidfVocabulary(dir, config.buckets) : undefined
    return baselineCodec(config, lengthMultiple, vocab) as unknown as Codec
  }
  throw new Error(`models of kind "${String(encoder.kind)}" cannot be loaded by this version`)
}
