// Out-of-fold probabilities for the label-error review (confident-learning.ts): every labelled
// text is scored by a TF-IDF baseline (models/baseline-fit.ts) fitted on the other folds only, so
// no text is judged by a model that saw its label. Also the texts' TF-IDF vectors, for diversity.
import { CtsError } from '../../shared/errors'
import { assignFolds, DEFAULT_FOLDS, MAX_FOLDS, MIN_FOLDS } from '../eval/cv-folds'
import { BASELINE_PARAMS } from '../models/baseline'
import { fitTfidfBaseline, type BaselineFit } from '../models/baseline-fit'
import {
  buildTfidfVocabulary,
  hashedGrams,
  tfidfText,
  type HashedGrams,
} from '../models/baseline-tfidf'
import { BASELINE_DEFAULTS, DEFAULT_SEED } from '../train/defaults'

/** The baseline's longest character n-gram (as baseline-fit.ts reads texts). */
const CHAR_MAX = 4

export interface OutOfFoldOptions {
  /** Folds (default 5; at most the number of texts). */
  k?: number
  /** Seed of the stratified fold assignment and the fits (default 42). */
  seed?: number
  /** Most distinct n-grams read per text (default: the baseline's training default). */
  maxFeatures?: number
  /** Inverse-frequency class weights in each fit (default off, as scikit-learn's default). */
  classWeights?: boolean
  signal?: AbortSignal
  onProgress?: (p: { fold: number; folds: number }) => void
}

export interface OutOfFold {
  /** Per text, in input order: class probabilities from the model that did not see it. */
  probs: Float64Array[]
  /** Per text: its fold (0 … k − 1). */
  folds: number[]
  /** The folds actually used (k, capped at the number of texts). */
  k: number
}

/**
 * Stratified k-fold (seeded, cv-folds.ts's assignment) out-of-fold probabilities: for each fold
 * the TF-IDF baseline is fitted on the other folds at its default C (no dev split to choose C on)
 * and predicts the fold's texts. Cost: k baseline fits. A class absent from a fold's training
 * texts gets a near-zero probability there, as any classifier that never saw it would give.
 */
export async function outOfFoldProbabilities(
  texts: string[],
  labels: number[],
  classes: number | readonly string[],
  o: OutOfFoldOptions = {},
): Promise<OutOfFold> {
  const numClasses = typeof classes === 'number' ? classes : classes.length
  if (texts.length !== labels.length) {
    throw new CtsError('bad-input', `${texts.length} texts but ${labels.length} labels`)
  }
  if (texts.length < MIN_FOLDS) {
    throw new CtsError(
      'bad-input',
      `Out-of-fold predictions need at least ${MIN_FOLDS} labelled texts (got ${texts.length}): label a few more`,
    )
  }
  if (numClasses < 2) {
    throw new CtsError(
      'bad-input',
      `Out-of-fold predictions need at least 2 classes (got ${numClasses})`,
    )
  }
  labels.forEach((y, i) => {
    if (!Number.isInteger(y) || y < 0 || y >= numClasses) {
      throw new CtsError(
        'bad-input',
        `Text ${i + 1} has label index ${y}, outside 0…${numClasses - 1}`,
      )
    }
  })
  const asked = o.k ?? DEFAULT_FOLDS
  if (!Number.isInteger(asked) || asked < MIN_FOLDS || asked > MAX_FOLDS) {
    throw new CtsError(
      'bad-input',
      `Folds must be a whole number from ${MIN_FOLDS} to ${MAX_FOLDS} (got ${asked})`,
    )
  }
  const k = Math.min(asked, texts.length)
  const seed = o.seed ?? DEFAULT_SEED
  const maxFeatures = o.maxFeatures ?? BASELINE_DEFAULTS.maxLength
  const folds = assignFolds(
    labels.map((label) => ({ label })),
    k,
    seed,
  )
  const probs = new Array<Float64Array>(texts.length)
  for (let f = 0; f < k; f++) {
    o.onProgress?.({ fold: f, folds: k })
    const train: number[] = []
    const held: number[] = []
    folds.forEach((fi, i) => (fi === f ? held : train).push(i))
    const fit = await fitTfidfBaseline({
      train: { texts: train.map((i) => texts[i]), labels: train.map((i) => labels[i]) },
      numClasses,
      maxFeatures,
      classWeights: o.classWeights ?? false,
      seed,
      signal: o.signal,
    })
    const heldProbs = baselineProbabilities(
      fit,
      held.map((i) => texts[i]),
      maxFeatures,
    )
    held.forEach((i, r) => (probs[i] = heldProbs[r]))
  }
  return { probs, folds, k }
}

/**
 * The class probabilities a fitted TF-IDF baseline gives each text, in float64 — what its saved
 * bundle predicts (to float32 rounding), without building an ONNX session. Texts may come already
 * hashed (`hashedGrams(text, { charMax: 4 })`) so a caller scoring the same pool every round
 * hashes it once. maxFeatures: as the fit read its training texts (default: the fit's own).
 */
