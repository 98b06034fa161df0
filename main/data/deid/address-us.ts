// ADDRESS (US): house number + street name + suffix (St, Ave, Rd, Blvd, Lane, Dr …), optional
// direction and unit, optional ", City, ST 12345"; and P.O. boxes.
import { matchAll, type Candidate } from './types'

const SUFFIX =
  '(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|' +
  'Parkway|Pkwy|Circle|Cir|Highway|Hwy|Square|Sq|Trail|Trl|Plaza|Alley|Row|Loop|Pike|Crescent|Walk|Path)\\.?'
const STREET_WORD = '(?:[A-Z][a-z]+|\\d+(?:st|nd|rd|th))'
const UNIT = '(?:,?\\s+(?:Apt|Apartment|Suite|Ste|Unit|Room|Rm|Floor|Fl|#)\\.?\\s*#?[A-Za-z0-9-]+)'
const CITY_STATE =
  '(?:,\\s*[A-Z][a-z]+(?:\\s[A-Z][a-z]+){0,2},\\s*[A-Z]{2}(?:\\s+\\d{5}(?:-\\d{4})?)?)'
const STREET = new RegExp(
  `(?<![\\w.,])\\d{1,6}(?:\\s+(?:[NSEW]|North|South|East|West)\\.?)?(?:\\s+${STREET_WORD}){1,4}\\s+${SUFFIX}` +
    `(?:\\s+(?:NW|NE|SW|SE|N|S|E|W)\\b)?${UNIT}?${CITY_STATE}?(?![\\w])`,
  'g',
)
const PO_BOX =
  /\bP\.?\s?O\.?\s+Box\s+\d+(?:,\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2},\s*[A-Z]{2}(?:\s+\d{5}(?:-\d{4})?)?)?/g

export function findUsAddresses(text: string): Candidate[] {
  return [...matchAll(text, STREET, 'ADDRESS', 1), ...matchAll(text, PO_BOX, 'ADDRESS', 1)]
}
