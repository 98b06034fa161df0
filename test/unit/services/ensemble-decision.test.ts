// The study's ensemble decision from given dev probabilities: the mix is weighed at every weight,
// wins only when strictly better than the best single candidate at a weight strictly inside
// (0, 1), a tie keeps the single model; mixing matches labels by name.
import { describe, expect, it } from 'vitest'
import { mixProbabilities } from '../../../main/ml/infer/ensemble-bundle'
import { ensembleWins, mixRows, weighOnDev } from '../../../main/services/ensemble-runs'
import { ensembleSummary, winnerReason } from '../../../main/services/study-messages'

const WEIGHTS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]
const yTrue = [0, 1, 0, 1, 0, 1]
// The baseline is right on the first half only (sure there); the fine-tuned model on the second
// half only: a mix with weight 0.3 … 0.5 is right everywhere.
const row = (truth: number, pTrue: number) =>
  truth === 0 ? [pTrue, 1 - pTrue] : [1 - pTrue, pTrue]
const baseline = { yTrue, probs: yTrue.map((t, i) => row(t, i < 3 ? 0.8 : 0.38)) }
const tuned = { yTrue, probs: yTrue.map((t, i) => row(t, i < 3 ? 0.3 : 0.85)) }

describe('ensemble decision on dev', () => {
  it('finds the first weight with the best dev macro-F1 and beats both members', () => {
    const e = weighOnDev(baseline, tuned, 2, WEIGHTS)
    expect(e.curve.map((p) => p.weight)).toEqual(WEIGHTS)
    expect(e.weight).toBe(0.3)
    expect(e.devMacroF1).toBe(1)
    expect(e.curve.filter((p) => p.devMacroF1 === 1).map((p) => p.weight)).toEqual([0.3, 0.4, 0.5])
    const single = Math.max(e.curve[0].devMacroF1, e.curve[10].devMacroF1)
    expect(single).toBeLessThan(1)
    expect(ensembleWins(e, single)).toBe(true)
  })

  it('keeps the single model on a tie, and never calls a member alone an ensemble', () => {
    const e = weighOnDev(baseline, tuned, 2, WEIGHTS)
    expect(ensembleWins(e, 1)).toBe(false)
    expect(ensembleWins({ ...e, weight: 0, devMacroF1: 1 }, 0.9)).toBe(false)
    expect(ensembleWins({ ...e, weight: 1, devMacroF1: 1 }, 0.9)).toBe(false)
    const s = ensembleSummary(e, [1, 2], { label: 'baseline', devMacroF1: 1 }, false, null)
    expect(s).toMatchObject({ chosen: false, runId: null, weight: 0.3, members: [1, 2] })
    expect(s.note).toBe(
      'ensemble tried, not chosen: its best dev macro-F1 1.0000 (weight 0.3) ties baseline; a tie keeps the simpler single model',
    )
    const r = winnerReason(
      { label: 'baseline', devMacroF1: 1 },
      { label: 'ensemble (baseline + tiny lr 1e-4)', devMacroF1: 1 },
      3,
      'simpler',
    )
    expect(r.reason).toBe(
      'baseline had the best dev macro-F1 (1.0000), tied with ensemble (baseline + tiny lr 1e-4); a tie goes to the single model, the simpler one (3 candidates).',
    )
    expect(r.reasonZh).toBe(
      'baseline 的开发集宏平均 F1 最高（1.0000），与 ensemble (baseline + tiny lr 1e-4) 并列；并列时选单个模型、更简单的那个（共 3 个候选）。',
    )
  })

  it('says why it won when chosen', () => {
    const e = weighOnDev(baseline, tuned, 2, WEIGHTS)
    const s = ensembleSummary(e, [1, 2], { label: 'tiny lr 1e-4', devMacroF1: 0.5 }, true, 9)
    expect(s.note).toBe(
      'ensemble chosen: dev macro-F1 1.0000 at weight 0.3 beats tiny lr 1e-4 (0.5000) by 0.5000; kept as run 9',
    )
  })

  it('mixes (1 − w) × baseline + w × fine-tuned, matching labels by name', () => {
    expect(mixRows([[0.8, 0.2]], [[0.3, 0.7]], 0.3)[0].map((p) => Number(p.toFixed(6)))).toEqual([
      0.65, 0.35,
    ])
    // The second member lists the labels the other way round.
    const mixed = mixProbabilities(
      [
        [0.8, 0.2],
        [0.7, 0.3],
      ],
      [0.7, 0.3],
      [
        [0, 1],
        [1, 0],
      ],
      2,
    )
    expect(Array.from(mixed).map((p) => Number(p.toFixed(6)))).toEqual([0.65, 0.35])
  })
})
