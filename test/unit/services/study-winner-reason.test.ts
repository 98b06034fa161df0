// The sentence a study gives for its winner: ahead of the runner-up, tied with it (the cheaper,
// earlier candidate wins a tie), or the only candidate — in English and Chinese.
import { describe, expect, it } from 'vitest'
import { winnerReason } from '../../../main/services/study-messages'

describe('winnerReason', () => {
  it('names the runner-up and its score when the winner is ahead', () => {
    expect(
      winnerReason(
        { label: 'm3e-small lr 1e-4', devMacroF1: 0.9 },
        { label: 'baseline', devMacroF1: 0.85 },
        3,
      ),
    ).toEqual({
      reason:
        'm3e-small lr 1e-4 had the best dev macro-F1 (0.9000), ahead of baseline (0.8500) among 3 candidates.',
      reasonZh:
        'm3e-small lr 1e-4 的开发集宏平均 F1 最高（0.9000），高于 baseline（0.8500），共 3 个候选。',
    })
  })

  it('says a tie went to the cheaper candidate instead of calling it ahead', () => {
    const r = winnerReason(
      { label: 'baseline', devMacroF1: 0.9373 },
      { label: 'all-MiniLM-L6-v2 lr 1e-4', devMacroF1: 0.9373 },
      3,
    )
    expect(r.reason).toBe(
      'baseline had the best dev macro-F1 (0.9373), tied with all-MiniLM-L6-v2 lr 1e-4; a tie goes to the candidate trained first, the cheaper one (3 candidates).',
    )
    expect(r.reasonZh).toBe(
      'baseline 的开发集宏平均 F1 最高（0.9373），与 all-MiniLM-L6-v2 lr 1e-4 并列；并列时选先训练、成本更低的候选（共 3 个候选）。',
    )
  })

  it('says when the winner was the only candidate that finished', () => {
    expect(winnerReason({ label: 'baseline', devMacroF1: 0.5 }, undefined, 1).reason).toBe(
      'baseline had the best dev macro-F1 (0.5000), the only candidate that finished.',
    )
  })
})
