// Confident learning, step by step on hand-computed cases (the cleanlab parity test checks the
// same functions against cleanlab itself on a larger fixture).
import { describe, expect, it } from 'vitest'
import {
  confidentGuesses,
  confidentJoint,
  confidentThresholds,
  findLabelIssues,
  roundPreservingSum,
  selfConfidence,
} from '../../../../main/ml/active/confident-learning'

describe('findLabelIssues', () => {
  it('flags a text confidently in another class, not one confident in none', () => {
    // Thresholds: class 0 mean(0.9, 0.8, 0.2) = 0.633, class 1 mean(0.9, 0.7, 0.4) = 0.667.
    // Text 2 is confidently class 1 though labelled 0; text 5 (0.6 / 0.4) passes neither.
    const labels = [0, 0, 0, 1, 1, 1]
    const probs = [
      [0.9, 0.1],
      [0.8, 0.2],
      [0.2, 0.8],
      [0.1, 0.9],
      [0.3, 0.7],
      [0.6, 0.4],
    ]
    const t = confidentThresholds(labels, probs)
    expect(t[0]).toBeCloseTo(1.9 / 3, 12)
    expect(t[1]).toBeCloseTo(2 / 3, 12)
    expect([...confidentGuesses(labels, probs)]).toEqual([0, 0, 1, 1, 1, -1])
    expect(findLabelIssues(labels, probs)).toEqual([2])
    expect(confidentJoint(labels, probs, false)).toEqual([
      [2, 1],
      [0, 2],
    ])
    // Row 1 rescaled to its 3 labels: [0, 2] → [0, 3].
    expect(confidentJoint(labels, probs)).toEqual([
      [2, 1],
      [0, 3],
    ])
  })

  it('ranks the flagged texts by self-confidence, lowest first', () => {
    // Thresholds 0.533, 0.55, 0.517: texts 2, 5 and 8 are each confidently another class.
    const labels = [0, 0, 0, 1, 1, 1, 2, 2, 2]
    const probs = [
      [0.8, 0.1, 0.1],
      [0.7, 0.2, 0.1],
      [0.1, 0.8, 0.1],
      [0.1, 0.8, 0.1],
      [0.1, 0.7, 0.2],
      [0.05, 0.15, 0.8],
      [0.1, 0.1, 0.8],
      [0.1, 0.2, 0.7],
      [0.9, 0.05, 0.05],
    ]
    expect(findLabelIssues(labels, probs)).toEqual([8, 2, 5])
    expect([...selfConfidence(labels, probs)]).toEqual([
      0.8, 0.7, 0.1, 0.8, 0.7, 0.15, 0.8, 0.7, 0.05,
    ])
  })

  it('takes the most probable class when several pass their thresholds', () => {
    // Thresholds 0.45 and 0.425. Text 1 passes both and its argmax is its label; texts 2 and 3
    // pass class 0 (alone or as the argmax) though labelled 1; text 0 passes only class 1.
    // Self-confidences 0.4, 0.45, 0.4: the tie keeps text 0 before text 3.
    const labels = [0, 0, 1, 1]
    const probs = [
      [0.4, 0.6],
      [0.5, 0.5],
      [0.55, 0.45],
      [0.6, 0.4],
    ]
    expect([...confidentGuesses(labels, probs)]).toEqual([1, 0, 0, 0])
    expect(findLabelIssues(labels, probs)).toEqual([0, 3, 2])
    expect(confidentJoint(labels, probs, false)).toEqual([
      [1, 1],
      [2, 1],
    ])
    // Row 1: [2, 1] × 2/3 = [1.33, 0.67] → [1, 1].
    expect(confidentJoint(labels, probs)).toEqual([
      [1, 1],
      [1, 1],
    ])
  })

  it('does not flag a text whose given label ties with the most probable class', () => {
    // Thresholds 0.7 and 0.5: text 1 (0.5 / 0.5) passes only class 1, but with cleanlab's 1e-6
    // head start its own label 0 is still the argmax, so it is not an issue.
    const labels = [0, 0, 1, 1]
    const probs = [
      [0.9, 0.1],
      [0.5, 0.5],
      [0.6, 0.4],
      [0.4, 0.6],
    ]
    expect([...confidentGuesses(labels, probs)]).toEqual([0, 1, -1, 1])
    expect(findLabelIssues(labels, probs)).toEqual([])
  })

  it('never counts a text into a class nobody was given (threshold 2)', () => {
    const labels = [0, 1]
    const probs = [
      [0.1, 0.1, 0.8],
      [0.1, 0.9, 0.0],
    ]
    expect([...confidentThresholds(labels, probs)]).toEqual([0.1, 0.9, 2])
    expect(findLabelIssues(labels, probs)).toEqual([])
  })

  it('returns no issues when fewer than two classes were given', () => {
    expect(
      findLabelIssues(
        [0, 0],
        [
          [0.1, 0.9],
          [0.2, 0.8],
        ],
      ),
    ).toEqual([])
    expect(findLabelIssues([], [])).toEqual([])
  })

  it('rejects labels and probabilities that do not fit together', () => {
    expect(() => findLabelIssues([0, 1], [[0.5, 0.5]])).toThrow(/2 labels but 1 probability rows/)
    expect(() =>
      findLabelIssues(
        [0, 2],
        [
          [0.5, 0.5],
          [0.5, 0.5],
        ],
      ),
    ).toThrow(/Text 2 has label index 2, outside 0…1/)
    expect(() => selfConfidence([0, 1], [[0.5, 0.5], [1]])).toThrow(
      /Text 2 has 1 probabilities, not 2/,
    )
  })
})

describe('roundPreservingSum', () => {
  it('rounds half to even, then raises the largest losses, later entry first on ties', () => {
    expect(roundPreservingSum([0.5, 0.5, 1])).toEqual([0, 1, 1])
    expect(roundPreservingSum([1.4, 1.4, 1.2])).toEqual([1, 2, 1])
  })

  it('lowers the largest gains, earlier entry first on ties', () => {
    expect(roundPreservingSum([1.6, 1.6, 1.8])).toEqual([1, 2, 2])
  })

  it('leaves integers alone', () => {
    expect(roundPreservingSum([3, 0, 2])).toEqual([3, 0, 2])
  })
})
