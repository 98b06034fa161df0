// Picks the delimiter of a CSV/TSV file among , ; tab | by counting fields per record in the first
// records, with quotes respected (a quoted delimiter or newline does not count).
import { DELIMITER_SNIFF_RECORDS } from './import-limits'

export const DELIMITERS = [',', ';', '\t', '|'] as const
export type Delimiter = (typeof DELIMITERS)[number]

/**
 * The delimiter whose field count is most consistent with the header's over the first records.
 * `sample` is decoded text from the start of the file; `fallback` wins when no candidate splits
 * the header into two or more fields (a one-column file), or null without a fallback.
 */
export function sniffDelimiter(sample: string, complete: boolean, fallback: Delimiter): Delimiter
export function sniffDelimiter(sample: string, complete: boolean, fallback: null): Delimiter | null
export function sniffDelimiter(
  sample: string,
  complete: boolean,
  fallback: Delimiter | null,
): Delimiter | null {
  let best: { delimiter: Delimiter; agree: number; width: number } | null = null
  for (const delimiter of DELIMITERS) {
    const counts = fieldCounts(sample, delimiter, complete)
    const width = counts[0] ?? 0
    if (width < 2) continue
    const agree = counts.filter((n) => n === width).length / counts.length
    const better =
      !best ||
      agree > best.agree + 1e-9 ||
      (Math.abs(agree - best.agree) < 1e-9 &&
        (width > best.width || (width === best.width && delimiter === fallback)))
    if (better) best = { delimiter, agree, width }
  }
  return best?.delimiter ?? fallback
}

/** Fields per record for the first records; the last record is dropped when the sample was cut. */
function fieldCounts(sample: string, delimiter: string, complete: boolean): number[] {
  const counts: number[] = []
  let fields = 1
  let inQuotes = false
  let atFieldStart = true
  let nonEmpty = false
  for (let i = 0; i < sample.length && counts.length < DELIMITER_SNIFF_RECORDS; i++) {
    const ch = sample[i]
    if (inQuotes) {
      if (ch === '"') {
        if (sample[i + 1] === '"') i++
        else inQuotes = false
      }
      continue
    }
    if (ch === '"' && atFieldStart) {
      inQuotes = true
      atFieldStart = false
      nonEmpty = true
    } else if (ch === delimiter) {
      fields++
      atFieldStart = true
      nonEmpty = true
    } else if (ch === '\n') {
      if (nonEmpty) counts.push(fields)
      fields = 1
      atFieldStart = true
      nonEmpty = false
    } else if (ch !== '\r') {
      atFieldStart = false
      nonEmpty = true
    }
  }
  if (nonEmpty && complete && counts.length < DELIMITER_SNIFF_RECORDS) counts.push(fields)
  return counts
}
