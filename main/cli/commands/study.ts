// `cts study show ID [--json]`: an auto-recipe study's candidates, their dev scores and time taken,
// the ensemble tried and why the winner won (studies are started by `cts train --recipe auto`).
import { Command } from 'commander'
import type { StudyDto } from '../../../preload/contract/studies'
import { withContext, type FlagMap } from '../context'
import { numberFlag } from '../flags'
import type { CliCommand } from './command'

/** The study id is the positional <id>; a bad one is reported as such. */
const STUDY_ID: FlagMap = { studyId: '<id>' }

/** Plain-text lines of a study (what `cts study show` prints without --json). */
export function studyLines(s: StudyDto): string[] {
  const lines = [
    `Study ${s.id}: ${s.status}, ${(s.elapsedSeconds / 60).toFixed(1)} of ${(s.budgetSeconds / 60).toFixed(1)} min budget`,
  ]
  for (const c of s.candidates) {
    const dev = c.devMacroF1 === null ? '—' : c.devMacroF1.toFixed(4)
    const time = c.seconds !== null ? `${c.seconds.toFixed(0)} s` : '—'
    const mark = c.runId !== null && c.runId === s.winnerRunId ? '*' : ' '
    const run = c.runId !== null ? `run ${c.runId}` : 'no run'
    lines.push(
      `${mark} ${c.label} (${run}): ${c.status}, dev macro-F1 ${dev}, ${c.epochsTrained}/${c.epochsAllowed} epochs, ${time} (estimate ${c.estimateSeconds.toFixed(0)} s${c.refinedSeconds !== undefined ? `, refined ${c.refinedSeconds.toFixed(0)} s` : ''})${c.note ? `; ${c.note}` : ''}`,
    )
  }
  if (s.ensemble) lines.push(`  ${s.ensemble.note}`)
  if (s.reason) lines.push(`Winner: ${s.reason}`)
  if (s.testScoredBy !== null) lines.push(`Test scored once, by run ${s.testScoredBy} only.`)
  if (s.error) lines.push(`Error: ${s.error.message}`)
  return lines
}

export const studyCommand: CliCommand = {
  name: 'study',
  register(program) {
    const study = new Command('study').description(
      'auto-recipe studies (cts train --recipe auto): candidates, dev scores, the winner',
    )
    study
      .command('show <id>')
      .description("a study's candidates, their dev macro-F1, time taken and why the winner won")
      .option('--json', 'print the study as one JSON object')
      .action(
        withContext(async (ctx, id: string, opts: { json?: boolean }) => {
          const s = await ctx.call('studies/get', { studyId: numberFlag(id)! }, STUDY_ID)
          if (opts.json) return ctx.printJson(s)
          studyLines(s).forEach((l) => ctx.print(l))
        }),
      )
    study
      .command('resume <id>')
      .description(
        'continue a stopped study: finished candidates are reused, the rest runs in the budget left',
      )
      .option('--json', 'print the study as one JSON object')
      .action(
        withContext(async (ctx, id: string, opts: { json?: boolean }) => {
          const { studyId } = await ctx.call(
            'studies/resume',
            { studyId: numberFlag(id)! },
            STUDY_ID,
          )
          // Ctrl-C stops the study (finished candidates are kept); shutdown stops the jobs.
          ctx.onInterrupt(() => ctx.call('studies/cancel', { studyId }))
          const s = await ctx.ended(() => ctx.call('studies/get', { studyId }))
          if (opts.json) return ctx.printJson(s)
          studyLines(s).forEach((l) => ctx.print(l))
        }),
      )
    program.addCommand(study)
  },
}
