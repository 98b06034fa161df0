// A run trained from a project records its labels' provenance (issue #12 point 5): the annotators,
// the tie policy, how each gold label came about and the agreement figures, exactly as the
// agreement service computes them when the data is snapshotted; tied texts excluded by the policy
// are not trained on; runs from files and runs recorded before record null; the report states it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChildToHost, HostToChild, JobHost } from '../../../main/jobs/job-protocol'
import type { TrainJobInput } from '../../../main/jobs/train-job'
import {
  cohenKappa,
  countTable,
  fleissKappa,
  krippendorffAlpha,
} from '../../../main/ml/eval/agreement'
import { buildReportModel } from '../../../main/reports/report-model'
import { renderReportHtml } from '../../../main/reports/render-html'
import { fmt } from '../../../main/reports/report-sections'
import { reportInputFromRun } from '../../../main/reports/run-artifacts'
import { boot, type Backend } from '../../../main/root/boot'
import { AgreementService } from '../../../main/services/agreement-service'
import { ProjectsService } from '../../../main/services/projects-service'
import { RunsService } from '../../../main/services/runs-service'
import { openWorkspace } from '../../../main/store/workspace'
import type { LabelProvenanceDto } from '../../../preload/contract/agreement'
import type { RunDto } from '../../../preload/contract/training'
import { servicesCaller } from './call-helpers'

const CSV = fileURLToPath(new URL('../../fixtures/train/bilingual-health.csv', import.meta.url))
const LI = 'Dr Li 李医生'
const WANG = 'Wang 王'
const config = { model: 'baseline', epochs: 1, seed: 3, device: 'cpu' as const }

/** Answers every job with an error at once and keeps its input: the run record is what we check. */
class RecordingHost implements JobHost {
  readonly inputs: TrainJobInput[] = []
  spawn() {
    let listener: ((m: ChildToHost) => void) | undefined
    let onExit: ((code: number | null, signal: string | null) => void) | undefined
    return {
      send: (m: HostToChild) => {
        if (m.type !== 'start') return
        this.inputs.push(m.input as TrainJobInput)
        setImmediate(() => {
          listener?.({ type: 'error', error: { code: 'test', message: 'not trained here' } })
          onExit?.(0, null)
        })
      },
      onMessage: (l: (m: ChildToHost) => void) => (listener = l),
      onExit: (l: (code: number | null, signal: string | null) => void) => (onExit = l),
      kill: () => {},
    }
  }
}

let home: string
let services: Backend
const host = new RecordingHost()
const { call, finished } = servicesCaller(() => services)

let projectId: number
/** The first six texts: Wang agrees with Dr Li on four and disagrees on two (ties). */
let overlap: { id: number; text: string; li: number; wang: number }[]
let labelIds: number[]

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'cts-provenance-'))
  services = await boot({ home, jobHost: host })
  const p = await call('projects/create', { name: 'notes 病历', kind: 'binary' })
  projectId = p.id
  const file = { path: CSV }
  const preview = await call('datasets/preview', { projectId, file })
  await call('datasets/import', {
    projectId,
    file,
    mapping: preview.suggestedMapping,
    annotator: LI,
  })
  labelIds = (await call('projects/get', { projectId })).labels.map((l) => l.id)
  const { rows } = await call('texts/list', { projectId, offset: 0, limit: 100 })
  expect(rows).toHaveLength(32)
  overlap = rows.slice(0, 6).map((r, i) => {
    const li = labelIds.indexOf(r.labelIds[0])
    return { id: r.id, text: r.text, li, wang: i < 4 ? li : 1 - li }
  })
  for (const o of overlap) {
    await call('labels/set', { textId: o.id, labelIds: [labelIds[o.wang]], annotator: WANG })
  }
})

afterAll(async () => {
  await services?.shutdown()
  rmSync(home, { recursive: true, force: true })
})

/** The provenance as the agreement service computes it now (a second handle on the workspace). */
async function provenanceNow(): Promise<LabelProvenanceDto> {
  const ws = openWorkspace(home)
  try {
    return await new AgreementService(
      ws.repos,
      new ProjectsService(ws.repos, 'test'),
    ).labelProvenance(projectId)
  } finally {
    ws.close()
  }
}

const trainedTexts = (input: TrainJobInput) =>
  [input.train, input.dev, input.test].flatMap((s) => s?.texts ?? [])

