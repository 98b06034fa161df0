// The TF-IDF form of the baseline's features, as scikit-learn's TfidfVectorizer computes them:
// a vocabulary of the training texts' n-grams (kept as their sorted 32-bit hashes), smoothed idf,
// sublinear tf, and the word and character blocks each L2-normalised. N-grams never seen in
// training are dropped, as a fitted vectorizer drops them (a hashed table would give them the
// weights of whatever training n-gram shares their bucket).
import { join } from 'node:path'
import { artifactKeyFor, readArtifact, writeArtifactAtomic } from '../../shared/artifact-crypto'
import { tfidfGrams } from './baseline-analyzer'
import { fnv1a } from './baseline-features'
import { BASELINE_VOCAB_FILE } from '../../shared'

export interface TfidfVocabulary {
  /** Hashes of the training n-grams, ascending; an n-gram's feature index is its position. */
  hashes: Uint32Array
  /** Smoothed idf per feature: ln((1 + N) / (1 + df)) + 1. */
  idf: Float32Array
}

export interface TfidfFeatureConfig {
  /** Longest character n-gram. */
  charMax: number
  /** Most distinct n-grams read per text. */
  maxFeatures: number
}

/** A text as the model reads it: distinct feature indices and their normalised TF-IDF values. */
export interface TfidfText {
  ids: Int32Array
  values: Float32Array
  /** For each n-gram occurrence in reading order: its slot in `ids`, or -1 (unknown/truncated). */
  slots: Int32Array
}

/** A text's n-grams, hashed, in reading order; char marks the character n-grams (their block). */
export interface HashedGrams {
  hashes: Uint32Array
  char: Uint8Array
}

export function hashedGrams(text: string, cfg: Pick<TfidfFeatureConfig, 'charMax'>): HashedGrams {
  const grams = tfidfGrams(text, cfg.charMax)
  const hashes = new Uint32Array(grams.length)
  const char = new Uint8Array(grams.length)
  for (let i = 0; i < grams.length; i++) {
    hashes[i] = fnv1a(grams[i].gram)
    char[i] = grams[i].char ? 1 : 0
  }
  return { hashes, char }
}

/** The vocabulary and idf of the training texts (hashed once by the caller). */
export function buildTfidfVocabulary(texts: HashedGrams[]): TfidfVocabulary {
  // Document frequencies by first-seen order; `last` marks the text that counted a hash last.
  const seen = new Map<number, number>()
  const df: number[] = []
  const last: number[] = []
  texts.forEach((text, t) => {
    for (const h of text.hashes) {
      let i = seen.get(h)
      if (i === undefined) {
        i = df.length
        seen.set(h, i)
        df.push(0)
        last.push(-1)
      }
      if (last[i] !== t) {
        last[i] = t
        df[i]++
      }
    }
  })
  const hashes = Uint32Array.from(seen.keys()).sort()
  const n = texts.length
  const idf = Float32Array.from(hashes, (h) => Math.log((1 + n) / (1 + df[seen.get(h)!])) + 1)
  return { hashes, idf }
}

const lookups = new WeakMap<TfidfVocabulary, Map<number, number>>()

/** hash → feature index of a vocabulary (built once per vocabulary object). */
function lookupOf(vocab: TfidfVocabulary): Map<number, number> {
  let map = lookups.get(vocab)
  if (!map) {
    map = new Map()
    vocab.hashes.forEach((h, i) => map!.set(h, i))
    lookups.set(vocab, map)
  }
  return map
}

/** Featurise one text: at most maxFeatures distinct known n-grams, in order of first occurrence. */
export function tfidfText(
  grams: HashedGrams,
  vocab: TfidfVocabulary,
  maxFeatures: number,
): TfidfText {
  const slots = new Int32Array(grams.hashes.length).fill(-1)
  const slotOf = new Map<number, number>()
  const ids: number[] = []
  const counts: number[] = []
  const isChar: boolean[] = []
  const lookup = lookupOf(vocab)
  grams.hashes.forEach((hash, i) => {
    const index = lookup.get(hash)
    if (index === undefined) return
    let slot = slotOf.get(index)
    if (slot === undefined) {
      if (ids.length >= maxFeatures) return
      slot = ids.length
      slotOf.set(index, slot)
      ids.push(index)
      counts.push(0)
      isChar.push(grams.char[i] === 1)
    }
    counts[slot]++
    slots[i] = slot
  })
  const raw = ids.map((index, s) => (1 + Math.log(counts[s])) * vocab.idf[index])
  const norm = [0, 0] // word block, char block
  raw.forEach((v, s) => (norm[isChar[s] ? 1 : 0] += v * v))
  const values = Float32Array.from(raw, (v, s) => v / Math.sqrt(norm[isChar[s] ? 1 : 0]))
  return { ids: Int32Array.from(ids), values, slots }
}

export function writeTfidfVocabulary(dir: string, vocab: TfidfVocabulary): void {
  const bytes = new Uint8Array(vocab.hashes.length * 8)
  bytes.set(new Uint8Array(vocab.hashes.buffer, vocab.hashes.byteOffset, vocab.hashes.byteLength))
  bytes.set(
    new Uint8Array(vocab.idf.buffer, vocab.idf.byteOffset, vocab.idf.byteLength),
    vocab.hashes.byteLength,
  )
  // Hashes of n-grams from the training texts: sealed in an encrypted workspace (issue #15).
  const file = join(dir, BASELINE_VOCAB_FILE)
  writeArtifactAtomic(file, bytes, artifactKeyFor(file))
}

/** Read a bundle's vocabulary; `size` (from model.json) must match the file. */
export function readTfidfVocabulary(dir: string, size: number): TfidfVocabulary {
  const file = join(dir, BASELINE_VOCAB_FILE)
  const bytes = readArtifact(file)
  if (bytes.byteLength !== size * 8) {
    throw new Error(
      `${file} holds ${bytes.byteLength} bytes where the model expects ${size * 8} (${size} n-grams): the run folder is damaged; train the baseline again`,
    )
  }
  // Copy: the file buffer may be unaligned for typed-array views.
  const copy = new Uint8Array(bytes)
  return {
    hashes: new Uint32Array(copy.buffer, 0, size),
    idf: new Float32Array(copy.buffer, size * 4, size),
  }
}
