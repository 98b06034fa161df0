// The model in the loop: retrain at exactly the threshold, one job at a time, audit texts never
// trained on, suggestions stored apart from labels, agreement counts, the audit-only estimate.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CtsError } from '../../../preload/contract'
import { auditEstimate } from '../../../main/services/loop-estimate'
import { tempServices } from './fixtures'
import { loopNotes, loopProject, obviousLabel, settle, type LoopRig } from './loop-fixtures'
import { anyFile, ArrayReader, textMapping } from './test-reader'

let rig: LoopRig | undefined
afterEach(async () => {
  await rig?.app.backend.shutdown()
  rig?.app.dispose()
  rig = undefined
})

/** Labels the given texts with their obvious label through 'labels/set'. */
async function label(r: LoopRig, ids: number[], labelOf = obviousLabel) {
  for (const textId of ids)
    await r.app.handlers['labels/set']({ textId, labelIds: [labelOf(textId)] })
}

/** The first `n` text ids outside the audit sample. */
const nonAudit = (r: LoopRig, n: number, from = 1) => {
  const ids: number[] = []
  for (let id = from; ids.length < n; id++) if (!r.auditIds.includes(id)) ids.push(id)
  return ids
}

function annotationTables(r: LoopRig) {
  const db = r.app.workspace.db
  return {
    annotations: db.prepare('SELECT * FROM annotations ORDER BY text_id').all(),
    labels: db.prepare('SELECT * FROM annotation_labels ORDER BY text_id, label_id').all(),
    history: db.prepare('SELECT * FROM annotation_history ORDER BY id').all(),
  }
}

