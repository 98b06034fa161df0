// `cts study show ID [--json]`: an auto-recipe study's candidates, their dev scores and time taken,
// the ensemble tried and why the winner won (studies are started by `cts train --recipe auto`).
import { join } from 'node:path'
import { Command } from 'commander'
import { CtsError } from '../../../preload/contract'
import type { StudyDto } from '../../../preload/contract/studies'
import { ForkHost, jobEntryPath } from '../../jobs/fork-host'
import { JobService } from '../../jobs/job-service'
import { MODELS_DIR } from '../../services/models-service'
import { RunsService } from '../../services/runs-service'
import { StudyService } from '../../services/study-service'
import { TrainingService } from '../../services/training-service'
import { openWorkspace } from '../../store/workspace'
import { withContext } from '../context'
import type { CliCommand } from './command'

function parseId(id: string): number {
  const studyId = Number(id)
  if (!Number.isInteger(studyId) || studyId < 1)
    throw new CtsError('bad-input', `A study id is a whole number (got "${id}").`)
  return studyId
}

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
          const studyId = parseId(id)
          const ws = openWorkspace(ctx.home)
          try {
            const runs = new RunsService(ws.db, ws.runsDir)
            // Reading a study starts no job; the job service is only there to satisfy the types.
            const jobs = new JobService({
              host: new ForkHost({ entry: jobEntryPath() }),
              publish: () => {},
            })
            const training = new TrainingService(runs, jobs, ws.db, {
              modelsDir: join(ws.home, MODELS_DIR),
            })
            const s = new StudyService(training, runs, jobs, ws.db).get(studyId)
            if (opts.json) return ctx.printJson(s)
            studyLines(s).forEach((l) => ctx.print(l))
          } finally {
            ws.close()
          }
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
          const studyId = parseId(id)
          const ws = openWorkspace(ctx.home)
          const jobs = new JobService({
            host: new ForkHost({ entry: jobEntryPath() }),
            publish: () => {},
          })
          const stop = () => {
            studies.cancel(studyId)
            jobs.dispose()
          }
          const runs = new RunsService(ws.db, ws.runsDir)
          const training = new TrainingService(runs, jobs, ws.db, {
            modelsDir: join(ws.home, MODELS_DIR),
          })
          const studies = new StudyService(training, runs, jobs, ws.db, {
            onMessage: (sid, m) => process.stderr.write(`study ${sid}: ${m}\n`),
          })
          process.once('SIGINT', stop)
          try {
            const s = await studies.resume(studyId).done
            if (opts.json) return ctx.printJson(s)
            studyLines(s).forEach((l) => ctx.print(l))
          } finally {
            process.off('SIGINT', stop)
            ws.close()
          }
        }),
      )
    program.addCommand(study)
  },
}
