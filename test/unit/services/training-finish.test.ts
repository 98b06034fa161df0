// Issue #17 point 5: a run that ends while the team server restarts. Recording its outcome is
// retried while the server cannot be reached (no step twice), and a failure to record it is never
// an unhandled rejection (vitest fails the file on one) — the backend keeps running.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { JobService } from '../../../main/jobs/job-service'
import { RunsService } from '../../../main/services/runs-service'
import { TrainingService } from '../../../main/services/training-service'
import { CtsError } from '../../../main/shared'
import { openWorkspace, type Workspace } from '../../../main/store/workspace'
import { testModelChoice } from './model-choice-fixture'

const labels = ['咳嗽 cough', '发热 fever']
const data = {
  labels,
  train: {
    texts: ['Dry cough for a week.', '发热三天。', 'Cough at night.', '高烧不退。'],
    labels: [0, 1, 0, 1],
  },
}
const config = { model: 'baseline', seed: 5, device: 'cpu' as const, split: 'stratified' as const }
// What a train job that succeeded settles with (the fields the service records).
const succeeded = {
  status: 'success',
  result: {
    epochs: [{ epoch: 1, train_loss: 0.25, learning_rate: 0.1, seconds: 1 }],
    provider: 'cpu',
    trainSeconds: 1,
    evalSeconds: 0,
    test: undefined,
    bestEpoch: 1,
    stoppedEarly: false,
  },
}
const unreachable = () =>
  new CtsError(
    'team-unreachable',
    'The team workspace server 127.0.0.1:5432 cannot be reached: the connection was refused.',
    {
      reason: 'the connection was refused',
    },
  )

const cleanup: (() => void)[] = []
afterEach(() => cleanup.splice(0).forEach((f) => f()))

/** A training service whose job "succeeds" at once; `runs` is the real one, patched by the test. */
function setup() {
  const home = mkdtempSync(join(tmpdir(), 'cts-training-finish-'))
  const ws: Workspace = openWorkspace(home)
  cleanup.push(() => {
    ws.close()
    rmSync(home, { recursive: true, force: true })
  })
  const runs = new RunsService(ws.repos, ws.runsDir)
  const jobs = {
    start: () => ({ jobId: 'job-1', done: Promise.resolve(succeeded) }),
  } as unknown as JobService
  const training = new TrainingService(runs, jobs, ws.repos, {
    modelChoice: testModelChoice(ws.repos),
    finishRetryDelaysMs: [5, 5, 5],
  })
  return { runs, training }
}

describe('recording a run that ends while the team server is away (issue #17 point 5)', () => {
  it('retries finish while the server cannot be reached and ends the run as success', async () => {
    const { runs, training } = setup()
    const finish = runs.finish.bind(runs)
    let calls = 0
    runs.finish = async (runId, outcome) => {
      calls += 1
      if (calls <= 2) throw unreachable()
      return finish(runId, outcome)
    }
    const run = await (await training.start(data, config)).done
    expect([run.status, calls, run.epochs.map((e) => e.epoch)]).toEqual(['success', 3, [1]])
    expect((await runs.get(run.id)).status).toBe('success')
  })

  it('records each epoch and the outcome once when a reply was lost after the write', async () => {
    const { runs, training } = setup()
    const addEpoch = runs.addEpoch.bind(runs)
    const finish = runs.finish.bind(runs)
    let epochLost = false
    let finishLost = false
    // The write reached the server; only its answer did not come back.
    runs.addEpoch = async (runId, e) => {
      await addEpoch(runId, e)
      if (!epochLost) {
        epochLost = true
        throw unreachable()
      }
    }
    runs.finish = async (runId, outcome) => {
      await finish(runId, outcome)
      if (!finishLost) {
        finishLost = true
        throw unreachable()
      }
    }
    const run = await (await training.start(data, config)).done
    expect([run.status, run.epochs.map((e) => e.epoch), epochLost, finishLost]).toEqual([
      'success',
      [1],
      true,
      true,
    ])
  })

  it('gives up after the last retry with a message naming the run; nothing unhandled', async () => {
    const { runs, training } = setup()
    let calls = 0
    runs.finish = async () => {
      calls += 1
      throw unreachable()
    }
    const started = await training.start(data, config)
    // Nobody awaits `done` (as 'training/start' does not): no unhandled rejection may follow.
    await new Promise((r) => setTimeout(r, 200))
    expect(calls).toBe(4)
    const err = await started.done.then(
      () => undefined,
      (e: unknown) => e as CtsError,
    )
    expect(err?.code).toBe('team-unreachable')
    expect(err?.message).toBe(
      `Run ${started.runId} ended, but its outcome could not be recorded in the team workspace (The team workspace server 127.0.0.1:5432 cannot be reached: the connection was refused.). It shows as running there until it is recorded: train it again with \`cts train --resume ${started.runId}\` (or Resume in the app) once the server is reachable.`,
    )
    expect((await runs.get(started.runId)).status).toBe('running')
  })
})
