// The annotation settings form as the clinician types it (names separated by commas, overlap in
// percent) and its translation to the contract's patch (overlap as a share 0–1), with the checks
// the form shows before anything is sent.
import type { AnnotationSettingsDto, CallArgs } from '../../../preload/contract'

export type SettingsPatch = Omit<CallArgs<'annotation/setSettings'>, 'projectId'>

export interface SettingsForm {
  team: string
  /** Percent of texts, 0–100, as typed. */
  overlapPercent: number | string
  overlapAnnotators: number | string
  blind: boolean
  tiePolicy: AnnotationSettingsDto['tiePolicy']
  tieAnnotator: string
}

/** Why the form cannot be saved, as an i18n key under `annotators.`. */
export type FormProblem = 'overlapInvalid' | 'overlapAnnotatorsInvalid' | 'tieAnnotatorMissing'

/**
 * Names from the team field: commas of either script (, ， 、) and semicolons separate; blanks and
 * repeats are dropped, the first spelling kept, so "Dr Li, dr li" stays two names (case matters
 * in recorded labels).
 */
export function parseTeam(input: string): string[] {
  const names: string[] = []
  for (const part of input.split(/[,，、;；\n]/)) {
    const name = part.trim().replace(/\s+/g, ' ')
    if (name !== '' && !names.includes(name)) names.push(name)
  }
  return names
}

export function formFromSettings(s: AnnotationSettingsDto): SettingsForm {
  return {
    team: s.team.join(', '),
    // Shown to one decimal at most: 0.2 → 20, not 20.000000000000004.
    overlapPercent: Math.round(s.overlap * 1000) / 10,
    overlapAnnotators: s.overlapAnnotators,
    blind: s.blind,
    tiePolicy: s.tiePolicy,
    tieAnnotator: s.tieAnnotator ?? '',
  }
}

/** The patch to send, or the first problem the clinician must fix. */
export function settingsPatch(
  form: SettingsForm,
): { patch: SettingsPatch; problem: null } | { patch: null; problem: FormProblem } {
  const team = parseTeam(form.team)
  const percent = Number(form.overlapPercent)
  if (String(form.overlapPercent).trim() === '' || !Number.isFinite(percent)) {
    return { patch: null, problem: 'overlapInvalid' }
  }
  if (percent < 0 || percent > 100) return { patch: null, problem: 'overlapInvalid' }
  const perText = Number(form.overlapAnnotators)
  // Without a team or without overlap the count is not used (main checks it only then too).
  const limit = team.length > 0 && percent > 0 ? team.length : 50
  if (!Number.isInteger(perText) || perText < 2 || perText > limit) {
    return { patch: null, problem: 'overlapAnnotatorsInvalid' }
  }
  const tieAnnotator = form.tieAnnotator.trim()
  if (form.tiePolicy === 'annotator' && tieAnnotator === '') {
    return { patch: null, problem: 'tieAnnotatorMissing' }
  }
  return {
    patch: {
      team,
      overlap: Math.round(percent * 10) / 1000,
      overlapAnnotators: perText,
      blind: form.blind,
      tiePolicy: form.tiePolicy,
      tieAnnotator: form.tiePolicy === 'annotator' ? tieAnnotator : null,
    },
    problem: null,
  }
}

/** A progress bar's width in percent (0 when nothing is assigned). */
export function donePercent(done: number, assigned: number): number {
  return assigned > 0 ? Math.min(100, Math.round((done / assigned) * 100)) : 0
}
