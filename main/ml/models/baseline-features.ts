// Text → hashed n-gram ids for the first form of the baseline (the embedding bag; the TF-IDF form's
// n-grams are baseline-analyzer.ts's): word uni/bi-grams for space-separated
// scripts and character 1–3-grams for CJK runs (Chinese needs no word segmentation).

export interface BaselineFeatureConfig {
  /** Number of hash buckets (embedding rows). */
  buckets: number
  /** Character n-grams: only inside CJK runs ('cjk'), inside every token ('all'), or none. */
  charNgrams: 'cjk' | 'all' | 'none'
  /** At most this many ids per text (like max length for BERT); the rest is truncated. */
  maxFeatures: number
}

/** The scripts written without spaces, as a regex character-class body (one home: token-spans too). */
export const CJK_SCRIPTS =
  '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}'
/** The baseline's tokens: a CJK run, or a run of other letters/digits (global: use match/matchAll). */
export const BASELINE_TOKEN = new RegExp(
  `[${CJK_SCRIPTS}]+|(?:(?![${CJK_SCRIPTS}])[\\p{L}\\p{N}])+`,
  'gu',
)
const IS_CJK = new RegExp(`^[${CJK_SCRIPTS}]`, 'u')

/**
 * 32-bit FNV-1a over the UTF-8 bytes of a string. The bytes are produced inline rather than by a
 * TextEncoder: featurising a corpus hashes millions of short n-grams, and an allocation per n-gram
 * made that the slowest part of fitting the baseline. Lone surrogates hash as U+FFFD, as
 * TextEncoder encodes them.
 */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i)
    if (c < 0x80) {
      h = Math.imul(h ^ c, 0x01000193)
      continue
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1)
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00)
        i++
      } else {
        c = 0xfffd
      }
    }
    if (c < 0x800) {
      h = Math.imul(h ^ (0xc0 | (c >> 6)), 0x01000193)
    } else {
      if (c < 0x10000) {
        h = Math.imul(h ^ (0xe0 | (c >> 12)), 0x01000193)
      } else {
        h = Math.imul(h ^ (0xf0 | (c >> 18)), 0x01000193)
        h = Math.imul(h ^ (0x80 | ((c >> 12) & 63)), 0x01000193)
      }
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 63)), 0x01000193)
    }
    h = Math.imul(h ^ (0x80 | (c & 63)), 0x01000193)
  }
  return h >>> 0
}

/** The n-gram strings of a text, in reading order (exposed for tests and explanations). */
export function baselineNgrams(
  text: string,
  charNgrams: BaselineFeatureConfig['charNgrams'],
): string[] {
  const out: string[] = []
  const tokens = text.normalize('NFKC').toLowerCase().match(BASELINE_TOKEN) ?? []
  let prevWord: string | undefined
  for (const tok of tokens) {
    const cjk = IS_CJK.test(tok)
    if (!cjk) {
      out.push(`w:${tok}`)
      if (prevWord !== undefined) out.push(`b:${prevWord} ${tok}`)
      prevWord = tok
    } else {
      prevWord = undefined
    }
    if (charNgrams === 'all' || (charNgrams === 'cjk' && cjk)) {
      const chars = [...(cjk ? tok : `<${tok}>`)]
      for (let n = 1; n <= 3; n++) {
        for (let i = 0; i + n <= chars.length; i++) {
          let gram = chars[i]
          for (let j = 1; j < n; j++) gram += chars[i + j]
          out.push(`c${n}:${gram}`)
        }
      }
    }
  }
  return out
}

/** Hashed feature ids of a text (at most maxFeatures). */
export function baselineFeatures(text: string, cfg: BaselineFeatureConfig): Int32Array {
  const grams = baselineNgrams(text, cfg.charNgrams)
  const n = Math.min(grams.length, cfg.maxFeatures)
  const ids = new Int32Array(n)
  for (let i = 0; i < n; i++) ids[i] = fnv1a(grams[i]) % cfg.buckets
  return ids
}
