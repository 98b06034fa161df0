// What a study says: its progress notes after each epoch, the ensemble's verdict and why the winner
// won (English and Chinese). Pure functions of the numbers, so tests pin the exact wording.
import type { StudyEnsembleDto } from '../../preload/contract/studies'
import type { WeighedEnsemble } from './ensemble-runs'
import type { Refinement } from './study-estimate-refine'

/** A candidate with fewer epochs than this left in the budget is skipped, not started. */
export const MIN_EPOCHS = 3

/** Seconds as the study prints them: "42 s", or minutes from 90 s on ("1.5 min"). */
export function fmt(seconds: number): string {
  return seconds < 90 ? `${seconds.toFixed(0)} s` : `${(seconds / 60).toFixed(1)} min`
}

/**
 * The study's message after a fine-tune's epoch: measured against first estimated seconds per
 * epoch, what this candidate still needs at most (early stopping may end it sooner), the budget
 * left after it, and whether a next learning rate's minimum still fits.
 */
export function refinedNote(
  label: string,
  r: Refinement,
  o: {
    epochsAllowed: number
    firstEpochSeconds: number
    /** Budget seconds left now. */
    budgetLeft: number
    /** A next candidate's minimum (MIN_EPOCHS epochs at the measured speed); undefined: none. */
    nextSeconds?: number
  },
): string {
  const more = Math.max(0, r.candidateSeconds - r.spentSeconds)
  const after = Math.max(0, o.budgetLeft - more)
  const next =
    o.nextSeconds === undefined
      ? ''
      : o.nextSeconds <= after
        ? `; a next learning rate needs about ${fmt(o.nextSeconds)} for ${MIN_EPOCHS} epochs and fits`
        : `; a next learning rate needs about ${fmt(o.nextSeconds)} for ${MIN_EPOCHS} epochs, more than is left, so it will be skipped unless early stopping ends this one sooner`
  return `${label}: epoch ${r.epochs}/${o.epochsAllowed} done, ${fmt(r.epochSeconds)} per epoch measured (estimated ${fmt(o.firstEpochSeconds)}); at most ${fmt(more)} more for this candidate, ${fmt(after)} of the budget left after it${next}`
}

/** The ensemble as the study reports it: weighed on dev, and whether (and why) it won. */
export function ensembleSummary(
  e: WeighedEnsemble,
  members: [number, number],
  best: { label: string; devMacroF1: number },
  chosen: boolean,
  runId: number | null,
): StudyEnsembleDto {
  const f = (x: number) => x.toFixed(4)
  const mix = e.weight > 0 && e.weight < 1
  const note = chosen
    ? `ensemble chosen: dev macro-F1 ${f(e.devMacroF1)} at weight ${e.weight} beats ${best.label} (${f(best.devMacroF1)}) by ${f(e.devMacroF1 - best.devMacroF1)}; kept as run ${runId}`
    : mix && e.devMacroF1 === best.devMacroF1
      ? `ensemble tried, not chosen: its best dev macro-F1 ${f(e.devMacroF1)} (weight ${e.weight}) ties ${best.label}; a tie keeps the simpler single model`
      : `ensemble tried, not chosen: its best dev macro-F1 ${f(e.devMacroF1)} (weight ${e.weight}) is no better than ${best.label} alone (${f(best.devMacroF1)})`
  return {
    members,
    weight: e.weight,
    devMacroF1: e.devMacroF1,
    curve: e.curve,
    chosen,
    runId,
    note,
  }
}

/**
 * Why the study's winner won, in English and Chinese: ahead of the runner-up, tied with it, or
 * alone. A tie goes to the candidate trained first, which the search orders cheapest first
 * ('first'), or, against the ensemble, to the single model, the simpler one ('simpler').
 */
export function winnerReason(
  best: { label: string; devMacroF1: number },
  runnerUp: { label: string; devMacroF1: number } | undefined,
  candidates: number,
  tie: 'first' | 'simpler' = 'first',
): { reason: string; reasonZh: string } {
  const f = (x: number) => x.toFixed(4)
  const lead = `${best.label} had the best dev macro-F1 (${f(best.devMacroF1)})`
  const leadZh = `${best.label} 的开发集宏平均 F1 最高（${f(best.devMacroF1)}）`
  if (!runnerUp) {
    return {
      reason: `${lead}, the only candidate that finished.`,
      reasonZh: `${leadZh}，是唯一完成的候选。`,
    }
  }
  if (runnerUp.devMacroF1 === best.devMacroF1 && tie === 'simpler') {
    return {
      reason: `${lead}, tied with ${runnerUp.label}; a tie goes to the single model, the simpler one (${candidates} candidates).`,
      reasonZh: `${leadZh}，与 ${runnerUp.label} 并列；并列时选单个模型、更简单的那个（共 ${candidates} 个候选）。`,
    }
  }
  if (runnerUp.devMacroF1 === best.devMacroF1) {
    return {
      reason: `${lead}, tied with ${runnerUp.label}; a tie goes to the candidate trained first, the cheaper one (${candidates} candidates).`,
      reasonZh: `${leadZh}，与 ${runnerUp.label} 并列；并列时选先训练、成本更低的候选（共 ${candidates} 个候选）。`,
    }
  }
  return {
    reason: `${lead}, ahead of ${runnerUp.label} (${f(runnerUp.devMacroF1)}) among ${candidates} candidates.`,
    reasonZh: `${leadZh}，高于 ${runnerUp.label}（${f(runnerUp.devMacroF1)}），共 ${candidates} 个候选。`,
  }
}
