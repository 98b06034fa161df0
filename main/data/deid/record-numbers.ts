// MRN and INSURANCE: an identifier after a cue (住院号：…, MRN …, 医保卡号 …, policy no. …) — the
// span is the identifier, not the cue — plus each hospital's own patterns from DeidOptions.
import type { DeidOptions, PhiType } from '../../../preload/contract/deid'
import { compileUserPattern } from './options'
import { matchAll, USER_PRIORITY, type Candidate } from './types'

// An identifier: letters/digits/dashes with at least one digit, optionally after an upper-case
// word ("BCBS 8877 6655"); space-separated groups of 2+ characters starting with a digit continue it.
const ID = String.raw`((?:[A-Z]{2,6} )?(?=[A-Za-z0-9-]*\d)[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9](?: \d[A-Za-z0-9-]+)*)`
const SEP = String.raw`\s*(?:[:：#]|is|=)?\s*`

const MRN_CUES = [
  '病历号',
  '病案号',
  '住院号',
  '入院号',
  '档案号',
  '门诊号',
  '就诊号',
  '就诊卡号',
  '登记号',
  '住院病历号',
  'ID号',
  String.raw`MRN\s*#?`,
  String.raw`MR\s*#`,
  String.raw`MR\s+[Nn]o\.?`,
  String.raw`[Aa]ccount\s+(?:[Nn]o\.?|[Nn]umber|#)`,
  String.raw`Acct\.?\s*(?:#|[Nn]o\.?)?`,
  String.raw`[Mm]edical\s+[Rr]ecord\s+(?:[Nn]o\.?|[Nn]umber|#)`,
  String.raw`[Hh]ospital\s+(?:[Nn]o\.?|[Nn]umber|#)`,
  String.raw`[Cc]hart\s+(?:[Nn]o\.?|[Nn]umber|#)`,
  String.raw`[Pp]atient\s+ID`,
]
const INSURANCE_CUES = [
  '医保卡号',
  '医保号',
  '医保账号',
  '医保编号',
  '社保卡号',
  '社保号',
  '社会保障卡号',
  '医疗保险号',
  '医疗保险卡号',
  '新农合(?:卡)?号',
  '商业保险(?:单)?号',
  '保单号',
  String.raw`[Ii]nsurance\s+(?:[Nn]o\.?|[Nn]umber|ID|#)`,
  String.raw`[Pp]olicy\s+(?:[Nn]o\.?|[Nn]umber|#)`,
  String.raw`[Mm]ember\s+ID`,
  String.raw`[Ss]ubscriber\s+ID`,
  String.raw`[Gg]roup\s+(?:[Nn]o\.?|[Nn]umber)`,
  String.raw`Medicare\s+(?:[Nn]o\.?|[Nn]umber|ID)`,
  String.raw`Medicaid\s+(?:[Nn]o\.?|[Nn]umber|ID)`,
]

const cued = (cues: string[]): RegExp =>
  new RegExp(String.raw`(?:${cues.join('|')})${SEP}${ID}(?![A-Za-z0-9])`, 'g')
const MRN_RE = cued(MRN_CUES)
const INSURANCE_RE = cued(INSURANCE_CUES)

/** A user pattern's matches: the first capture group when it has one, else the whole match. */
function userMatches(text: string, source: string, type: PhiType): Candidate[] {
  const re = compileUserPattern(source)
  // "source|" always matches the empty text; its result has one slot per capture group.
  const hasGroup = compileUserPattern(`${source}|`).exec('')!.length > 1
  // User patterns are the hospital's own knowledge: they outrank the built-in kinds.
  return matchAll(text, re, type, USER_PRIORITY, hasGroup ? 1 : 0)
}

export function findRecordNumbers(text: string, options: DeidOptions): Candidate[] {
  return [
    ...matchAll(text, MRN_RE, 'MRN', 8, 1),
    ...matchAll(text, INSURANCE_RE, 'INSURANCE', 8, 1),
    ...(options.mrnPatterns ?? []).flatMap((p) => userMatches(text, p, 'MRN')),
    ...(options.insurancePatterns ?? []).flatMap((p) => userMatches(text, p, 'INSURANCE')),
  ]
}
