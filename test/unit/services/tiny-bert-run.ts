// Shared setup for tests that train the tiny random BERT through the real training service in a
// job process: a temp workspace, a tiny model folder, the bilingual fixture and a service to run.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { afterAll, expect } from 'vitest'
import { ForkHost } from '../../../main/jobs/fork-host'
import { JobService } from '../../../main/jobs/job-service'
import { RunsService } from '../../../main/services/runs-service'
import { TrainingService } from '../../../main/services/training-service'
import { testModelChoice } from './model-choice-fixture'
import { openWorkspace } from '../../../main/store/workspace'
import type { StudyEstimator } from '../../../main/services/study-estimate'
import type { Database } from 'better-sqlite3'
import { writeTinyBertFolder } from '../ml/infer/bundles'

const fixture = fileURLToPath(new URL('../../fixtures/train/bilingual-health.csv', import.meta.url))
const entry = fileURLToPath(new URL('../../../main/jobs/job-entry.ts', import.meta.url))

/** The labelled bilingual fixture as training data (labels 健康/疾病). */
export function bilingualTrainingData() {
  const rows = parse(readFileSync(fixture), { columns: true }) as { text: string; label: string }[]
  const labels = ['健康', '疾病']
  return {
    labels,
    train: { texts: rows.map((r) => r.text), labels: rows.map((r) => labels.indexOf(r.label)) },
  }
}

/** A temp workspace and tiny BERT folder for one test file, removed after it. */
export function tinyBertWorkspace(prefix: string) {
  const home = mkdtempSync(join(tmpdir(), prefix))
  const ws = openWorkspace(home)
  const modelDir = writeTinyBertFolder()
  afterAll(() => {
    ws.close()
    rmSync(home, { recursive: true, force: true })
    rmSync(dirname(modelDir), { recursive: true, force: true })
  })
  /** Runs, jobs (a real forked job process) and the training service over the workspace. */
  const services = () => {
    const runs = new RunsService(ws.repos, ws.runsDir)
    const jobs = new JobService({ host: new ForkHost({ entry }), publish: () => {} })
    return {
      runs,
      jobs,
      training: new TrainingService(runs, jobs, ws.repos, {
        modelChoice: testModelChoice(ws.repos),
      }),
    }
  }
  return { ws, modelDir, services }
}

/**
 * Trains the tiny BERT in `modelDir` for one epoch (batch 8, 16 tokens, seed 2, CPU), expects
 * success and returns the run's folder.
 */
export async function trainTinyBertRun(
  { runs, training }: { runs: RunsService; training: TrainingService },
  modelDir: string,
): Promise<string> {
  const started = await training.start(bilingualTrainingData(), {
    model: modelDir,
    epochs: 1,
    batchSize: 8,
    maxLength: 16,
    seed: 2,
    device: 'cpu',
  })
  const run = await started.done
  expect(run).toMatchObject({ status: 'success', modelKind: 'bert' })
  return runs.runDir(run.id)
}

/** A study clock for tests: every BERT epoch trained so far in `db` "took" 10 s; the baseline is free. */
export function bertEpochClock(db: Database): () => number {
  return () =>
    10_000 *
    (db
      .prepare(
        "SELECT COUNT(*) FROM run_epochs e JOIN runs r ON r.id = e.run_id WHERE r.model_kind = 'bert'",
      )
      .pluck()
      .get() as number)
}

/** 10 s per BERT epoch, 1 s per baseline epoch, whatever was measured. */
export const fixedEstimator: StudyEstimator = {
  estimate: async (r) => ({
    epochSeconds: r.kind === 'bert' ? 10 : 1,
    startSeconds: 0,
    finishSeconds: 0,
    basis: 'prior',
  }),
  observe: () => {},
}