describe('retraining', () => {
  it('starts at exactly the threshold, not before, and trains on those labels', async () => {
    rig = await loopProject(3)
    expect(rig.auditIds).toHaveLength(4)
    await label(rig, nonAudit(rig, 2))
    await settle(rig)
    expect(rig.host.inputs).toHaveLength(0)
    let s = await rig.app.handlers['loop/status']({ projectId: rig.projectId })
    expect(s.model).toBeNull()
    expect(s.newLabelsSinceModel).toBe(2)

    await label(rig, nonAudit(rig, 1, 3))
    await settle(rig)
    expect(rig.host.inputs).toHaveLength(1)
    s = await rig.app.handlers['loop/status']({ projectId: rig.projectId })
    expect(s.model).toMatchObject({ name: 'in-loop baseline', trainedOnLabels: 3 })
    expect(s.newLabelsSinceModel).toBe(0)
    expect(s.training).toBe(false)
    expect(rig.host.inputs[0].train.labels).toEqual([0, 1, 0])
  })

  it('waits for a quiet debounce after the threshold label before it starts', async () => {
    rig = await loopProject(2, 40, { debounceMs: 400, maxWaitMs: 5000 })
    await label(rig, nonAudit(rig, 2))
    await new Promise((r) => setTimeout(r, 150))
    expect(rig.host.inputs).toHaveLength(0)
    // Another label inside the quiet time postpones the start and joins the same retrain.
    await label(rig, nonAudit(rig, 1, 5))
    await new Promise((r) => setTimeout(r, 150))
    expect(rig.host.inputs).toHaveLength(0)
    await settle(rig, 600)
    expect(rig.host.inputs.map((i) => i.train.texts.length)).toEqual([3])
  })

  it('runs one job at a time; labels during a job start the next one afterwards', async () => {
    rig = await loopProject(1)
    rig.host.hold()
    await label(rig, nonAudit(rig, 2))
    await new Promise((r) => setTimeout(r, 50))
    const during = await rig.app.handlers['loop/status']({ projectId: rig.projectId })
    expect(during.training).toBe(true)
    expect(during.jobId).toEqual(expect.any(String))
    await label(rig, nonAudit(rig, 3, 10))
    await new Promise((r) => setTimeout(r, 50))
    expect(await rig.app.handlers['loop/retrain']({ projectId: rig.projectId })).toEqual({
      jobId: null,
    })
    expect(rig.host.inputs).toHaveLength(1)
    rig.host.release()
    await settle(rig)
    expect(rig.host.maxRunning).toBe(1)
    expect(rig.host.inputs.map((i) => i.train.texts.length)).toEqual([2, 5])
    const s = await rig.app.handlers['loop/status']({ projectId: rig.projectId })
    expect(s.model?.trainedOnLabels).toBe(5)
    expect(s.newLabelsSinceModel).toBe(0)
  })

  it('is cancellable through jobs/cancel: no model, and no restart until a new label', async () => {
    rig = await loopProject(1)
    rig.host.hold()
    await label(rig, nonAudit(rig, 2))
    await new Promise((r) => setTimeout(r, 50))
    const { jobId } = await rig.app.handlers['loop/status']({ projectId: rig.projectId })
    expect(await rig.app.handlers['jobs/cancel']({ jobId: jobId! })).toEqual({ cancelled: true })
    rig.host.release()
    await settle(rig)
    const s = await rig.app.handlers['loop/status']({ projectId: rig.projectId })
    expect(s).toMatchObject({ model: null, training: false, jobId: null, newLabelsSinceModel: 2 })
    const jobs = await rig.app.handlers['jobs/list']({})
    expect(jobs.filter((j) => j.kind === 'loop-train').map((j) => j.status)).toEqual(['cancelled'])
    expect(rig.host.inputs).toHaveLength(1)
    await label(rig, nonAudit(rig, 1, 10))
    await settle(rig)
    expect(rig.host.inputs).toHaveLength(2)
    expect(
      (await rig.app.handlers['loop/status']({ projectId: rig.projectId })).model,
    ).toMatchObject({ trainedOnLabels: 3 })
  })

  it('never puts an audit text in the training set, and scores every audit text', async () => {
    rig = await loopProject(1)
    const all = Array.from({ length: 40 }, (_, i) => i + 1)
    await label(rig, all.slice(0, 30)) // includes audit texts among 1–30
    await settle(rig)
    const textOf = new Map(
      (
        rig.app.workspace.db.prepare('SELECT id, text FROM texts').all() as {
          id: number
          text: string
        }[]
      ).map((r) => [r.text, r.id]),
    )
    const last = rig.host.inputs.at(-1)!
    const trainIds = last.train.texts.map((t) => textOf.get(t)!)
    const scoreIds = last.score.texts.map((t) => textOf.get(t)!)
    const labelledAudit = rig.auditIds.filter((id) => id <= 30)
    expect(labelledAudit.length).toBeGreaterThan(0)
    expect(trainIds.filter((id) => rig!.auditIds.includes(id))).toEqual([])
    expect(trainIds).toEqual(all.slice(0, 30).filter((id) => !rig!.auditIds.includes(id)))
    expect(scoreIds).toEqual(
      all.filter((id) => id > 30 || rig!.auditIds.includes(id)).sort((a, b) => a - b),
    )
  })

  it('rejects a bad threshold at dispatch, naming the field', async () => {
    rig = await loopProject(10)
    const bad = await rig.app.backend.dispatch(
      'loop/settings',
      { projectId: rig.projectId, threshold: 0 },
      { log: () => {} },
    )
    expect(bad.ok).toBe(false)
    if (bad.ok) return
    expect(bad.error.code).toBe('bad-input')
    expect(bad.error.message).toContain('threshold')
    expect((bad.error.details as { issues: { path: string[] }[] }).issues[0].path).toEqual([
      'threshold',
    ])
    const rate = await rig.app.backend.dispatch(
      'loop/settings',
      { projectId: rig.projectId, auditRate: 0.9 },
      { log: () => {} },
    )
    expect(
      rate.ok ? [] : (rate.error.details as { issues: { path: string[] }[] }).issues[0].path,
    ).toEqual(['auditRate'])
    const s = await rig.app.handlers['loop/status']({ projectId: rig.projectId })
    expect(s).toMatchObject({ threshold: 10, auditRate: 0.1, mixEvery: 10, showSuggestions: true })
  })
})

