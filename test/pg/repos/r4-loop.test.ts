// The model in the loop's repository on both backends with the same assertions: settings, the
// audit draw, the training snapshot, models and their suggestions, shown suggestions, agreement
// and audit pairs; on PostgreSQL also a snapshot that waits for a label write still in flight.
import pg from 'pg'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SqliteLoopRepository, type LoopRepository } from '../../../main/store/loop-repository'
import { PgLoopRepository } from '../../../main/store/pg/loop-repository'
import {
  freshBackendEachTest,
  LABELS,
  openBackend,
  seed,
  stopOwnServer,
  type BackendName,
  type R2Backend,
} from './r2-backends'

afterAll(stopOwnServer)

const { yes, no } = LABELS
const DEFAULTS = {
  enabled: true,
  threshold: 20,
  showSuggestions: true,
  auditRate: 0.1,
  mixEvery: 5,
}
const TEXTS: Record<number, string> = {
  11: 'Patient hustet seit drei Tagen.',
  12: 'No cough, afebrile.',
  13: 'Trockener Husten, kein Fieber.',
  14: 'Productive cough since Monday.',
}
const model = { projectId: 1, name: 'in-loop baseline', trainedOnLabels: 2, historyId: 3 }
const probs = (labelId: number, p: number) => [
  { labelId, probability: p },
  { labelId: labelId === yes ? no : yes, probability: 1 - p },
]

