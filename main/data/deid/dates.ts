// DATE: ISO and slash/dot dates (2023-05-17, 2023/5/17, 17/05/2023, 05/17/2023), English month
// names (May 17, 2023 · 17 May 2023 · June 2019 · May 17), Chinese (2023年5月17日, 5月17日, 二〇二三年).
import { matchAll, type Candidate } from './types'

const MONTH = String.raw`(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?`
const MONTH_ABBR = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec'
const DAY = String.raw`(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?`
const YEAR = String.raw`(?:18|19|20)\d\d`
const M = String.raw`(?:0?[1-9]|1[0-2])`
const D = String.raw`(?:0?[1-9]|[12]\d|3[01])`
const ZH_NUM = '〇零一二三四五六七八九'
const ZH_SMALL = '[一二三四五六七八九十]{1,3}'

const PATTERNS: RegExp[] = [
  // 2023-05-17, 2023/5/17, 2023.5.17 (one separator kind per date)
  new RegExp(
    String.raw`(?<![\d.])${YEAR}(?:-${M}-${D}|/${M}/${D}|\.${M}\.${D})(?![\d.]\d|\d)`,
    'g',
  ),
  // 17/05/2023, 05/17/2023, 17.05.2023, 17-05-2023, 5/17/23
  new RegExp(
    String.raw`(?<![\d./-])(?:\d{1,2}/\d{1,2}/(?:${YEAR}|\d\d)|\d{1,2}\.\d{1,2}\.${YEAR}|\d{1,2}-\d{1,2}-${YEAR})(?![\d/.-]\d|\d)`,
    'g',
  ),
  // May 17, 2023 · May 17 2023 · May 17 · May 2023
  new RegExp(String.raw`\b${MONTH}\s+(?:${DAY}(?:,?\s+${YEAR})?|${YEAR})(?!\d)`, 'g'),
  // 17 May 2023 · 17th of May, 2023 · 17 May
  new RegExp(String.raw`\b${DAY}\s+(?:of\s+)?${MONTH}(?:,?\s+${YEAR})?(?![\w])`, 'g'),
  // 7-Mar-2024 · 07-MAR-24 (lab and pharmacy systems)
  new RegExp(
    String.raw`(?<![\w-])(?:0?[1-9]|[12]\d|3[01])-(?:${MONTH_ABBR})-(?:${YEAR}|\d\d)(?![\w-])`,
    'gi',
  ),
  // 2023年5月17日 · 2023年5月 · 2023年 · 二〇二三年五月十七日
  new RegExp(
    String.raw`(?:(?<!\d)${YEAR}|[${ZH_NUM}]{4})年(?:(?:\d{1,2}|${ZH_SMALL})月(?:(?:\d{1,2}|${ZH_SMALL})[日号])?)?(?<!年(?=版))`,
    'g',
  ),
  // 5月17日 · 五月十七日
  new RegExp(
    String.raw`(?<![\d年])(?:${M}|[一二三四五六七八九十]{1,2})月(?:${D}|${ZH_SMALL})[日号]`,
    'g',
  ),
]

/** Rejects slash dates that are no date in either order (13/13/2023) and times-like fractions. */
function plausible(s: string): boolean {
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}$/.exec(s)
  if (!m) return true
  const a = Number(m[1])
  const b = Number(m[2])
  return a >= 1 && b >= 1 && ((a <= 12 && b <= 31) || (b <= 12 && a <= 31))
}

export function findDates(text: string): Candidate[] {
  return PATTERNS.flatMap((re) => matchAll(text, re, 'DATE', 5)).filter((c) =>
    plausible(text.slice(c.start, c.end)),
  )
}