describe('suggestions', () => {
  it('are stored apart: labels, history and stats unchanged; hidden when the toggle is off', async () => {
    rig = await loopProject(4)
    const h = rig.app.handlers
    await label(rig, nonAudit(rig, 3))
    const before = annotationTables(rig)
    const stats = await h['labels/stats']({ projectId: rig.projectId })
    await label(rig, nonAudit(rig, 1, 5))
    const beforeRetrain = annotationTables(rig)
    const statsBeforeRetrain = await h['labels/stats']({ projectId: rig.projectId })
    await settle(rig)
    expect(rig.host.inputs).toHaveLength(1)
    expect(annotationTables(rig)).toEqual(beforeRetrain)
    expect(await h['labels/stats']({ projectId: rig.projectId })).toEqual(statsBeforeRetrain)
    expect(statsBeforeRetrain.labelled).toBe(stats.labelled + 1)
    expect(before.labels).toHaveLength(3)

    const target = nonAudit(rig, 1, 20)[0]
    const sug = await h['loop/suggestion']({ textId: target })
    expect(sug).not.toBeNull()
    expect(sug!.textId).toBe(target)
    expect(sug!.model).toMatchObject({ name: 'in-loop baseline', trainedOnLabels: 4 })
    expect(sug!.labels.map((l) => l.labelId).sort()).toEqual([1, 2])
    expect(sug!.labels[0].probability).toBeGreaterThanOrEqual(sug!.labels[1].probability)
    expect(sug!.labels[0].probability + sug!.labels[1].probability).toBeCloseTo(1, 5)
    expect(sug!.labels[0].labelId).toBe(obviousLabel(target))
    // Still no label on the text: a suggestion is never an annotation.
    expect((await h['texts/get']({ textId: target })).labelIds).toEqual([])
    // Audit texts get none (no anchoring of the labels the estimate is measured against).
    expect(await h['loop/suggestion']({ textId: rig.auditIds[0] })).toBeNull()

    await h['loop/settings']({ projectId: rig.projectId, showSuggestions: false })
    expect(await h['loop/suggestion']({ textId: target })).toBeNull()
    const stored = rig.app.workspace.db
      .prepare('SELECT COUNT(*) FROM loop_suggestions WHERE project_id = ?')
      .pluck()
      .get(rig.projectId)
    // Every unlabelled text (36) plus the audit texts (4, none labelled) were scored and kept.
    expect(stored).toBe(36)
    expect(annotationTables(rig)).toEqual(beforeRetrain)
  })

  it('counts how often the final label equalled the suggestion shown before labelling', async () => {
    rig = await loopProject(4)
    const h = rig.app.handlers
    await label(rig, nonAudit(rig, 4))
    await settle(rig)
    const [x, y, z] = nonAudit(rig, 3, 20)
    const sx = await h['loop/suggestion']({ textId: x })
    const sy = await h['loop/suggestion']({ textId: y })
    await h['labels/set']({ textId: x, labelIds: [sx!.labels[0].labelId] })
    await h['labels/set']({ textId: y, labelIds: [sy!.labels[1].labelId] })
    await h['labels/set']({ textId: z, labelIds: [1] }) // never shown: not compared
    // Shown again after labelling: the record of what was shown before the label stays.
    await h['loop/suggestion']({ textId: x })
    const s = await h['loop/status']({ projectId: rig.projectId })
    expect(s.suggestionAgreement).toEqual({ compared: 2, equal: 1 })
  })
})

