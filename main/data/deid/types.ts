// Internal vocabulary of the de-identification engine: a candidate span a recogniser proposes
// before the combiner resolves overlaps (see combine.ts).
import type { PhiType } from '../../../preload/contract/deid'

/** A proposed PHI span; `priority` breaks ties between overlapping spans of equal length. */
export interface Candidate {
  type: PhiType
  start: number
  end: number
  priority: number
}

/** Candidates from the hospital's own MRN/insurance patterns carry this priority and win overlaps. */
export const USER_PRIORITY = 100

/** One recogniser per kind: text in, candidates out (any order, overlaps allowed). */
export type Recogniser = (text: string) => Candidate[]

const indexed = new WeakMap<RegExp, RegExp>()

/** The same pattern with the g and d (match indices) flags, compiled once per pattern. */
function withIndices(re: RegExp): RegExp {
  let g = indexed.get(re)
  if (!g) {
    const flags = re.flags.includes('g') ? re.flags : re.flags + 'g'
    g = new RegExp(re.source, flags.includes('d') ? flags : flags + 'd')
    indexed.set(re, g)
  }
  return g
}

/** Every match of a global regex as a candidate; `group` picks a capture group as the span. */
export function matchAll(
  text: string,
  re: RegExp,
  type: PhiType,
  priority: number,
  group = 0,
): Candidate[] {
  const out: Candidate[] = []
  const g = withIndices(re)
  for (const m of text.matchAll(g)) {
    const idx = m.indices?.[group]
    if (!idx || idx[1] <= idx[0]) continue
    out.push({ type, start: idx[0], end: idx[1], priority })
  }
  return out
}
