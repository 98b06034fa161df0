// The auto recipe's study through the real training service and job processes, with the tiny
// BERT: candidates kept as runs of the study, the winner chosen on dev and alone scored on test,
// the budget respected (a simulated clock: 10 s per BERT epoch), cancel keeping finished runs.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEV_PREDICTIONS_ARTIFACT, TEST_PREDICTIONS_ARTIFACT } from '../../../main/shared'
import { StudyService } from '../../../main/services/study-service'
import { BASELINE_EPOCHS, type StudyEstimator } from '../../../main/services/study-estimate'
import type { TrainJobInput } from '../../../main/jobs/train-job'
import {
  bertEpochClock,
  bilingualTrainingData,
  fixedEstimator,
  tinyBertWorkspace,
} from './tiny-bert-run'

const { ws, modelDir, services } = tinyBertWorkspace('cts-study-')

const clock = bertEpochClock(ws.db)
const estimator = fixedEstimator

function study(messages: string[] = []) {
  const { runs, jobs, training } = services()
  const s = new StudyService(training, runs, jobs, ws.repos, {
    now: clock,
    estimator,
    pretrained: async () => [{ model: modelDir, name: 'tiny-bert', dir: modelDir }],
    onMessage: (_id, m) => messages.push(m),
  })
  return { s, runs, jobs }
}

const config = { model: 'default', seed: 3, device: 'cpu' as const, maxLength: 16, batchSize: 8 }

