// PHONE: mainland mobiles (1[3-9] + 9 digits, optional +86/0086, spaces or dashes), mainland
// landlines (0 + 2–3 digit area code + 7–8 digits, extension 转/ext), US and other international numbers.
import { matchAll, type Candidate } from './types'

const EXT = String.raw`(?:\s*(?:转|分机|ext\.?|x)\s*\d{1,5})?`
const CN_PREFIX = String.raw`(?:\(?(?:\+|00)\s?86\)?[\s-]?)`
const MOBILE = new RegExp(String.raw`(?<![\d+])${CN_PREFIX}?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)`, 'g')
const LANDLINE = new RegExp(
  String.raw`(?<![\d+])(?:\(0\d{2,3}\)\s?|0\d{2,3}[\s-]?)\d{3,4}[\s-]?\d{4}(?!\d)${EXT}`,
  'g',
)
// With the country code a landline drops its trunk 0: +86 10 8888 6666.
const CN_LANDLINE_INTL = new RegExp(
  String.raw`${CN_PREFIX}(?:\([1-9]\d{1,2}\)|[1-9]\d{1,2})[\s-]?\d{3,4}[\s-]?\d{4}(?!\d)${EXT}`,
  'g',
)
const US = new RegExp(
  String.raw`(?<![\d+\w])(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]\d{4}(?!\d)${EXT}`,
  'g',
)
// Any other +country number: 8 to 15 digits in groups.
const INTL = /(?<![\d\w])\+(?!86)[1-9]\d{0,2}(?:[\s.-]?\(?\d{1,4}\)?){2,5}(?!\d)/g

// A local number without its area code, only right after a phone cue: "电话 62751234 转 8012".
const CUED_LOCAL = new RegExp(
  String.raw`(?:电话|座机|固话|传真|联系方式|[Tt]el\.?|[Pp]hone|[Ff]ax)\s*[:：]?\s*(\d{3,4}[\s-]?\d{4}(?!\d)${EXT})`,
  'g',
)

export function findPhones(text: string): Candidate[] {
  const intl = matchAll(text, INTL, 'PHONE', 6).filter((c) => {
    const digits = text.slice(c.start, c.end).replace(/\D/g, '').length
    return digits >= 8 && digits <= 15
  })
  return [
    ...matchAll(text, MOBILE, 'PHONE', 6),
    ...matchAll(text, LANDLINE, 'PHONE', 6),
    ...matchAll(text, CN_LANDLINE_INTL, 'PHONE', 6),
    ...matchAll(text, US, 'PHONE', 6),
    ...intl,
    ...matchAll(text, CUED_LOCAL, 'PHONE', 6, 1),
  ]
}
