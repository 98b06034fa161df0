// De-identification engine (issue #15 point 3): finds PHI in English and Chinese clinical text and
// masks each span with its type tag. Masking: every span becomes "[TYPE]" (e.g. "[PHONE]"); with
// options.keepYear a DATE span that writes a year becomes "[DATE] 2023" (tag, one space, the year
// in Arabic digits, also for 二〇二三年); a DATE without a four-digit year ("5月17日", "03/14/24")
// stays "[DATE]".
import type { DeidOptions, PhiSpanDto } from '../../../preload/contract/deid'
import { combine } from './combine'
import { maskText } from './mask'
import { checkDeidOptions } from './options'
import { findCandidates } from './recognisers'

export { maskText } from './mask'
export { checkDeidOptions } from './options'
export { cnIdCheckDigitOk } from './id-number'

/** PHI spans in `text`: sorted by start, non-overlapping (the longest, then most specific, wins). */
export function detectPhi(text: string, options: DeidOptions = {}): PhiSpanDto[] {
  checkDeidOptions(options)
  const wanted = options.types ? new Set(options.types) : undefined
  // Unwanted kinds are dropped before overlaps are resolved, so they never hide a wanted span.
  const candidates = findCandidates(text, options).filter((c) => !wanted || wanted.has(c.type))
  return combine(candidates)
}

/** detectPhi then maskText: the masked text and the spans (offsets into the original text). */
export function deidentify(
  text: string,
  options: DeidOptions = {},
): { text: string; spans: PhiSpanDto[] } {
  const spans = detectPhi(text, options)
  return { text: maskText(text, spans, options), spans }
}