describe('a run from a project records its labels’ provenance', () => {
  let run: RunDto
  let input: TrainJobInput

  beforeAll(async () => {
    const before = host.inputs.length
    const { runId } = await call('training/start', { projectId, config })
    run = await finished(runId)
    input = host.inputs[before]
  })

  it('records exactly what the agreement service says, with the figures of the ratings', async () => {
    const p = run.labelProvenance!
    expect(p).toEqual(await provenanceNow())
    expect(p.annotators).toEqual([LI, WANG])
    expect(p.policy).toEqual({ tiePolicy: 'exclude', tieAnnotator: null })
    expect(p.counts).toEqual({
      adjudicated: 0,
      agreed: 4,
      majority: 0,
      single: 26,
      'tie-annotator': 0,
      excluded: 2,
      reference: 0,
      none: 0,
    })
    const li = overlap.map((o) => o.li)
    const wang = overlap.map((o) => o.wang)
    const ratings = overlap.map((o) => [o.li, o.wang])
    expect(p.cohen).toMatchObject({ a: LI, b: WANG, texts: 6, observed: 4 / 6 })
    expect(p.cohen!.kappa.estimate).toBeCloseTo(cohenKappa(li, wang), 12)
    expect(p.alpha!.estimate).toBeCloseTo(krippendorffAlpha(ratings, 2), 12)
    expect(p.fleiss!.estimate).toBeCloseTo(fleissKappa(countTable(ratings, 2)), 12)
    // The provenance is not a training setting: config stays as it was.
    expect(run.config).not.toHaveProperty('labelProvenance')
  })

  it('does not train on the two tied texts (their gold label is excluded)', () => {
    const texts = trainedTexts(input)
    expect(texts).toHaveLength(30)
    for (const o of overlap.slice(4)) expect(texts).not.toContain(o.text)
    for (const o of overlap.slice(0, 4)) expect(texts).toContain(o.text)
  })

  it('states the figures and the policy in the run’s report', () => {
    const dataset = readFileSync(join(home, 'runs', String(run.id), 'dataset.json'), 'utf8')
    const yTrue = (JSON.parse(dataset) as TrainJobInput).test.labels
    const predictions = JSON.stringify({
      yTrue,
      probs: yTrue.map((y) => (y === 0 ? [0.8, 0.2] : [0.3, 0.7])),
    })
    const html = renderReportHtml(buildReportModel(reportInputFromRun(run, dataset, predictions)))
    const p = run.labelProvenance!
    const row = (
      name: string,
      v: { estimate: number | null; lower: number | null; upper: number | null },
    ) =>
      `<tr><td>${name}</td><td>${fmt(v.estimate)}</td><td>${fmt(v.lower)} – ${fmt(v.upper)}</td></tr>`
    expect(html).toContain(row('Krippendorff&#39;s α (nominal)', p.alpha!))
    expect(html).toContain(row(`Cohen&#39;s κ (${LI} – ${WANG})`, p.cohen!.kappa))
    expect(html).toContain(row('Fleiss&#39; κ', p.fleiss!))
    expect(html).toContain('on a tie the text is excluded from training.')
    expect(html).toContain('<tr><td>Tie: excluded from training</td><td>2</td></tr>')
  })
})

describe('the tie policy and other runs', () => {
  it('records the "annotator" policy and trains the tied texts on that annotator’s label', async () => {
    await call('annotation/setSettings', { projectId, tiePolicy: 'annotator', tieAnnotator: WANG })
    const before = host.inputs.length
    const { runId } = await call('training/start', { projectId, config })
    const run = await finished(runId)
    const p = run.labelProvenance!
    expect(p.policy).toEqual({ tiePolicy: 'annotator', tieAnnotator: WANG })
    expect(p.counts).toMatchObject({ agreed: 4, 'tie-annotator': 2, excluded: 0, single: 26 })
    const input = host.inputs[before]
    const all = ['train', 'dev', 'test'].flatMap((s) => {
      const split = input[s as 'train' | 'dev' | 'test']
      return split ? split.texts.map((t, i) => [t, split.labels[i]] as const) : []
    })
    expect(all).toHaveLength(32)
    // The run's label order is its own (compactLabels): compare by name.
    for (const o of overlap.slice(4)) {
      const [, y] = all.find(([t]) => t === o.text)!
      expect(run.labels[y]).toBe(
        (await call('projects/get', { projectId })).labels.find((l) => l.id === labelIds[o.wang])!
          .name,
      )
    }
    await call('annotation/setSettings', { projectId, tiePolicy: 'exclude', tieAnnotator: null })
  })

  it('records null for a run from files', async () => {
    const { runId } = await call('training/startFiles', { files: { train: CSV }, config })
    expect((await finished(runId)).labelProvenance).toBeNull()
  })

  it('reads a run recorded before provenance existed as null, with its config unchanged', async () => {
    const ws = openWorkspace(home)
    try {
      // What older versions wrote: config_json holds the settings only.
      const id = await ws.repos.runs.create({
        projectId,
        modelKind: 'baseline',
        baseModel: 'baseline',
        labels: ['健康', '疾病'],
        config: { epochs: 2 },
        dataHash: 'old',
        seed: 1,
      })
      const old = await new RunsService(ws.repos, ws.runsDir).get(id)
      expect(old.labelProvenance).toBeNull()
      expect(old.config).toEqual({ epochs: 2 })
    } finally {
      ws.close()
    }
  })
})
