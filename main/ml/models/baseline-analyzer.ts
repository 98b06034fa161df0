// The TF-IDF baseline's n-grams, made as scikit-learn's TfidfVectorizer analyzers make them —
// word 1–2-grams of tokens of two or more word characters, and character 1–4-grams by char_wb
// (each whitespace-separated chunk padded with spaces) or, for a text mostly in a CJK script, by
// 'char' (over the whole text, runs of whitespace collapsed) — each with where it lies in the text,
// so explanations can put its weight on the words it covers. Differences, on purpose: NFKC (so
// full-width letters and digits read as their ASCII forms), applied per token or per character so
// positions stay exact.
import { CJK_SCRIPTS } from './baseline-features'

export interface SpannedGram {
  gram: string
  /** Code-unit offsets in the original text. */
  start: number
  end: number
  /** A character n-gram (the char block), else a word n-gram. */
  char: boolean
}

/** scikit-learn's default token_pattern, \b\w\w+\b, with \w as Python's Unicode word characters. */
const WORD = /[\p{L}\p{N}_]{2,}/gu
const CJK_CHAR = new RegExp(`[${CJK_SCRIPTS}]`, 'u')
const LETTER = /\p{L}/u

const norm = (s: string) => s.normalize('NFKC').toLowerCase()

/** Whether most of a text's letters are CJK (it then gets 'char' n-grams, as the peer does). */
export function mostlyCjk(text: string): boolean {
  let letters = 0
  let cjk = 0
  for (const c of text) {
    if (!LETTER.test(c)) continue
    letters++
    if (CJK_CHAR.test(c)) cjk++
  }
  return cjk * 2 > letters
}

/** Code points of `s` from offset `start`, each with its offset and normalised form. */
function codePoints(s: string, start: number): { at: number; end: number; text: string }[] {
  const out: { at: number; end: number; text: string }[] = []
  let at = start
  for (const c of s) {
    out.push({ at, end: at + c.length, text: norm(c) })
    at += c.length
  }
  return out
}

type Point = { at: number; end: number; text: string }

/**
 * Character n-grams over `points` for n = 1 … charMax. With `wb`, scikit-learn's char_wb rule: a
 * padded chunk no longer than n yields itself once and ends the chunk's n-grams. An n-gram is
 * named by its characters and their number (a short chunk's whole is the same feature as its
 * n-gram of that length, as in scikit-learn, where features are the strings themselves).
 */
function charGrams(points: Point[], charMax: number, wb: boolean, out: SpannedGram[]): void {
  for (let n = 1; n <= charMax; n++) {
    if (wb && points.length <= n) {
      out.push(spanOf(points, 0, points.length))
      break
    }
    for (let i = 0; i + n <= points.length; i++) out.push(spanOf(points, i, n))
  }
}

function spanOf(points: Point[], i: number, count: number): SpannedGram {
  let gram = ''
  for (let k = i; k < i + count; k++) gram += points[k].text
  return {
    gram: `c${count}:${gram}`,
    start: points[i].at,
    end: points[i + count - 1].end,
    char: true,
  }
}

/** The n-grams of a text, word n-grams first, then character n-grams (each in reading order). */
export function tfidfGrams(text: string, charMax: number): SpannedGram[] {
  const out: SpannedGram[] = []
  // Uni-grams, then bi-grams, as scikit-learn lists them.
  const words = [...text.matchAll(WORD)].map((m) => ({
    tok: norm(m[0]),
    start: m.index ?? 0,
    end: (m.index ?? 0) + m[0].length,
  }))
  for (const w of words) out.push({ gram: `w:${w.tok}`, start: w.start, end: w.end, char: false })
  for (let i = 1; i < words.length; i++) {
    const [a, b] = [words[i - 1], words[i]]
    out.push({ gram: `b:${a.tok} ${b.tok}`, start: a.start, end: b.end, char: false })
  }
  const pad = (at: number): Point => ({ at, end: at, text: ' ' })
  if (mostlyCjk(text)) {
    // 'char': the whole text, each run of two or more whitespace characters read as one space.
    const points: Point[] = []
    for (const p of codePoints(text, 0)) {
      const space = /^\s$/u.test(p.text)
      const last = points[points.length - 1]
      if (space && last && /^\s$/u.test(last.text) && last.end === p.at) {
        points[points.length - 1] = { at: last.at, end: p.end, text: ' ' }
      } else points.push(p)
    }
    charGrams(points, charMax, false, out)
  } else {
    for (const m of text.matchAll(/\S+/gu)) {
      const start = m.index ?? 0
      const end = start + m[0].length
      charGrams([pad(start), ...codePoints(m[0], start), pad(end)], charMax, true, out)
    }
  }
  return out
}

/** What an explanation shows: words, single CJK characters and runs of punctuation, in order. */
export const EXPLANATION_UNIT = new RegExp(
  `[${CJK_SCRIPTS}]|(?:(?![${CJK_SCRIPTS}])[\\p{L}\\p{N}\\p{M}_])+|[^\\s\\p{L}\\p{N}\\p{M}_]+`,
  'gu',
)

export interface UnitSpan {
  token: string
  start: number
  end: number
}

/**
 * Each n-gram's weight split equally over the units it overlaps; one of whitespace only goes to
 * the unit before it (else after). Every n-gram's share sums to 1, so unit scores add up to the
 * n-gram scores.
 */
export function gramUnitShares(
  text: string,
  grams: SpannedGram[],
): { units: UnitSpan[]; shares: { unit: number; weight: number }[][] } {
  const units = [...text.matchAll(EXPLANATION_UNIT)].map((m) => ({
    token: m[0],
    start: m.index ?? 0,
    end: (m.index ?? 0) + m[0].length,
  }))
  const shares = grams.map((g) => {
    const over: number[] = []
    for (let u = 0; u < units.length; u++) {
      if (units[u].start < g.end && g.start < units[u].end) over.push(u)
    }
    if (over.length === 0 && units.length > 0) {
      let before = 0
      for (let u = 0; u < units.length && units[u].end <= g.start; u++) before = u
      over.push(before)
    }
    return over.map((unit) => ({ unit, weight: 1 / over.length }))
  })
  return { units, shares }
}