describe.each<BackendName>(['sqlite', 'postgres'])('loop repository (%s)', (backend) => {
  let b: R2Backend
  let loop: LoopRepository
  freshBackendEachTest(
    () => openBackend(backend),
    (x) => {
      b = x
      loop = b.pgDb ? new PgLoopRepository(b.pgDb) : new SqliteLoopRepository(b.sqliteDb!)
    },
    seed,
  )

  const label = (textId: number, labelIds: number[]) =>
    b.annotations.set({ projectId: 1, textId, labelIds, annotator: 'ana' })

  it('saves settings and reads them back; none before the first save', async () => {
    expect(await loop.settings(1)).toBeUndefined()
    await loop.saveSettings(1, { ...DEFAULTS, auditRate: 0.25 })
    expect(await loop.settings(1)).toEqual({ ...DEFAULTS, auditRate: 0.25 })
    await loop.saveSettings(1, { ...DEFAULTS, enabled: false, showSuggestions: false, mixEvery: 7 })
    expect(await loop.settings(1)).toEqual({
      ...DEFAULTS,
      enabled: false,
      showSuggestions: false,
      mixEvery: 7,
    })
    expect(await loop.settings(2)).toBeUndefined()
  })

  it('draws the audit sample once per text, from unlabelled texts above the last draw', async () => {
    await label(11, [yes])
    const calls: [number[], number][] = []
    const pick = (chosen: number[]) => (candidates: number[], through: number) => {
      calls.push([candidates, through])
      return chosen
    }
    expect(await loop.drawAudit(1, DEFAULTS, pick([12, 14]))).toBe(2)
    expect(calls).toEqual([[[12, 13, 14], 0]])
    // The draw saved the defaults, with the texts considered so far.
    expect(await loop.settings(1)).toEqual(DEFAULTS)
    expect(await b.all('SELECT audit_drawn_through FROM loop_settings')).toEqual([
      { audit_drawn_through: 14 },
    ])
    // Nothing new: no choice offered; a new text is offered alone.
    expect(await loop.drawAudit(1, DEFAULTS, pick([13]))).toBe(2)
    expect(calls).toHaveLength(1)
    await b.exec(
      "INSERT INTO texts (id, project_id, text, content_hash) VALUES (15, 1, '咳嗽三天。', 'h15')",
    )
    expect(await loop.drawAudit(1, DEFAULTS, pick([15]))).toBe(3)
    expect(calls[1]).toEqual([[15], 14])
    expect(await loop.drawAudit(99, DEFAULTS, pick([1]))).toBe(0)
    expect(calls).toHaveLength(2)

    expect(await loop.auditTextIds(1)).toEqual([12, 14, 15])
    expect(await loop.auditTextIds(2)).toEqual([])
    expect(await loop.isAudit(12)).toBe(true)
    expect(await loop.isAudit(13)).toBe(false)
    expect(await loop.auditCounts(1)).toEqual({ sampleSize: 3, labelled: 0 })
    await label(12, [no])
    expect(await loop.auditCounts(1)).toEqual({ sampleSize: 3, labelled: 1 })
    expect(await loop.auditCounts(2)).toEqual({ sampleSize: 0, labelled: 0 })
  })

  it('snapshots training texts, texts to score and the history mark together', async () => {
    await loop.drawAudit(1, DEFAULTS, () => [12])
    await label(11, [yes])
    await label(12, [no]) // audit: scored, never trained on
    await label(13, [no])
    await label(13, [yes, no]) // two labels now: not a training text
    await label(14, [yes])
    await b.annotations.skip({ projectId: 1, textId: 14, actor: 'ana' })
    const snap = await loop.trainingSnapshot(1)
    const history = await b.all<{ id: number }>(
      'SELECT id FROM annotation_history WHERE project_id = 1 ORDER BY id DESC',
    )
    expect(snap).toEqual({
      labelIds: [1, 2, 3],
      train: [{ textId: 11, text: TEXTS[11], labelId: yes }],
      score: [{ textId: 12, text: TEXTS[12] }],
      historyId: history[0].id,
    })
    expect(await loop.newLabelsSince(1, 0)).toBe(5)
    expect(await loop.newLabelsSince(1, history[2].id)).toBe(2)
    expect(await loop.newLabelsSince(1, snap.historyId)).toBe(0)
    expect(await loop.trainingSnapshot(2)).toEqual({
      labelIds: [4],
      train: [],
      score: [{ textId: 21, text: 'Fieber 39,2 °C.' }],
      historyId: 0,
    })
  })

  it('keeps a model incomplete until completed, and one latest suggestion per text', async () => {
    const first = await loop.addModel({ ...model, labelIds: [yes, no], trainSeconds: 0.5 })
    expect(await loop.model(first)).toMatchObject({
      id: first,
      ...model,
      labelIds: [yes, no],
      trainSeconds: 0.5,
      completedAt: null,
    })
    expect(await loop.latestModel(1)).toBeUndefined()
    await loop.writeSuggestions(
      1,
      first,
      [
        { textId: 11, labels: probs(yes, 0.5) },
        { textId: 12, labels: probs(no, 0.75) },
        { textId: 21, labels: probs(yes, 1) }, // another project's text: never written
        { textId: 999, labels: probs(yes, 1) }, // no such text
        { textId: 13, labels: probs(yes, 0.25) },
        { textId: 13, labels: probs(no, 0.875) }, // the last given wins
      ],
      2,
    )
    const all = await loop.suggestionsOf(first)
    expect(all).toEqual([
      { textId: 11, projectId: 1, modelId: first, labels: probs(yes, 0.5) },
      { textId: 12, projectId: 1, modelId: first, labels: probs(no, 0.75) },
      { textId: 13, projectId: 1, modelId: first, labels: probs(no, 0.875) },
    ])
    expect(await loop.suggestion(21)).toBeUndefined()
    await loop.completeModel(first)
    const latest = await loop.latestModel(1)
    expect(latest?.id).toBe(first)
    expect(latest?.completedAt).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(await loop.latestModel(2)).toBeUndefined()

    const next = await loop.addModel({ ...model, labelIds: [yes, no], trainSeconds: 1.25 })
    expect(next).toBeGreaterThan(first)
    await loop.writeSuggestions(1, next, [{ textId: 12, labels: probs(yes, 1) }])
    expect(await loop.suggestion(12)).toEqual({
      textId: 12,
      projectId: 1,
      modelId: next,
      labels: probs(yes, 1),
    })
    expect((await loop.suggestionsOf(first)).map((s) => s.textId)).toEqual([11, 13])
    // Still the first until the next is complete.
    expect((await loop.latestModel(1))?.id).toBe(first)
    await loop.completeModel(next)
    expect((await loop.latestModel(1))?.id).toBe(next)
    // A model gone meanwhile (its project deleted): nothing is written, no error.
    await b.exec('DELETE FROM loop_models WHERE id = ?', [next])
    await loop.writeSuggestions(1, next, [{ textId: 14, labels: probs(yes, 1) }])
    expect(await loop.suggestion(14)).toBeUndefined()
    expect(await b.all('SELECT COUNT(*) AS n FROM annotation_labels')).toEqual([{ n: 0 }])
  })

  it('records what was shown before a label, and counts agreement and audit pairs', async () => {
    const m = await loop.addModel({ ...model, labelIds: [yes, no], trainSeconds: 0.5 })
    await loop.drawAudit(1, DEFAULTS, () => [12, 13])
    const shown = (textId: number, labelId: number) =>
      loop.recordShown({ projectId: 1, textId, modelId: m, labelId, probability: 0.625 })
    expect(await shown(11, no)).toBe(true)
    expect(await shown(11, yes)).toBe(true) // replaced while still unlabelled
    expect(await shown(12, no)).toBe(true)
    expect(await shown(14, yes)).toBe(true)
    expect(await loop.agreement(1)).toEqual({ compared: 0, equal: 0 })
    await label(11, [yes])
    expect(await shown(11, no)).toBe(false) // labelled: what was shown before it stays
    await label(12, [yes])
    expect(await b.all('SELECT label_id, probability FROM loop_shown WHERE text_id = 11')).toEqual([
      { label_id: yes, probability: 0.625 },
    ])
    expect(await loop.agreement(1)).toEqual({ compared: 2, equal: 1 })
    expect(await loop.agreement(2)).toEqual({ compared: 0, equal: 0 })

    await loop.writeSuggestions(1, m, [
      { textId: 12, labels: probs(no, 0.75) },
      { textId: 13, labels: probs(yes, 0.5) },
    ])
    await label(13, [yes, no]) // two labels: no pair
    expect(await loop.auditPairs(1, m)).toEqual([
      { textId: 12, labelId: yes, labels: probs(no, 0.75) },
    ])
    expect(await loop.auditPairs(1, m + 1)).toEqual([])
  })
})

