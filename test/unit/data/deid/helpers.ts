// Shared by the de-identification tests: PHI found in a text as [type, the span's text] pairs.
import { detectPhi } from '../../../../main/data/deid'
import type { DeidOptions } from '../../../../preload/contract/deid'

export function found(text: string, options?: DeidOptions): [string, string][] {
  return detectPhi(text, options).map((s) => [s.type, text.slice(s.start, s.end)])
}