export function baselineProbabilities(
  fit: Pick<BaselineFit, 'weights' | 'vocab' | 'config'>,
  texts: readonly string[] | readonly HashedGrams[],
  maxFeatures = fit.config.maxFeatures,
): Float64Array[] {
  const table = fit.weights.get(BASELINE_PARAMS.embedding)!
  const bias = fit.weights.get(BASELINE_PARAMS.bias)!
  const k = fit.config.numClasses
  const charMax = fit.config.charMax ?? CHAR_MAX
  return texts.map((t: string | HashedGrams) => {
    const grams = typeof t === 'string' ? hashedGrams(t, { charMax }) : t
    const x = tfidfText(grams, fit.vocab, maxFeatures)
    return softmaxLinear(x.ids, x.values, table, bias, k)
  })
}

/** softmax(Σ value × table[id] + bias), in float64: the tfidf baseline's probabilities. */
function softmaxLinear(
  ids: Int32Array,
  values: Float32Array,
  table: Float32Array,
  bias: Float32Array,
  k: number,
): Float64Array {
  const logits = Float64Array.from(bias)
  for (let e = 0; e < ids.length; e++) {
    const row = ids[e] * k
    for (let c = 0; c < k; c++) logits[c] += values[e] * table[row + c]
  }
  const max = Math.max(...logits)
  let sum = 0
  for (let c = 0; c < k; c++) sum += logits[c] = Math.exp(logits[c] - max)
  for (let c = 0; c < k; c++) logits[c] /= sum
  return logits
}

/** Default width of the hashed TF-IDF vectors: 4 KiB per text. */
export const TFIDF_VECTOR_DIM = 1024

/** murmur3's 32-bit finaliser: spreads an n-gram hash over all bits (bucket and sign). */
function mix32(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** Hashed, L2-normalised TF-IDF vectors: one function per text, after one vocabulary pass. */
function tfidfVectorizer(
  grams: HashedGrams[],
  o: { dim?: number; maxFeatures?: number },
): (g: HashedGrams) => Float32Array {
  const dim = o.dim ?? TFIDF_VECTOR_DIM
  const maxFeatures = o.maxFeatures ?? BASELINE_DEFAULTS.maxLength
  const vocab = buildTfidfVocabulary(grams)
  const bucket = Int32Array.from(vocab.hashes, (h) => mix32(h) % dim)
  const sign = Float32Array.from(vocab.hashes, (h) => (mix32(h) >>> 31 ? -1 : 1))
  return (g) => {
    const x = tfidfText(g, vocab, maxFeatures)
    const v = new Float32Array(dim)
    for (let e = 0; e < x.ids.length; e++) v[bucket[x.ids[e]]] += sign[x.ids[e]] * x.values[e]
    let s = 0
    for (let j = 0; j < dim; j++) s += v[j] * v[j]
    if (s > 0) {
      const inv = 1 / Math.sqrt(s)
      for (let j = 0; j < dim; j++) v[j] *= inv
    }
    return v
  }
}

/**
 * The texts as unit-length dense vectors for k-centre diversity (strategies.ts): the baseline's
 * TF-IDF features (vocabulary and idf fitted on these texts, no labels needed) folded into `dim`
 * buckets by signed feature hashing (Weinberger et al. 2009), which keeps inner products — hence
 * cosines — unbiased, where exact dense vectors over the vocabulary (~10⁵ n-grams for a few
 * thousand notes) would take gigabytes. The price is noise from colliding n-grams: measured on
 * test/fixtures/active/noisy-triage.csv (200 texts, 2,173 n-grams), |hashed − exact cosine| is
 * 0.018 on average over all pairs, worst 0.50 (two short Chinese texts whose one heavy word n-gram
 * shares a bucket); 4,096 dimensions bring the mean to 0.007. Memory n × dim × 4 bytes (1,024
 * dimensions: 40 MiB for 10,000 texts); k-centre then costs O(n × picks × dim), about a second
 * per 10⁹ — keep n × picks × dim there or below. An empty text gives the zero vector.
 */
export function tfidfVectors(
  texts: string[],
  o: { dim?: number; maxFeatures?: number } = {},
): Float32Array[] {
  const grams = texts.map((t) => hashedGrams(t, { charMax: CHAR_MAX }))
  return grams.map(tfidfVectorizer(grams, o))
}

/**
 * The same vectors as tfidfVectors, computed in chunks with a yield to the event loop between
 * them, so a backend that builds them for a few thousand notes keeps answering label writes.
 */
export async function tfidfVectorsYielding(
  texts: string[],
  o: { dim?: number; maxFeatures?: number; chunk?: number } = {},
): Promise<Float32Array[]> {
  const chunk = o.chunk ?? 200
  const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve))
  const grams: HashedGrams[] = []
  for (let i = 0; i < texts.length; i++) {
    grams.push(hashedGrams(texts[i], { charMax: CHAR_MAX }))
    if ((i + 1) % chunk === 0) await yieldNow()
  }
  const vectorOf = tfidfVectorizer(grams, o)
  const vectors: Float32Array[] = []
  for (let i = 0; i < grams.length; i++) {
    vectors.push(vectorOf(grams[i]))
    if ((i + 1) % chunk === 0) await yieldNow()
  }
  return vectors
}
