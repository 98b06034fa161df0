// The recogniser list: one finder per kind of PHI, each in its own file beside this one.
import type { DeidOptions } from '../../../preload/contract/deid'
import { findUsAddresses } from './address-us'
import { findChineseAddresses } from './address-zh'
import { findAges } from './ages'
import { findDates } from './dates'
import { findIdNumbers } from './id-number'
import { findEnglishNames } from './names-en'
import { findChineseNames } from './names-zh'
import { findPhones } from './phone'
import { findRecordNumbers } from './record-numbers'
import type { Candidate } from './types'
import { findWeb } from './web'

/** Every candidate span any recogniser proposes (overlaps included; combine() resolves them). */
export function findCandidates(text: string, options: DeidOptions): Candidate[] {
  return [
    ...findEnglishNames(text),
    ...findChineseNames(text),
    ...findPhones(text),
    ...findIdNumbers(text),
    ...findRecordNumbers(text, options),
    ...findWeb(text),
    ...findDates(text),
    ...findAges(text),
    ...findChineseAddresses(text),
    ...findUsAddresses(text),
  ]
}