describe('loop repository (postgres, several clients)', () => {
  let b: R2Backend
  let other: pg.Client
  let loop: PgLoopRepository
  beforeEach(async () => {
    b = await openBackend('postgres')
    other = new pg.Client({ connectionString: b.pgUrl })
    await seed(b)
    loop = new PgLoopRepository(b.pgDb!)
    await other.connect()
  })
  afterEach(async () => {
    await other.end()
    await b.close()
  })

  it('draws the audit sample only after an import in flight commits, so no text is skipped', async () => {
    await loop.drawAudit(1, DEFAULTS, () => [])
    // An import whose text (a lower id) has not committed yet, while a later one has.
    await other.query('BEGIN')
    await other.query(
      "INSERT INTO texts (id, project_id, text, content_hash) VALUES (16, 1, 'Husten 咳嗽', 'h16')",
    )
    await b.exec(
      "INSERT INTO texts (id, project_id, text, content_hash) VALUES (17, 1, 'Kein Husten.', 'h17')",
    )
    const offered: number[][] = []
    let done = false
    const drawing = loop
      .drawAudit(1, DEFAULTS, (candidates) => (offered.push(candidates), candidates))
      .finally(() => (done = true))
    await new Promise((r) => setTimeout(r, 300))
    expect(done).toBe(false)
    await other.query('COMMIT')
    expect(await drawing).toBe(2)
    expect(offered).toEqual([[16, 17]])
  })

  it('takes its snapshot only after a label write in flight commits, so no label is missed', async () => {
    // A label write that drew its history id first and has not committed yet…
    await other.query('BEGIN')
    await other.query(
      `INSERT INTO annotation_history (project_id, text_id, action, before_label_ids,
         after_label_ids, target_id, undo_state, annotator, created_at)
       VALUES (1, 11, 'set', '[]', '[1]', NULL, 0, 'ben', '2026-01-01T00:00:00.000Z')`,
    )
    await other.query('INSERT INTO annotation_labels (text_id, label_id) VALUES (11, 1)')
    // …while a later one (a higher id) commits.
    await b.annotations.set({ projectId: 1, textId: 12, labelIds: [no], annotator: 'ana' })
    let done = false
    const snapshot = loop.trainingSnapshot(1).finally(() => (done = true))
    await new Promise((r) => setTimeout(r, 300))
    expect(done).toBe(false)
    await other.query('COMMIT')
    const snap = await snapshot
    expect(snap.train.map((t) => t.textId)).toEqual([11, 12])
    expect(await loop.newLabelsSince(1, snap.historyId)).toBe(0)
  })
})
