// Masks texts with main/data/deid's engine while counting spans per kind: one object per import,
// export or report (its counts go to the audit log as numbers, never the text).
import {
  PHI_TYPES,
  type DeidOptions,
  type PhiSpanDto,
  type PhiType,
} from '../../preload/contract/deid'
import { checkDeidOptions, deidentify } from '../data/deid'

/** Every kind at 0. */
export function emptyDeidCounts(): Record<PhiType, number> {
  return Object.fromEntries(PHI_TYPES.map((t) => [t, 0])) as Record<PhiType, number>
}

/**
 * Validates options once (a bad pattern is the caller's clear 'bad-input' error, before any text
 * is read), then masks text after text while counting spans per kind. The counts are what the
 * 'deid.import' audit entry records: numbers only, never the text.
 */
export class DeidMasker {
  readonly counts = emptyDeidCounts()
  texts = 0
  textsWithPhi = 0

  constructor(readonly options: DeidOptions) {
    checkDeidOptions(options)
  }

  /** The masked text, counted. */
  mask(text: string): string {
    return this.maskWithSpans(text).text
  }

  /** The masked text and the spans found in `text` (offsets into it), counted. */
  maskWithSpans(text: string): { text: string; spans: PhiSpanDto[] } {
    const out = deidentify(text, this.options)
    this.texts += 1
    if (out.spans.length > 0) this.textsWithPhi += 1
    for (const s of out.spans) this.counts[s.type] += 1
    return out
  }
}
