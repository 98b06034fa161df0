// Text → hashed n-gram ids for the embedding-bag baseline: word uni/bi-grams for space-separated
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
const encoder = new TextEncoder()

/** 32-bit FNV-1a over the UTF-8 bytes of a string. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5
  for (const byte of encoder.encode(s)) {
    h ^= byte
    h = Math.imul(h, 0x01000193) >>> 0
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
        for (let i = 0; i + n <= chars.length; i++)
          out.push(`c${n}:${chars.slice(i, i + n).join('')}`)
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
