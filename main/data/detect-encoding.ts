// Finds the text encoding of an import from its first bytes: BOM, then UTF-16 zero-byte pattern,
// then UTF-8 validity, then chardet with a GB18030-versus-Big5 sanity check.
import chardet from 'chardet'
import iconv from 'iconv-lite'
import { CtsError } from '../shared'
import { BINARY_CONTROL_RATIO, UTF16_ZERO_RATIO } from './import-limits'

/**
 * Characters that are frequent in Chinese prose and clinical notes, in simplified and traditional
 * forms. Garbage from decoding with the wrong CJK codec rarely lands on them, so counting them tells
 * GB18030 from Big5 where chardet, on a short sample, guesses either.
 */
const COMMON_HANZI = new Set(
  (
    '的一是不了在人有我他这個个们們中来來上大为為和国國地到以说說时時要就出也得里裏后後自之年过過' +
    '生会會那能发發动動同作方成分都对對于於心下小多天而去可没沒无無与與日月前现現所还還用已开開' +
    '头頭痛热熱咳嗽伴患者病症状狀诊診断斷疼胸腹血压壓糖尿肺脏臟查检檢正常健康疾周週次左右部性' +
    '感冒发燒烧胃肝肾腎呕嘔吐泻瀉晕暈乏力咽喉鼻流涕痰气氣短睡眠食欲慾体體温溫度高低重轻輕' +
    '三两兩四五六七八九十个月余餘每晚夜间間加剧劇缓緩解无明显顯史既往治疗療药藥医醫院科复複诉訴'
  ).split(''),
)

/** Result of detection: the iconv-lite name to decode with. */
export interface DetectedEncoding {
  encoding: string
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true })

/** Throws CtsError('bad-input') for an override iconv-lite does not know. */
export function checkEncodingName(name: string): string {
  const normalised = name.trim().toLowerCase()
  if (!normalised || !iconv.encodingExists(normalised))
    throw new CtsError(
      'bad-input',
      `Unknown encoding "${name}". Try utf-8, gb18030, big5 or utf-16le.`,
      // Which argument: a transport names its own field (the CLI: --encoding).
      {
        issues: [
          {
            path: ['encoding'],
            message: `must be auto or an encoding such as utf-8, gb18030, big5 or utf-16le; "${name}" is not one.`,
            fromSchema: false,
          },
        ],
      },
    )
  return normalised
}

/**
 * Detects the encoding of `head` (the first bytes of the file). `complete` says whether head is the
 * whole file (so a multi-byte character cut at its end is an error, not a sampling artefact).
 * Throws CtsError('bad-input') when the bytes are not text.
 */
export function detectEncoding(head: Uint8Array, complete: boolean): DetectedEncoding {
  const bom = bomEncoding(head)
  if (bom) return { encoding: bom }
  const utf16 = utf16ByZeros(head)
  if (utf16) return { encoding: utf16 }
  if (looksBinary(head)) throw notText()
  if (isUtf8(complete ? head : trimPartialUtf8(head))) return { encoding: 'utf-8' }
  return { encoding: guessLegacy(head) }
}

export function notText(): CtsError {
  return new CtsError(
    'bad-input',
    'This file does not look like text (it may be an image, a PDF or a damaged file). ' +
      'Import a CSV, TSV, Excel (.xlsx), JSON, JSONL or TXT file.',
  )
}

function bomEncoding(b: Uint8Array): string | null {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return 'utf-8'
  if (b[0] === 0xff && b[1] === 0xfe) return 'utf-16le'
  if (b[0] === 0xfe && b[1] === 0xff) return 'utf-16be'
  return null
}

/** ASCII in UTF-16 puts a zero in every other byte: odd positions for LE, even ones for BE. */
function utf16ByZeros(b: Uint8Array): string | null {
  const pairs = Math.floor(Math.min(b.length, 8192) / 2)
  if (pairs < 2) return null
  let even = 0
  let odd = 0
  for (let i = 0; i < pairs * 2; i += 2) {
    if (b[i] === 0) even++
    if (b[i + 1] === 0) odd++
  }
  if (odd >= pairs * UTF16_ZERO_RATIO && even * 10 <= odd) return 'utf-16le'
  if (even >= pairs * UTF16_ZERO_RATIO && odd * 10 <= even) return 'utf-16be'
  return null
}

/** NUL bytes, or more than a sliver of other control bytes, do not occur in text files. */
export function looksBinary(b: Uint8Array): boolean {
  let control = 0
  for (const byte of b) {
    if (byte === 0) return true
    if (
      (byte < 0x20 &&
        byte !== 0x09 &&
        byte !== 0x0a &&
        byte !== 0x0d &&
        byte !== 0x0c &&
        byte !== 0x1b) ||
      byte === 0x7f
    )
      control++
  }
  return control > b.length * BINARY_CONTROL_RATIO
}

function isUtf8(b: Uint8Array): boolean {
  try {
    utf8Strict.decode(b)
    return true
  } catch {
    return false
  }
}

/** Drops a multi-byte UTF-8 sequence cut off by the end of the sample. */
function trimPartialUtf8(b: Uint8Array): Uint8Array {
  let i = b.length - 1
  let back = 0
  while (i >= 0 && back < 3 && (b[i] & 0xc0) === 0x80) {
    i--
    back++
  }
  if (i < 0) return b
  const lead = b[i]
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1
  return need > back + 1 ? b.subarray(0, i) : b
}

/** chardet for legacy encodings, overruled between GB18030 and Big5 by the common-hanzi count. */
function guessLegacy(head: Uint8Array): string {
  const guess = chardet.detect(head)?.toLowerCase() ?? 'utf-8'
  const gb = hanziScore(iconv.decode(Buffer.from(head), 'gb18030'))
  const big5 = hanziScore(iconv.decode(Buffer.from(head), 'big5'))
  const cjkGuess = /gb|big5|euc|shift_jis|iso-2022/.test(guess)
  if (cjkGuess || Math.max(gb, big5) >= 0.3) {
    if (gb > 0 || big5 > 0) return gb >= big5 ? 'gb18030' : 'big5'
  }
  if (guess === 'gb18030' || guess === 'gbk' || guess === 'gb2312') return 'gb18030'
  // As browsers do (WHATWG): Latin-1 files are decoded as windows-1252, its printable superset.
  if (guess === 'iso-8859-1') return 'windows-1252'
  return iconv.encodingExists(guess) ? guess : 'utf-8'
}

/** Share of non-ASCII characters that are common hanzi, less the share of clear garbage. */
function hanziScore(text: string): number {
  let nonAscii = 0
  let common = 0
  let garbage = 0
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0
    if (code < 0x80) continue
    nonAscii++
    if (COMMON_HANZI.has(ch)) common++
    else if (
      code === 0xfffd ||
      (code >= 0xe000 && code <= 0xf8ff) ||
      (code >= 0x3040 && code <= 0x30ff)
    )
      garbage++
  }
  return nonAscii === 0 ? 0 : (common - garbage) / nonAscii
}
