// Which labels accepting a suggestion gives: the likeliest one, or for multi-label projects every
// label the model rates at least even odds (the likeliest one when none is).
import type { SuggestionDto } from '../../../preload/contract'

export function suggestedLabelIds(s: SuggestionDto, multi: boolean): number[] {
  const top = s.labels[0]
  if (!top) return []
  if (!multi) return [top.labelId]
  const likely = s.labels.filter((l) => l.probability >= 0.5).map((l) => l.labelId)
  return likely.length > 0 ? likely : [top.labelId]
}

/** The key that accepts a suggestion (Enter already accepts the chosen label and moves on). */
export const ACCEPT_SUGGESTION_KEY = 'A'
