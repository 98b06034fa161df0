// The gold label of a text from its annotators' rows (issue #12): every branch of resolveLabels,
// with one annotator giving exactly the labels a text had before several annotators existed.
import { describe, expect, it } from 'vitest'
import {
  emptyResolutionCounts,
  resolveLabels,
  type ResolutionPolicy,
} from '../../../main/store/label-resolution'

const single: ResolutionPolicy = { kind: 'multiclass', tiePolicy: 'exclude', tieAnnotator: null }
const binary: ResolutionPolicy = { kind: 'binary', tiePolicy: 'exclude', tieAnnotator: null }
const multi: ResolutionPolicy = { kind: 'multilabel', tiePolicy: 'exclude', tieAnnotator: null }
const row = (annotator: string, ...labelIds: number[]) => ({ annotator, labelIds })

describe('resolveLabels', () => {
  it('an adjudication wins over every row, even agreeing annotators (labels sorted)', () => {
    expect(resolveLabels([row('李医生', 1), row('Dr Smith', 1)], [3, 2], multi)).toEqual({
      labelIds: [2, 3],
      how: 'adjudicated',
    })
    expect(resolveLabels([row('a', 1)], [], single)).toEqual({ labelIds: [], how: 'adjudicated' })
    expect(resolveLabels([], [2], single)).toEqual({ labelIds: [2], how: 'adjudicated' })
  })

  it('no rows at all: none', () => {
    expect(resolveLabels([], null, single)).toEqual({ labelIds: [], how: 'none' })
  })

  it('only the reference row: its labels; an empty reference row: none', () => {
    expect(resolveLabels([row('', 2, 1)], null, multi)).toEqual({
      labelIds: [1, 2],
      how: 'reference',
    })
    expect(resolveLabels([row('')], null, multi)).toEqual({ labelIds: [], how: 'none' })
  })

  it('ignores the reference row when a named row exists, even a cleared one', () => {
    expect(resolveLabels([row('', 1), row('李医生', 2)], null, single)).toEqual({
      labelIds: [2],
      how: 'single',
    })
    // The one annotator took the imported label off: the text is unlabelled, as it was before.
    expect(resolveLabels([row('', 1), row('李医生')], null, single)).toEqual({
      labelIds: [],
      how: 'none',
    })
  })

  it('one voter: theirs; cleared rows do not vote', () => {
    expect(resolveLabels([row('a', 2)], null, single)).toEqual({ labelIds: [2], how: 'single' })
    expect(resolveLabels([row('a', 2), row('b'), row('c')], null, single)).toEqual({
      labelIds: [2],
      how: 'single',
    })
    expect(resolveLabels([row('a'), row('b')], null, single)).toEqual({ labelIds: [], how: 'none' })
  })

  it('all voters equal: agreed (multi-label sets compared whole, in any order)', () => {
    expect(resolveLabels([row('a', 1), row('b', 1), row('c')], null, binary)).toEqual({
      labelIds: [1],
      how: 'agreed',
    })
    expect(resolveLabels([row('a', 3, 1), row('b', 1, 3)], null, multi)).toEqual({
      labelIds: [1, 3],
      how: 'agreed',
    })
  })

  it('single-label: a label with strictly more votes than every other is the majority', () => {
    expect(resolveLabels([row('a', 1), row('b', 2), row('c', 1)], null, single)).toEqual({
      labelIds: [1],
      how: 'majority',
    })
    expect(
      resolveLabels([row('a', 3), row('b', 2), row('c', 3), row('d', 1)], null, single),
    ).toEqual({ labelIds: [3], how: 'majority' })
  })

  it('single-label tie: excluded under "exclude"', () => {
    expect(resolveLabels([row('a', 1), row('b', 2)], null, binary)).toEqual({
      labelIds: [],
      how: 'excluded',
    })
    expect(
      resolveLabels(
        [row('a', 1), row('b', 2), row('c', 1), row('d', 2), row('e', 3)],
        null,
        single,
      ),
    ).toEqual({ labelIds: [], how: 'excluded' })
  })

  it('tie under "annotator": that annotator’s labels when they voted, else excluded', () => {
    const policy: ResolutionPolicy = { ...single, tiePolicy: 'annotator', tieAnnotator: 'b' }
    expect(resolveLabels([row('a', 1), row('b', 2)], null, policy)).toEqual({
      labelIds: [2],
      how: 'tie-annotator',
    })
    // b cleared their label: no vote, so no tie-break from b.
    expect(resolveLabels([row('a', 1), row('b'), row('c', 2)], null, policy)).toEqual({
      labelIds: [],
      how: 'excluded',
    })
    expect(resolveLabels([row('a', 1), row('c', 2)], null, policy)).toEqual({
      labelIds: [],
      how: 'excluded',
    })
    // A majority is not a tie: the tie annotator does not override it.
    expect(resolveLabels([row('a', 1), row('b', 2), row('c', 1)], null, policy)).toEqual({
      labelIds: [1],
      how: 'majority',
    })
    const noOne: ResolutionPolicy = { ...single, tiePolicy: 'annotator', tieAnnotator: null }
    expect(resolveLabels([row('a', 1), row('b', 2)], null, noOne)).toEqual({
      labelIds: [],
      how: 'excluded',
    })
  })

  it('multi-label: each label chosen by more than half the voters', () => {
    expect(resolveLabels([row('a', 1, 2), row('b', 1), row('c', 1, 3)], null, multi)).toEqual({
      labelIds: [1],
      how: 'majority',
    })
    expect(resolveLabels([row('a', 1, 2), row('b', 1, 2), row('c', 3)], null, multi)).toEqual({
      labelIds: [1, 2],
      how: 'majority',
    })
    // Three voters, three different labels: no label has a majority, and none exactly half.
    expect(resolveLabels([row('a', 1), row('b', 2), row('c', 3)], null, multi)).toEqual({
      labelIds: [],
      how: 'majority',
    })
  })

  it('multi-label: a label with exactly half the votes is a tie, even when others are clear', () => {
    // Label 1: 2 of 2 (in), label 2: 1 of 2 (half) → tie.
    expect(resolveLabels([row('a', 1, 2), row('b', 1)], null, multi)).toEqual({
      labelIds: [],
      how: 'excluded',
    })
    const policy: ResolutionPolicy = { ...multi, tiePolicy: 'annotator', tieAnnotator: 'a' }
    expect(resolveLabels([row('a', 1, 2), row('b', 1)], null, policy)).toEqual({
      labelIds: [1, 2],
      how: 'tie-annotator',
    })
    expect(
      resolveLabels([row('a', 1), row('b', 1, 2), row('c', 1, 2), row('d', 1, 3)], null, multi),
    ).toEqual({ labelIds: [], how: 'excluded' })
  })

  it('the kind decides the rule: the same half split is a tie only for multi-label', () => {
    // Three voters: 1 wins either way (multi-label: 2 of 3 for label 1, 1 of 3 for label 2).
    // Four voters, 2 / 1 / 1: single-label majority, but multi-label label 1 has exactly half.
    const rows = [row('a', 1), row('b', 1), row('c', 2)]
    expect(resolveLabels(rows, null, single)).toEqual({ labelIds: [1], how: 'majority' })
    expect(resolveLabels(rows, null, multi)).toEqual({ labelIds: [1], how: 'majority' })
    const four = [row('a', 1), row('b', 1), row('c', 2), row('d', 3)]
    expect(resolveLabels(four, null, single)).toEqual({ labelIds: [1], how: 'majority' })
    expect(resolveLabels(four, null, multi)).toEqual({ labelIds: [], how: 'excluded' })
  })

  it('empty counts carry every ResolutionHow at 0', () => {
    expect(emptyResolutionCounts()).toEqual({
      adjudicated: 0,
      agreed: 0,
      majority: 0,
      single: 0,
      'tie-annotator': 0,
      excluded: 0,
      reference: 0,
      none: 0,
    })
  })
})
