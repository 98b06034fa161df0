// The gold (training) label of a text from its annotators' rows and an adjudication (issue #12):
// pure, so the store, the agreement service and the run record all resolve the same way.
import type { TiePolicy } from '../../preload/contract/annotators'
import type { ResolutionCountsDto, ResolutionHow } from '../../preload/contract/agreement'
import type { LabelSetKind } from '../../preload/contract/projects'

export interface ResolutionPolicy {
  kind: LabelSetKind
  tiePolicy: TiePolicy
  tieAnnotator: string | null
}

export interface Resolution {
  labelIds: number[]
  how: ResolutionHow
}

export interface AnnotatorLabels {
  annotator: string
  labelIds: number[]
}

/** Every ResolutionHow with a count of 0, in the order reports list them. */
export function emptyResolutionCounts(): ResolutionCountsDto {
  return {
    adjudicated: 0,
    agreed: 0,
    majority: 0,
    single: 0,
    'tie-annotator': 0,
    excluded: 0,
    reference: 0,
    none: 0,
  }
}

function sorted(ids: readonly number[]): number[] {
  return [...new Set(ids)].sort((a, b) => a - b)
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

/**
 * 1. an adjudication wins; 2. else the named annotators (the reference annotator '' ignored):
 * rows with labels vote — none → none, one → single, all equal → agreed, else a strict majority
 * (multi-label: per label, more than half the voters), a tie going to the project's tie policy;
 * 3. else the reference labels that came with an import; 4. else none.
 */
export function resolveLabels(
  rows: readonly AnnotatorLabels[],
  adjudication: readonly number[] | null,
  policy: ResolutionPolicy,
): Resolution {
  if (adjudication) return { labelIds: sorted(adjudication), how: 'adjudicated' }
  const named = rows.filter((r) => r.annotator !== '')
  if (named.length === 0) {
    const reference = rows.find((r) => r.annotator === '')
    // An empty reference row says nothing about the text: it counts as unlabelled.
    if (reference && reference.labelIds.length > 0)
      return { labelIds: sorted(reference.labelIds), how: 'reference' }
    return { labelIds: [], how: 'none' }
  }
  // A cleared row ([]) is an annotator taking their label back, not a vote for "no label".
  const voters = named
    .filter((r) => r.labelIds.length > 0)
    .map((r) => ({ annotator: r.annotator, labelIds: sorted(r.labelIds) }))
  if (voters.length === 0) return { labelIds: [], how: 'none' }
  if (voters.length === 1) return { labelIds: voters[0].labelIds, how: 'single' }
  if (voters.every((v) => sameIds(v.labelIds, voters[0].labelIds)))
    return { labelIds: voters[0].labelIds, how: 'agreed' }

  const votes = new Map<number, number>()
  for (const v of voters) for (const id of v.labelIds) votes.set(id, (votes.get(id) ?? 0) + 1)
  const majority =
    policy.kind === 'multilabel' ? multiLabelMajority(votes, voters.length) : singleMajority(votes)
  if (majority) return { labelIds: majority, how: 'majority' }

  if (policy.tiePolicy === 'annotator' && policy.tieAnnotator !== null) {
    const chosen = voters.find((v) => v.annotator === policy.tieAnnotator)
    if (chosen) return { labelIds: chosen.labelIds, how: 'tie-annotator' }
  }
  return { labelIds: [], how: 'excluded' }
}

/** The label with strictly more votes than every other; null on a tie for the most votes. */
function singleMajority(votes: Map<number, number>): number[] | null {
  let best: number | null = null
  let bestVotes = 0
  let tied = false
  for (const [id, n] of votes) {
    if (n > bestVotes) {
      best = id
      bestVotes = n
      tied = false
    } else if (n === bestVotes) tied = true
  }
  return best === null || tied ? null : [best]
}

/** Labels chosen by more than half the voters; null when some label has exactly half. */
function multiLabelMajority(votes: Map<number, number>, voters: number): number[] | null {
  const chosen: number[] = []
  for (const [id, n] of votes) {
    if (n * 2 === voters) return null
    if (n * 2 > voters) chosen.push(id)
  }
  return chosen.sort((a, b) => a - b)
}
