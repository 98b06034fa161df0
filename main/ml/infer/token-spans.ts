// Maps model units back onto the original text so the UI can highlight it: subword tokens
// (WordPiece, SentencePiece, byte-level BPE) to character spans, and the baseline's hashed
// n-grams to the words and CJK characters they came from.
import {
  BASELINE_TOKEN,
  CJK_SCRIPTS,
  baselineNgrams,
  type BaselineFeatureConfig,
} from '../models/baseline-features'
import type { PieceStyle } from '../tokenize/clinical-tokenizer'

export interface TextSpan {
  token: string
  /** UTF-16 offsets into the original text; absent when the unit could not be located. */
  start?: number
  end?: number
}

const IS_CJK_CHAR = new RegExp(`^[${CJK_SCRIPTS}]$`, 'u')
const PUNCT = /^[\p{P}\p{S}]$/u
const SPACE = /^\s$/u

/** What BERT's normalizer makes of one character (accents stripped, lower case); '' = dropped. */
function normChar(c: string): string {
  if (/^[\p{Cc}\p{Cf}]$/u.test(c) && !SPACE.test(c)) return ''
  return c.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
}

/** Code points of `text` with their UTF-16 start offsets. */
function codePoints(text: string): { c: string; at: number }[] {
  const out: { c: string; at: number }[] = []
  let at = 0
  for (const c of text) {
    out.push({ c, at })
    at += c.length
  }
  return out
}

interface Piece {
  /** The text the token stands for, without its marker or leading space; '' for a bare marker. */
  text: string
  /** Byte-level only: the token holds the first bytes of a character the next token completes. */
  partial?: boolean
}

/** GPT-2's bytes_to_unicode, reversed: the printable stand-in character → the byte. */
const BYTE_OF: ReadonlyMap<string, number> = (() => {
  const map = new Map<string, number>()
  let shifted = 0
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255)
    map.set(String.fromCodePoint(printable ? b : 256 + shifted++), b)
  }
  return map
})()

/** Length of the longest prefix of `bytes` that ends on a whole UTF-8 character. */
function wholeCharsPrefix(bytes: number[]): number {
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i]
    const n = b < 0xc0 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : b < 0xf8 ? 4 : 1
    if (i + n > bytes.length) break
    i += n
  }
  return i
}

const UTF8 = new TextDecoder()

function pieceTexts(tokens: string[], style: PieceStyle): Piece[] {
  if (style === 'wordpiece') {
    return tokens.map((t) => ({ text: t.startsWith('##') ? t.slice(2) : t }))
  }
  if (style === 'sentencepiece') {
    return tokens.map((t) => ({ text: t.replace(/^\u2581+/, '').trimStart() }))
  }
  let pending: number[] = []
  return tokens.map((t) => {
    const chars = [...t]
    // Not byte-level characters (an added or special token): the token is its own text.
    if (!chars.every((c) => BYTE_OF.has(c))) {
      pending = []
      return { text: t.trimStart() }
    }
    const bytes = [...pending, ...chars.map((c) => BYTE_OF.get(c) as number)]
    const whole = wholeCharsPrefix(bytes)
    pending = bytes.slice(whole)
    const text = UTF8.decode(Uint8Array.from(bytes.slice(0, whole))).trimStart()
    return text === '' && pending.length > 0 ? { text, partial: true } : { text }
  })
}

/**
 * Spans of subword tokens (special tokens already removed) in `text`, in order. Matching is
 * accent- and case-insensitive, as BERT's normalizer is; an unknown token ([UNK]) covers one
 * word (or one CJK/punctuation character). A token that cannot be found gets no span and does
 * not move the cursor, so one oddity never shifts the rest; a bare word-start marker ('▁', 'Ġ')
 * gets none either. A byte-level token holding only the first bytes of a character shares the
 * span of that character with the token that completes it.
 */
