// ID_NUMBER: Chinese resident identity numbers (18 characters, ISO 7064 MOD 11-2 check digit,
// plausible birth date; any 15/18 digits after an explicit 身份证号 cue), passports after a cue, and
// US social security numbers (AAA-GG-SSSS, never-issued areas excluded).
import { matchAll, type Candidate } from './types'

const CN_ID =
  /(?<![\dA-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\dA-Za-z])/g
const SSN = /(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])/g
const SSN_CUED =
  /\bSSN\s*(?:#|:|no\.?)?\s*((?!000|666|9\d\d)\d{3}\s?(?!00)\d{2}\s?(?!0000)\d{4})(?!\d)/g

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK = '10X98765432'

/** True when the 18th character is the MOD 11-2 check digit of the first 17. */
export function cnIdCheckDigitOk(id: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(id)) return false
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * WEIGHTS[i]
  return CHECK[sum % 11] === id[17].toUpperCase()
}

/** A real calendar date between 1880 and today (a birth date cannot be in the future). */
function birthDateOk(id: string): boolean {
  const y = Number(id.slice(6, 10))
  const m = Number(id.slice(10, 12))
  const d = Number(id.slice(12, 14))
  const date = new Date(Date.UTC(y, m - 1, d))
  return (
    y >= 1880 &&
    date.getUTCMonth() === m - 1 &&
    date.getUTCDate() === d &&
    date.getTime() <= Date.now()
  )
}

// After an explicit cue the number is masked even when its check digit is wrong (a typo is still
// the patient's number); passports and other certificates are identity numbers too.
const CUED_ID = new RegExp(
  String.raw`(?:身份证(?:号码|号)?|公民身份号码|证件号(?:码)?|护照(?:号码|号)?|军官证号|[Pp]assport\s*(?:[Nn]o\.?|[Nn]umber|#)|[Dd]river['’]?s\s+[Ll]icen[cs]e\s*(?:[Nn]o\.?|[Nn]umber|#)?)` +
    String.raw`\s*[:：#]?\s*(\d{17}[\dXx]|\d{15}|[A-Z]{1,2}\d{7,9}|[A-Z]\d{3}-?\d{4}-?\d{4,5})(?![\dA-Za-z])`,
  'g',
)

export function findIdNumbers(text: string): Candidate[] {
  const cn = matchAll(text, CN_ID, 'ID_NUMBER', 9).filter((c) => {
    const id = text.slice(c.start, c.end)
    return cnIdCheckDigitOk(id) && birthDateOk(id)
  })
  return [
    ...cn,
    ...matchAll(text, SSN, 'ID_NUMBER', 9),
    ...matchAll(text, SSN_CUED, 'ID_NUMBER', 9, 1),
    ...matchAll(text, CUED_ID, 'ID_NUMBER', 9, 1),
  ]
}
