// A BERT run keeps the base model's config.json in its folder, so explanations still work once the
// base model folder is gone (a tiny random BERT trained for one epoch in a job process).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { afterAll, describe, expect, it } from 'vitest'
import { ForkHost } from '../../../main/jobs/fork-host'
import { JobService } from '../../../main/jobs/job-service'
import { loadExplainer } from '../../../main/ml/infer/attributions'
import { RunsService } from '../../../main/services/runs-service'
import { TrainingService } from '../../../main/services/training-service'
import { openWorkspace } from '../../../main/store/workspace'
import { writeTinyBertFolder } from '../ml/infer/bundles'

const fixture = fileURLToPath(new URL('../../fixtures/train/bilingual-health.csv', import.meta.url))
const rows = parse(readFileSync(fixture), { columns: true }) as { text: string; label: string }[]
const labels = ['健康', '疾病']
const realEntry = fileURLToPath(new URL('../../../main/jobs/job-entry.ts', import.meta.url))

const home = mkdtempSync(join(tmpdir(), 'cts-bert-run-config-'))
const ws = openWorkspace(home)
const modelDir = writeTinyBertFolder()
afterAll(() => {
  ws.close()
  rmSync(home, { recursive: true, force: true })
  rmSync(dirname(modelDir), { recursive: true, force: true })
})

describe('a BERT run folder', () => {
  it('carries the base model config.json and explains after the base model is deleted', async () => {
    const runs = new RunsService(ws.db, ws.runsDir)
    const jobs = new JobService({ host: new ForkHost({ entry: realEntry }), publish: () => {} })
    const training = new TrainingService(runs, jobs, ws.db)
    const baseConfig = readFileSync(join(modelDir, 'config.json'), 'utf8')
    const started = training.start(
      {
        labels,
        train: { texts: rows.map((r) => r.text), labels: rows.map((r) => labels.indexOf(r.label)) },
      },
      { model: modelDir, epochs: 1, batchSize: 8, maxLength: 16, seed: 2, device: 'cpu' },
    )
    const run = await started.done
    expect(run).toMatchObject({ status: 'success', modelKind: 'bert' })
    const runDir = runs.runDir(run.id)
    expect(readFileSync(join(runDir, 'config.json'), 'utf8')).toBe(baseConfig)

    rmSync(modelDir, { recursive: true, force: true })
    expect(existsSync(modelDir)).toBe(false)
    const explainer = await loadExplainer(runDir)
    try {
      const e = await explainer.explain('fever and cough 发热')
      expect(explainer.kind).toBe('bert')
      expect(e.probabilities).toHaveLength(2)
      expect(e.probabilities[0] + e.probabilities[1]).toBeCloseTo(1, 5)
      expect(e.tokens.length).toBeGreaterThan(0)
    } finally {
      await explainer.release()
    }
  }, 120_000)
})
