// Replaces each found span by its type tag ("[PHONE]"); with keepYear a DATE keeps its year as
// "[DATE] 2023" (the year in Arabic digits, also for 二〇二三年); a date without a four-digit year
// ("5月17日", "03/14/24") stays "[DATE]".
import type { DeidOptions, PhiSpanDto } from '../../../preload/contract/deid'

const ZH_DIGITS: Record<string, string> = {
  〇: '0',
  零: '0',
  一: '1',
  二: '2',
  三: '3',
  四: '4',
  五: '5',
  六: '6',
  七: '7',
  八: '8',
  九: '9',
}

/** The four-digit year written in a date span, or undefined when it has none. */
export function yearOf(dateText: string): string | undefined {
  const arabic = /(?<!\d)(1[89]\d\d|20\d\d)(?!\d)/.exec(dateText)
  if (arabic) return arabic[1]
  const zh = /([〇零一二三四五六七八九]{4})年/.exec(dateText)
  if (zh) return [...zh[1]].map((c) => ZH_DIGITS[c]).join('')
  return undefined
}

export function maskText(text: string, spans: PhiSpanDto[], options: DeidOptions = {}): string {
  const sorted = [...spans].sort((a, b) => a.start - b.start)
  let out = ''
  let at = 0
  for (const s of sorted) {
    if (s.start < at) continue // overlapping input: the earlier span already covers it
    out += text.slice(at, s.start)
    let tag = `[${s.type}]`
    if (s.type === 'DATE' && options.keepYear) {
      const year = yearOf(text.slice(s.start, s.end))
      if (year) tag += ` ${year}`
    }
    out += tag
    at = s.end
  }
  return out + text.slice(at)
}
