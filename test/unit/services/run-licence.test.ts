// The base model's licence travels with a run: recorded in its config when it starts, shown in
// the report's model section and in the model card of an exported model (a research-only model's
// card says it must not be used commercially).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { ForkHost } from '../../../main/jobs/fork-host'
import { JobService } from '../../../main/jobs/job-service'
import { modelCardMarkdown } from '../../../main/ml/infer/model-card'
import { buildReportModel } from '../../../main/reports/report-model'
import { renderReportHtml } from '../../../main/reports/render-html'
import { baseModelLicence } from '../../../main/services/models-service'
import { exportRunInfo } from '../../../main/services/predictions-service'
import { RunsService } from '../../../main/services/runs-service'
import { TrainingService } from '../../../main/services/training-service'
import { testModelChoice } from './model-choice-fixture'
import { openWorkspace } from '../../../main/store/workspace'
import type { RunDto } from '../../../preload/contract/training'
import { sampleReportInput } from '../../fixtures/eval/report-input'
import { writeTinyBertFolder } from '../ml/infer/bundles'
import { bilingualTrainingData } from './tiny-bert-run'

const M3E = { name: 'M3E research-only', researchOnly: true, source: 'README.md of m3e-small' }
const APACHE = { name: 'Apache-2.0', researchOnly: false }

const cleanup: (() => void)[] = []
afterAll(() => cleanup.forEach((f) => f()))

function report(config: Record<string, unknown>, locale: 'en' | 'zh-CN' = 'en') {
  const input = sampleReportInput({ locale })
  return renderReportHtml(
    buildReportModel({
      ...input,
      run: { ...input.run, config: { ...input.run.config, ...config } },
    }),
  )
}

function run(config: Record<string, unknown>, modelKind: RunDto['modelKind'] = 'bert'): RunDto {
  return {
    id: 9,
    projectId: 1,
    modelKind,
    baseModel: 'm3e-small',
    labels: ['健康', '疾病'],
    config: { epochs: 3, ...config },
    dataHash: 'sha256:abc',
    seed: 1,
    provider: 'cpu',
    status: 'success',
    error: null,
    createdAt: '2025-01-01T00:00:00Z',
    finishedAt: '2025-01-01T00:10:00Z',
    trainSeconds: 600,
    evalSeconds: 1,
    test: null,
    epochs: [],
    bestEpoch: 3,
    stoppedEarly: false,
  }
}

const card = (r: RunDto) =>
  modelCardMarkdown({
    ...exportRunInfo(r),
    kind: r.modelKind === 'baseline' ? 'baseline' : 'bert',
    labels: r.labels,
    maxLength: 128,
  })

describe('licence in the run record', () => {
  it('records the licence of a folder model when the run starts', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cts-run-licence-'))
    const ws = openWorkspace(home)
    cleanup.push(() => (ws.close(), rmSync(home, { recursive: true, force: true })))
    const model = writeTinyBertFolder()
    writeFileSync(join(model, 'README.md'), '---\nlicense: cc-by-nc-sa-4.0\n---\n')
    const runs = new RunsService(ws.repos, ws.runsDir)
    const entry = fileURLToPath(
      new URL('../../fixtures/jobs/crashing-train-entry.ts', import.meta.url),
    )
    const jobs = new JobService({ host: new ForkHost({ entry }), publish: () => {} })
    const training = new TrainingService(runs, jobs, ws.repos, {
      modelChoice: testModelChoice(ws.repos),
    })
    const started = await training.start(bilingualTrainingData(), {
      model,
      epochs: 1,
      device: 'cpu',
    })
    expect((await runs.get(started.runId)).config.baseModelLicence).toEqual({
      name: 'cc-by-nc-sa-4.0',
      researchOnly: true,
      source: 'README.md (front matter "license")',
    })
    await started.done
    const baseline = await training.start(bilingualTrainingData(), {
      model: 'baseline',
      epochs: 1,
    })
    expect((await runs.get(baseline.runId)).config.baseModelLicence).toBeUndefined()
    await baseline.done
  }, 60_000)

  it('knows the pinned models set up in resources/models (scripts/setup-model.sh)', () => {
    expect(baseModelLicence('resources/models/all-MiniLM-L6-v2')).toMatchObject(APACHE)
    expect(baseModelLicence('resources/models/m3e-small')).toMatchObject({
      name: 'M3E research-only',
      researchOnly: true,
    })
  })
})

describe('licence in the report', () => {
  it('has a licence line in the model section, not among the hyper-parameters', () => {
    const html = report({ baseModelLicence: M3E })
    expect(html).toContain(
      '<dt>Base model licence</dt><dd><b>M3E research-only</b>: research use only: this model and any model fine-tuned from it must not be used commercially</dd>',
    )
    expect(html).not.toContain('baseModelLicence')
    expect(report({ baseModelLicence: APACHE })).toContain(
      '<dt>Base model licence</dt><dd>Apache-2.0</dd>',
    )
    expect(report({ baseModelLicence: M3E }, 'zh-CN')).toContain(
      '<dt>基础模型许可</dt><dd><b>M3E research-only</b>: 仅供研究使用：此模型及由其微调的任何模型均不得用于商业用途</dd>',
    )
  })

  it('says the licence is unknown for a run recorded without one', () => {
    expect(report({})).toContain(
      '<dt>Base model licence</dt><dd>unknown (the model folder does not say; check it before sharing this model)</dd>',
    )
  })
})

describe('licence in the model card', () => {
  it('says a model trained from a research-only base must not be used commercially', () => {
    const md = card(run({ baseModelLicence: M3E }))
    expect(md).toContain(
      '- Base model licence: M3E research-only (research use only, not for commercial use)',
    )
    expect(md).toContain('## Licence: research use only')
    expect(md).toContain('**This model must not be used commercially.**')
    expect(md).toContain('licence "M3E research-only" (stated in README.md of m3e-small)')
    expect(md).toContain('**仅供研究使用，不得用于商业用途。**')
    expect(md).not.toContain('baseModelLicence')
    expect(md).toMatch(/## Licence: research use only[\s\S]*## Hyper-parameters/)
  })

  it('names a permissive licence plainly and an unknown one as unknown', () => {
    const apache = card(run({ baseModelLicence: APACHE }))
    expect(apache).toContain('- Base model licence: Apache-2.0\n')
    expect(apache).toContain('Base model m3e-small: Apache-2.0. Keep its licence terms')
    expect(apache).not.toContain('must not be used commercially')
    expect(card(run({}))).toContain('The licence of the base model (m3e-small) is unknown')
    const baseline = card(run({}, 'baseline'))
    expect(baseline).not.toContain('Licence')
  })
})