describe('auto recipe study', () => {
  it('is never a single run: training/start refuses the auto recipe', async () => {
    const { training } = services()
    await expect(
      training.start(bilingualTrainingData(), { ...config, model: 'baseline', recipe: 'auto' }),
    ).rejects.toThrow(
      /^The auto recipe trains several candidates as a study: start it with 'studies\/start'/,
    )
  })

  it('keeps every candidate, stays in the budget, picks the winner on dev and tests only it', async () => {
    const messages: string[] = []
    const { s, runs, jobs } = study(messages)
    const started = await s.start(bilingualTrainingData(), { ...config, budgetMinutes: 1 })
    const result = await started.done
    jobs.dispose()
    expect(result.status).toBe('success')
    expect(result.budgetSeconds).toBe(60)
    // baseline; lr 1e-4 with 60 s left: a third (20 s, 2 epochs) is under 3 epochs, so it may
    // use all of it (6 epochs); afterwards 3 epochs no longer fit.
    expect(result.candidates.map((c) => [c.label, c.status, c.epochsAllowed])).toEqual([
      ['baseline', 'success', BASELINE_EPOCHS],
      ['tiny-bert lr 1e-4', 'success', 6],
      ['tiny-bert lr 5e-5', 'skipped', 0],
      ['ensemble (baseline + tiny-bert lr 1e-4)', 'success', 0],
    ])
    const tuned = result.candidates[1]
    expect(tuned.epochsTrained).toBeLessThanOrEqual(6)
    expect(tuned.estimateSeconds).toBe(60)
    expect(result.candidates[2].note).toBe(
      `skipped: 3 epochs need about 30 s (estimated from token counts), ${60 - 10 * tuned.epochsTrained} s of the budget left`,
    )
    expect(result.elapsedSeconds).toBeLessThanOrEqual(60)
    expect(messages[0]).toBe(`baseline: estimated ${BASELINE_EPOCHS} s`)
    expect(messages[1]).toBe(
      'tiny-bert lr 1e-4: up to 6 epochs, estimated 10 s per epoch (estimated from token counts), at most 60 s; 60 s of the budget left',
    )

    // Every candidate is a kept run of the study; the winner has the best dev macro-F1.
    const ids = result.candidates.filter((c) => c.runId !== null).map((c) => c.runId!)
    const kept = await Promise.all(ids.map((id) => runs.get(id)))
    expect(kept.map((r) => [r.studyId, r.status, r.modelKind])).toEqual([
      [started.studyId, 'success', 'baseline'],
      [started.studyId, 'success', 'bert'],
    ])
    const best = Math.max(...result.candidates.flatMap((c) => c.devMacroF1 ?? []))
    const winner = result.candidates.find((c) => c.devMacroF1 === best)!
    expect(result.winnerRunId).toBe(winner.runId)
    expect(result.testScoredBy).toBe(winner.runId)
    expect(result.reason).toMatch(new RegExp(`^${winner.label} had the best dev macro-F1`))
    // Test: the winner only, once; the others never saw it.
    for (const r of kept) {
      const isWinner = r.id === winner.runId
      expect(r.test !== null).toBe(isWinner)
      expect(existsSync(join(runs.runDir(r.id), TEST_PREDICTIONS_ARTIFACT))).toBe(isWinner)
      expect(existsSync(join(runs.runDir(r.id), DEV_PREDICTIONS_ARTIFACT))).toBe(true)
      expect(r.config).toMatchObject({ recipe: 'auto' })
    }
    expect(kept[1].config).toMatchObject({
      learningRate: 1e-4,
      epochs: 6,
      patience: 3,
      warmupRatio: 0.1,
      batching: 'random',
      candidate: 'tiny-bert lr 1e-4',
    })
    // The ensemble was weighed on dev over 11 weights; no better than the best single model, it
    // is listed as a candidate without a run (test/unit/services/ensemble-study.test.ts: it wins).
    expect(result.ensemble).toMatchObject({ members: ids, chosen: false, runId: null })
    expect(result.candidates[3]).toMatchObject({
      kind: 'ensemble',
      runId: null,
      learningRate: null,
      devMacroF1: result.ensemble!.devMacroF1,
      note: result.ensemble!.note,
    })
    expect(result.ensemble!.curve.map((p) => p.weight)).toEqual([
      0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1,
    ])
    expect(result.ensemble!.note).toMatch(/^ensemble tried, not chosen: /)
    expect(await s.get(started.studyId)).toEqual(result)
    expect((await s.list()).map((x) => x.id)).toContain(started.studyId)
  }, 120_000)

  it('plans a study before it starts: the baseline, then each model with the epochs the budget allows', async () => {
    const { s, jobs } = study()
    const plan = await s.estimatePlan(bilingualTrainingData(), { ...config, budgetMinutes: 1 })
    jobs.dispose()
    // 60 s − the baseline's 1 s (one fit) = 59 s; a third (20 s) is under 3 epochs of 10 s, so
    // all of it: 5.
    expect(plan).toEqual({
      budgetSeconds: 60,
      candidates: [
        {
          label: 'baseline',
          kind: 'baseline',
          epochSeconds: 1,
          startSeconds: 0,
          finishSeconds: 0,
          basis: 'prior',
          epochsAllowed: BASELINE_EPOCHS,
          estimateSeconds: 1,
        },
        {
          label: 'tiny-bert lr 1e-4',
          kind: 'bert',
          epochSeconds: 10,
          startSeconds: 0,
          finishSeconds: 0,
          basis: 'prior',
          epochsAllowed: 5,
          estimateSeconds: 50,
        },
      ],
    })
  })

  it('refines the estimate after each epoch and skips what the measured speed no longer fits', async () => {
    const { runs, jobs, training } = services()
    // Each BERT epoch "takes" 10 s: the clock moves when a fine-tune's epoch ends (its dev
    // macro-F1 arrives), before the study hears of it.
    const ended = new Set<string>()
    const start = jobs.start.bind(jobs)
    jobs.start = (kind, input, about) => {
      const job = start(kind, input, about)
      if (kind === 'train' && (input as TrainJobInput).model !== 'baseline') {
        jobs.watch(job.jobId, (p) => {
          if (p.phase === 'evaluating' && p.metrics?.devMacroF1 !== undefined)
            ended.add(`${job.jobId}:${p.metrics.epoch}`)
        })
      }
      return job
    }
    // First estimate 5 s per BERT epoch (too optimistic); measured epochs replace it.
    const measured = new Map<string, number>()
    const learning: StudyEstimator = {
      estimate: async (r) => ({
        epochSeconds: r.kind === 'baseline' ? 1 : (measured.get(r.key) ?? 5),
        startSeconds: 0,
        finishSeconds: 0,
        basis: measured.has(r.key) ? 'measured' : 'prior',
      }),
      observe: (key, m) => measured.set(key, m.epochSeconds),
    }
    const messages: string[] = []
    const s = new StudyService(training, runs, jobs, ws.repos, {
      now: () => 10_000 * ended.size,
      estimator: learning,
      pretrained: async () => [{ model: modelDir, name: 'tiny-bert', dir: modelDir }],
      onMessage: (_id, m) => messages.push(m),
    })
    const result = await (
      await s.start(bilingualTrainingData(), { ...config, budgetMinutes: 1 })
    ).done
    jobs.dispose()
    expect(result.status).toBe('success')
    // 60 s shared by 3 planned learning rates at 5 s per epoch: 4 epochs. They took 10 s each,
    // so 20 s are left: 3 epochs at the measured 10 s do not fit, and lr 5e-5 is skipped.
    const trained = result.candidates.filter((c) => c.kind !== 'ensemble')
    expect(trained.map((c) => [c.label, c.status, c.epochsAllowed])).toEqual([
      ['baseline', 'success', BASELINE_EPOCHS],
      ['tiny-bert lr 1e-4', 'success', 4],
      ['tiny-bert lr 5e-5', 'skipped', 0],
    ])
    const tuned = result.candidates[1]
    expect(tuned.epochsTrained).toBe(4)
    expect(tuned.estimateSeconds).toBe(20)
    expect(tuned.refinedSeconds).toBe(40)
    expect(tuned.seconds).toBe(40)
    expect(result.candidates[2].note).toBe(
      'skipped: 3 epochs need about 30 s (measured), 20 s of the budget left',
    )
    expect(result.remainingSeconds).toBe(20)
    const tail =
      '; a next learning rate needs about 30 s for 3 epochs, more than is left, so it will be skipped unless early stopping ends this one sooner'
    const refined = [1, 2, 3, 4].map(
      (e) =>
        `tiny-bert lr 1e-4: epoch ${e}/4 done, 10 s per epoch measured (estimated 5 s); at most ${40 - 10 * e} s more for this candidate, 20 s of the budget left after it${tail}`,
    )
    expect(messages.filter((m) => m.includes(' per epoch measured '))).toEqual(refined)
    expect(result.estimateNote).toBe(refined[3])
    expect(messages).toContain(`tiny-bert lr 5e-5: ${result.candidates[2].note}`)
  }, 120_000)

  it('cancels: the finished baseline is kept, nothing is scored on test', async () => {
    const messages: string[] = []
    const { s, runs, jobs } = study(messages)
    let studyId = 0
    const onMessage = (m: string) => {
      if (m.startsWith('tiny-bert lr 1e-4: up to')) s.cancel(studyId)
    }
    const original = messages.push.bind(messages)
    messages.push = (...m: string[]) => {
      m.forEach(onMessage)
      return original(...m)
    }
    const started = await s.start(bilingualTrainingData(), { ...config, budgetMinutes: 1 })
    studyId = started.studyId
    const result = await started.done
    jobs.dispose()
    expect(result.status).toBe('cancelled')
    expect(result.candidates.map((c) => [c.label, c.status])).toEqual([
      ['baseline', 'success'],
      ['tiny-bert lr 1e-4', 'cancelled'],
    ])
    expect(result.winnerRunId).toBeNull()
    expect(result.testScoredBy).toBeNull()
    expect((await runs.get(result.candidates[0].runId!)).test).toBeNull()

    // Resumed: the finished baseline is reused, the search goes on and the winner is tested.
    const again = study()
    const resumed = await (await again.s.resume(studyId)).done
    again.jobs.dispose()
    expect(resumed.status).toBe('success')
    expect(resumed.candidates[0]).toMatchObject({
      label: 'baseline',
      runId: result.candidates[0].runId,
    })
    expect(resumed.candidates[1].label).toBe('tiny-bert lr 1e-4')
    expect(resumed.candidates[1].runId).not.toBe(result.candidates[1].runId)
    expect(resumed.testScoredBy).toBe(resumed.winnerRunId)
    await expect(again.s.resume(studyId)).rejects.toThrow(
      `Study ${studyId} has finished; start a new one instead.`,
    )
  }, 240_000)
})