export function wordPieceSpans(
  text: string,
  tokens: string[],
  unkToken = '[UNK]',
  style: PieceStyle = 'wordpiece',
): TextSpan[] {
  const cps = codePoints(text)
  const norms = cps.map((p) => normChar(p.c))
  const endOf = (j: number) => (j < cps.length ? cps[j].at : text.length)
  const pieces = pieceTexts(tokens, style)
  let cursor = 0
  const spans = tokens.map((raw, k): TextSpan => {
    const piece = pieces[k].text
    const display = piece
    let i = cursor
    while (i < cps.length && (norms[i] === '' || SPACE.test(norms[i]))) i++
    if (i >= cps.length || (piece === '' && raw !== unkToken)) return { token: display }
    if (raw === unkToken) {
      let j = i + 1
      const single = IS_CJK_CHAR.test(cps[i].c) || PUNCT.test(cps[i].c)
      if (!single) {
        while (
          j < cps.length &&
          !SPACE.test(cps[j].c) &&
          !PUNCT.test(cps[j].c) &&
          !IS_CJK_CHAR.test(cps[j].c)
        )
          j++
      }
      cursor = j
      return { token: display, start: cps[i].at, end: endOf(j) }
    }
    const target = [...piece].map(normChar).join('')
    // Characters the tokenizer dropped (e.g. U+FFFD) sit between tokens: look a little ahead.
    for (let from = i; from < Math.min(cps.length, i + LOOKAHEAD); from++) {
      const end = matchAt(norms, from, target)
      if (end < 0) continue
      cursor = end
      return { token: display, start: cps[from].at, end: endOf(end) }
    }
    return { token: display }
  })
  // A split character: the first part's token points at the character the next token starts with.
  for (let k = spans.length - 2; k >= 0; k--) {
    const next = spans[k + 1]
    if (!pieces[k].partial || next.start === undefined) continue
    const c = String.fromCodePoint(text.codePointAt(next.start) as number)
    spans[k] = { token: c, start: next.start, end: next.start + c.length }
  }
  return spans
}

/** How far past the cursor a token may start (characters the tokenizer removed). */
const LOOKAHEAD = 16

/** The end index if the normalised characters from `from` spell `target` exactly, else -1. */
function matchAt(norms: string[], from: number, target: string): number {
  if (norms[from] === '' || SPACE.test(norms[from])) return -1
  let acc = ''
  let j = from
  while (j < norms.length && acc.length < target.length) acc += norms[j++]
  return acc === target ? j : -1
}

export interface NgramUnits {
  /** Words (non-CJK) and single CJK characters, in text order. */
  units: TextSpan[]
  /** For each n-gram of baselineNgrams(text), the units it spreads over, with weights summing to 1. */
  shares: { unit: number; weight: number }[][]
}

/**
 * The units (words; one per CJK character) an embedding-bag n-gram belongs to: a word uni-gram to
 * its word, a bi-gram half to each word, a character n-gram equally to its characters (inside a
 * word: to the word). Returns undefined when the offsets cannot reproduce the model's n-grams
 * (an exotic normalisation), so callers fall back to showing the n-grams themselves.
 */
export function baselineNgramUnits(
  text: string,
  charNgrams: BaselineFeatureConfig['charNgrams'],
): NgramUnits | undefined {
  const units: TextSpan[] = []
  const grams: string[] = []
  const shares: { unit: number; weight: number }[][] = []
  let prevWord: { tok: string; unit: number } | undefined
  // The baseline's own tokenisation (baseline-features.ts), here with offsets into the text.
  for (const m of text.matchAll(BASELINE_TOKEN)) {
    const orig = m[0]
    const start = m.index ?? 0
    const tok = orig.normalize('NFKC').toLowerCase()
    const cjk = IS_CJK_CHAR.test([...orig][0])
    if (!cjk) {
      const unit = units.push({ token: orig, start, end: start + orig.length }) - 1
      grams.push(`w:${tok}`)
      shares.push([{ unit, weight: 1 }])
      if (prevWord) {
        grams.push(`b:${prevWord.tok} ${tok}`)
        shares.push([
          { unit: prevWord.unit, weight: 0.5 },
          { unit, weight: 0.5 },
        ])
      }
      prevWord = { tok, unit }
      if (charNgrams === 'all') {
        const chars = [...`<${tok}>`]
        for (let n = 1; n <= 3; n++)
          for (let i = 0; i + n <= chars.length; i++) {
            grams.push(`c${n}:${chars.slice(i, i + n).join('')}`)
            shares.push([{ unit, weight: 1 }])
          }
      }
      continue
    }
    prevWord = undefined
    const first = units.length
    let at = start
    for (const c of orig) {
      units.push({ token: c, start: at, end: at + c.length })
      at += c.length
    }
    if (charNgrams === 'none') continue
    const chars = [...tok]
    if (chars.length !== units.length - first) return undefined
    for (let n = 1; n <= 3; n++)
      for (let i = 0; i + n <= chars.length; i++) {
        grams.push(`c${n}:${chars.slice(i, i + n).join('')}`)
        shares.push(Array.from({ length: n }, (_, k) => ({ unit: first + i + k, weight: 1 / n })))
      }
  }
  const expected = baselineNgrams(text, charNgrams)
  if (expected.length !== grams.length || expected.some((g, i) => g !== grams[i])) return undefined
  return { units, shares }
}
