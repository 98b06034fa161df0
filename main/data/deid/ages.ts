// AGE: only ages over 89 (HIPAA safe harbour keeps 89 and below). The span is the number with its
// unit when it has one ("92-year-old", "95 years old", "95岁", "九十五岁"), else the number ("aged 95").
import { matchAll, type Candidate } from './types'

const MIN_AGE = 90
const MAX_AGE = 130

const WITH_UNIT =
  /(?<![\d.])(\d{2,3})(?:[- ](?:years?|yrs?)(?:[- ]old)?|[- ]?y\/?o\b|\s?(?:周岁|岁))/g
const CUED =
  /(?:\b(?:[Aa]ged?(?:\s+of)?|[Ee]stimated\s+age)\s*[:：]?\s*|年龄\s*[:：]?\s*)(\d{2,3})(?!\d|\.\d)/g
// 九十, 九十五, 一百, 一百零二, 一百一十 … followed by 岁/周岁
const ZH_AGE =
  /(九十[一二三四五六七八九]?|一百(?:零[一二三四五六七八九]|[一二三]十[一二三四五六七八九]?)?)(?:周岁|岁)/g

// "ninety-two-year-old", "one hundred and one years old"
const EN_UNITS = '(?:one|two|three|four|five|six|seven|eight|nine)'
const EN_WORDS = new RegExp(
  String.raw`\b(?:ninety(?:[- ]${EN_UNITS})?|(?:one|a)[- ]hundred(?:(?:[- ]and)?[- ](?:${EN_UNITS}|ten|eleven|twelve|(?:twenty|thirty)(?:[- ]${EN_UNITS})?))?)(?:[- ]years?(?:[- ]old)?|[- ]yrs?(?:[- ]old)?)\b`,
  'gi',
)

export function findAges(text: string): Candidate[] {
  const old = (c: Candidate, digits: string): boolean => {
    const n = Number(digits)
    return n >= MIN_AGE && n <= MAX_AGE && c.end > c.start
  }
  const withUnit = matchAll(text, WITH_UNIT, 'AGE', 5).filter((c) =>
    old(c, /\d+/.exec(text.slice(c.start, c.end))![0]),
  )
  const cued = matchAll(text, CUED, 'AGE', 5, 1).filter((c) => old(c, text.slice(c.start, c.end)))
  return [
    ...withUnit,
    ...cued,
    ...matchAll(text, ZH_AGE, 'AGE', 5),
    ...matchAll(text, EN_WORDS, 'AGE', 5),
  ]
}