describe('the audit estimate', () => {
  it('is computed on labelled audit texts only', async () => {
    rig = await loopProject(100)
    const h = rig.app.handlers
    // The model fits its (non-audit) training texts perfectly ...
    await label(rig, nonAudit(rig, 20))
    await h['loop/retrain']({ projectId: rig.projectId })
    await settle(rig)
    let s = await h['loop/status']({ projectId: rig.projectId })
    expect(s.audit).toEqual({ sampleSize: 4, labelled: 0, estimate: null })
    // ... while a human labels the audit texts against it: its audit accuracy is 0, not ~1.
    const wrong = (id: number) => 3 - obviousLabel(id)
    const predicted: number[] = []
    for (const id of rig.auditIds) {
      const row = rig.app.workspace.db
        .prepare('SELECT probabilities FROM loop_suggestions WHERE text_id = ?')
        .pluck()
        .get(id) as string
      predicted.push((JSON.parse(row) as { labelId: number }[])[0].labelId)
    }
    expect(predicted).toEqual(rig.auditIds.map(obviousLabel))
    await label(rig, rig.auditIds.slice(0, 3), wrong)
    s = await h['loop/status']({ projectId: rig.projectId })
    expect(s.audit.labelled).toBe(3)
    expect(s.audit.estimate).toEqual(
      auditEstimate(rig.auditIds.slice(0, 3).map(wrong), predicted.slice(0, 3)),
    )
    // 0 of 3 right: Wilson's interval [0, 0.5615], not a collapsed bootstrap [0, 0].
    expect(s.audit.estimate).toMatchObject({
      n: 3,
      accuracy: 0,
      accuracyCi: [0, 0.5614970317550454],
      macroF1: 0,
    })
    expect(s.newLabelsSinceModel).toBe(3)
  })
})

describe('errors', () => {
  it('a manual retrain with nothing to train on says what to do', async () => {
    rig = await loopProject(10)
    await expect(rig.app.handlers['loop/retrain']({ projectId: rig.projectId })).rejects.toThrow(
      new CtsError(
        'bad-input',
        'There is nothing to train on yet: label some texts outside the audit sample first.',
      ),
    )
  })
})

describe('the real job process', () => {
  it('retrains in a forked loop-train job and leaves no probabilities file behind', async () => {
    const app = tempServices({
      sourceReader: new ArrayReader(() => loopNotes(40)),
      loop: { debounceMs: 0, maxWaitMs: 0, maxFeatures: 256 },
    })
    try {
      const h = app.handlers
      const p = await h['projects/create']({ name: 'fork', kind: 'multiclass', labels: ['A', 'B'] })
      await h['datasets/import']({ projectId: p.id, file: anyFile, mapping: textMapping })
      await h['loop/settings']({ projectId: p.id, threshold: 4, auditRate: 0 })
      for (const textId of [1, 2, 3, 4])
        await h['labels/set']({ textId, labelIds: [obviousLabel(textId)] })
      let status = await h['loop/status']({ projectId: p.id })
      for (let i = 0; i < 600 && (!status.model || status.training); i++) {
        await new Promise((r) => setTimeout(r, 100))
        status = await h['loop/status']({ projectId: p.id })
      }
      expect(status.model).toMatchObject({ name: 'in-loop baseline', trainedOnLabels: 4 })
      expect(status.audit.sampleSize).toBe(0)
      const jobs = (await h['jobs/list']({})).filter((j) => j.kind === 'loop-train')
      expect(jobs.map((j) => j.status)).toEqual(['success'])
      expect(jobs[0].status === 'success' && jobs[0].result).toMatchObject({
        trainedOn: 4,
        scored: 36,
        numClasses: 2,
      })
      const sug = await h['loop/suggestion']({ textId: 10 })
      expect(sug?.labels[0].labelId).toBe(obviousLabel(10))
      expect(readdirSync(join(app.home, 'loop'))).toEqual([])
    } finally {
      await app.backend.shutdown()
      app.dispose()
    }
  }, 90_000)
})
