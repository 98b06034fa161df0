// Resolves overlapping candidate spans into the sorted, non-overlapping list detectPhi returns:
// a hospital's own pattern (priority >= USER_PRIORITY) wins first; then the longest span; among
// equal lengths the more specific kind (higher priority) wins.
import type { PhiSpanDto } from '../../../preload/contract/deid'
import { USER_PRIORITY, type Candidate } from './types'

export function combine(candidates: Candidate[]): PhiSpanDto[] {
  const ranked = [...candidates].sort(
    (a, b) =>
      Number(b.priority >= USER_PRIORITY) - Number(a.priority >= USER_PRIORITY) ||
      b.end - b.start - (a.end - a.start) ||
      b.priority - a.priority ||
      a.start - b.start,
  )
  const taken: Candidate[] = []
  for (const c of ranked) {
    if (taken.some((t) => c.start < t.end && t.start < c.end)) continue
    taken.push(c)
  }
  return taken
    .sort((a, b) => a.start - b.start)
    .map(({ type, start, end }) => ({ type, start, end }))
}
