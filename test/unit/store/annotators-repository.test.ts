// Several annotators in the store (issue #12): each annotator's own row per text, gold labels
// re-resolved on every change, undo/redo per annotator, profiles, settings, adjudication and imports.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_ANNOTATION_SETTINGS } from '../../../preload/contract/annotators'
import { contentHash } from '../../../main/store/content-hash'
import type { StagedRow } from '../../../main/store/imports-repository'
import { openWorkspace, type Workspace } from '../../../main/store/workspace'

let home: string
let ws: Workspace
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'cts-annotators-'))
  ws = openWorkspace(home)
})
afterEach(() => {
  ws.close()
  rmSync(home, { recursive: true, force: true })
})

const gold = (textId: number) =>
  ws.db
    .prepare('SELECT label_id FROM annotation_labels WHERE text_id = ? ORDER BY label_id')
    .pluck()
    .all(textId)
const ownRows = (textId: number) =>
  ws.db
    .prepare(
      'SELECT annotator, label_ids, origin FROM annotator_labels WHERE text_id = ? ORDER BY annotator',
    )
    .all(textId)
const audit = (action: string): Record<string, unknown>[] =>
  (
    ws.db
      .prepare('SELECT actor, details FROM audit_log WHERE action = ? ORDER BY id')
      .all(action) as { actor: string; details: string }[]
  ).map((r) => ({ actor: r.actor, ...(JSON.parse(r.details) as Record<string, unknown>) }))

/** Project 1 (kind as given) with labels 1 健康, 2 疾病, 3 other; texts 1–4. */
async function project(kind: 'binary' | 'multiclass' | 'multilabel' = 'multiclass') {
  await ws.repos.projects.create({
    name: '门诊',
    kind,
    labels: ['健康', '疾病', 'other'],
    actor: 't',
  })
  for (const text of ['无不适 fine', '发热 fever', '咳嗽 cough', '头痛 headache'])
    ws.db
      .prepare('INSERT INTO texts (project_id, text, content_hash) VALUES (1, ?, ?)')
      .run(text, contentHash(text))
  return { projectId: 1 }
}

const set = (textId: number, annotator: string, labelIds: number[]) =>
  ws.repos.annotations.set({ projectId: 1, textId, labelIds, annotator })
const step = (action: 'undo' | 'redo', annotator: string) =>
  ws.repos.annotations.step({ projectId: 1, action, actor: annotator, annotator })

describe('annotator rows and gold labels', () => {
  it('keeps each annotator’s labels; none overwrites another; gold follows the policy', async () => {
    await project('binary')
    expect(await set(1, 'Dr Li', [1])).toEqual({ textId: 1, labelIds: [1], revision: 1 })
    expect(gold(1)).toEqual([1])
    // A second annotator disagrees: both rows kept, the tie excludes the text.
    expect(await set(1, '王医生', [2])).toEqual({ textId: 1, labelIds: [2], revision: 2 })
    expect(ownRows(1)).toEqual([
      { annotator: 'Dr Li', label_ids: '[1]', origin: 'local' },
      { annotator: '王医生', label_ids: '[2]', origin: 'local' },
    ])
    expect(gold(1)).toEqual([])
    expect(ws.db.prepare('SELECT revision, annotator FROM annotations').get()).toEqual({
      revision: 2,
      annotator: '王医生',
    })
    // A third breaks the tie.
    await set(1, 'Ann', [1])
    expect(gold(1)).toEqual([1])
    const resolution = await ws.repos.annotators.resolution(1)
    expect(resolution).toEqual(new Map([[1, { labelIds: [1], how: 'majority' }]]))
    // History records each annotator's own labels; null = they had no row before.
    expect(
      ws.db
        .prepare(
          'SELECT before_label_ids, after_label_ids, annotator FROM annotation_history ORDER BY id',
        )
        .all(),
    ).toEqual([
      { before_label_ids: 'null', after_label_ids: '[1]', annotator: 'Dr Li' },
      { before_label_ids: 'null', after_label_ids: '[2]', annotator: '王医生' },
      { before_label_ids: 'null', after_label_ids: '[1]', annotator: 'Ann' },
    ])
  })

  it('setting what the annotator already has changes nothing, even when gold differs', async () => {
    await project('binary')
    await set(1, 'a', [1])
    await set(1, 'b', [2])
    const history = ws.db.prepare('SELECT COUNT(*) FROM annotation_history').pluck()
    const audits = ws.db.prepare('SELECT COUNT(*) FROM audit_log').pluck()
    const [h, n] = [history.get(), audits.get()]
    expect(await set(1, 'a', [1])).toEqual({ textId: 1, labelIds: [1], revision: 2 })
    // Clearing a text that has no labels and no row of theirs: nothing either (as with one annotator).
    expect(await set(2, 'a', [])).toEqual({ textId: 2, labelIds: [], revision: 0 })
    expect([history.get(), audits.get()]).toEqual([h, n])
    expect(ownRows(2)).toEqual([])
    // A text with no labels whose tie nobody can change by clearing: nothing either.
    expect(await set(1, 'c', [])).toEqual({ textId: 1, labelIds: [], revision: 2 })
    expect([history.get(), audits.get()]).toEqual([h, n])
    // But clearing an imported (reference) label is their change: their empty row hides it.
    ws.db.prepare("INSERT INTO annotator_labels VALUES (3, 1, '', '[2]', 'import', 't')").run()
    ws.db.prepare('INSERT INTO annotation_labels VALUES (3, 2)').run()
    expect(await set(3, 'c', [])).toEqual({ textId: 3, labelIds: [], revision: 3 })
    expect(gold(3)).toEqual([])
    expect(ownRows(3)).toEqual([
      { annotator: '', label_ids: '[2]', origin: 'import' },
      { annotator: 'c', label_ids: '[]', origin: 'local' },
    ])
  })

  it('undo/redo walk only the annotator’s own changes; undoing a first label removes their row', async () => {
    await project()
    await set(1, 'a', [1])
    await set(2, 'b', [2])
    await set(1, 'a', [3])
    // b's undo reverts b's change, not a's later one.
    expect(await step('undo', 'b')).toEqual({ textId: 2, labelIds: [], revision: 4 })
    expect(ownRows(2)).toEqual([])
    expect(gold(2)).toEqual([])
    expect(await step('undo', 'b')).toBeNull()
    expect(await step('undo', 'a')).toEqual({ textId: 1, labelIds: [1], revision: 5 })
    expect(gold(1)).toEqual([1])
    // A new change by b does not clear a's redo stack.
    await set(3, 'b', [2])
    expect(await step('redo', 'a')).toEqual({ textId: 1, labelIds: [3], revision: 7 })
    expect(gold(1)).toEqual([3])
    expect(await step('redo', 'a')).toBeNull()
    // b's redo stack was cleared by b's own new change.
    expect(await step('redo', 'b')).toBeNull()
    expect(audit('label.undo').map((e) => [e.actor, e.labelIds])).toEqual([
      ['b', []],
      ['a', [1]],
    ])
  })

  it('with one annotator, a changed import label and its undo give exactly the old behaviour', async () => {
    await project()
    ws.db.prepare("INSERT INTO annotator_labels VALUES (1, 1, '', '[2]', 'import', 't')").run()
    ws.db.prepare('INSERT INTO annotation_labels VALUES (1, 2)').run()
    expect(await set(1, 'me', [])).toEqual({ textId: 1, labelIds: [], revision: 1 })
    expect(gold(1)).toEqual([])
    expect(await step('undo', 'me')).toEqual({ textId: 1, labelIds: [], revision: 2 })
    expect(gold(1)).toEqual([2])
    expect(ownRows(1)).toEqual([{ annotator: '', label_ids: '[2]', origin: 'import' }])
    expect(await step('redo', 'me')).toEqual({ textId: 1, labelIds: [], revision: 3 })
    expect(gold(1)).toEqual([])
  })

  it('labels clear a skip; a cleared label does not', async () => {
    await project()
    await ws.repos.annotations.skip({ projectId: 1, textId: 1, actor: 'a' })
    await set(1, 'b', [])
    expect(ws.db.prepare('SELECT skipped FROM annotations WHERE text_id = 1').pluck().get()).toBe(1)
    await set(1, 'a', [2])
    expect(ws.db.prepare('SELECT skipped FROM annotations WHERE text_id = 1').pluck().get()).toBe(0)
  })
})

describe('AnnotatorsRepository', () => {
  it('profiles: chosen ones and names from labels, with labelled texts; use() sets current', async () => {
    await project()
    const { annotators } = ws.repos
    expect(await annotators.current()).toBeNull()
    await set(1, 'Bo', [1])
    await set(2, 'Bo', [1])
    await set(3, 'Bo', [])
    await annotators.use('李医生', 'osuser')
    await annotators.use('Bo', 'osuser')
    await annotators.use('李医生', 'osuser')
    expect(await annotators.current()).toBe('李医生')
    const profiles = await annotators.profiles()
    expect(profiles.map((p) => [p.name, p.annotations, p.createdAt === null])).toEqual([
      ['Bo', 2, false],
      ['李医生', 0, false],
    ])
    expect(audit('annotator.use')).toEqual([
      { actor: 'osuser', name: '李医生', previous: null, created: true },
      { actor: 'osuser', name: 'Bo', previous: '李医生', created: true },
      { actor: 'osuser', name: '李医生', previous: 'Bo', created: false },
    ])
  })

  it('settings: defaults, then stored; changing the tie policy re-resolves gold at once', async () => {
    await project()
    const { annotators } = ws.repos
    expect(await annotators.settings(1)).toEqual(DEFAULT_ANNOTATION_SETTINGS)
    await set(1, 'a', [1])
    await set(1, 'b', [2])
    expect(gold(1)).toEqual([])
    const next = {
      ...DEFAULT_ANNOTATION_SETTINGS,
      team: ['a', 'b'],
      overlap: 0.2,
      tiePolicy: 'annotator' as const,
      tieAnnotator: 'b',
    }
    await annotators.setSettings(1, next, 'lead')
    expect(await annotators.settings(1)).toEqual(next)
    expect(gold(1)).toEqual([2])
    expect((await annotators.resolution(1)).get(1)).toEqual({ labelIds: [2], how: 'tie-annotator' })
    expect(audit('annotation.settings')).toEqual([
      { actor: 'lead', old: DEFAULT_ANNOTATION_SETTINGS, new: next },
    ])
  })

  it('rows (named, not cleared), own labels, text hashes', async () => {
    await project()
    const { annotators } = ws.repos
    ws.db.prepare("INSERT INTO annotator_labels VALUES (4, 1, '', '[3]', 'import', 't')").run()
    await set(2, 'b', [2])
    await set(1, 'b', [1])
    await set(1, 'a', [1])
    await set(3, 'a', [2])
    await set(3, 'a', [])
    expect((await annotators.rows(1)).map((r) => [r.textId, r.annotator, r.labelIds])).toEqual([
      [1, 'a', [1]],
      [1, 'b', [1]],
      [2, 'b', [2]],
    ])
    expect(await annotators.ownLabels(1, 'a', [1, 2, 3, 4])).toEqual(
      new Map([
        [1, [1]],
        [3, []],
      ]),
    )
    expect(await annotators.ownLabels(2, 'a', [1])).toEqual(new Map())
    expect((await annotators.textHashes(1)).map((t) => t.id)).toEqual([1, 2, 3, 4])
    expect((await annotators.textHashes(1))[1].contentHash).toBe(contentHash('发热 fever'))
    expect(await annotators.resolutionCounts(1)).toEqual({
      adjudicated: 0,
      agreed: 1,
      majority: 0,
      single: 1,
      'tie-annotator': 0,
      excluded: 0,
      reference: 1,
      none: 1,
    })
  })

  it('adjudication: becomes gold, audited with the previous one, reverts to the resolution', async () => {
    await project('binary')
    const { annotators } = ws.repos
    await set(1, 'a', [1])
    await set(1, 'b', [2])
    const adjudicate = {
      projectId: 1,
      textId: 1,
      labelIds: [2],
      adjudicator: '主任',
      note: '见病理 see pathology',
    }
    expect(await annotators.adjudicate({ ...adjudicate, projectId: 2 })).toBe(false)
    expect(await annotators.adjudicate(adjudicate)).toBe(true)
    expect(gold(1)).toEqual([2])
    expect(await annotators.adjudicate({ ...adjudicate, labelIds: [1], note: null })).toBe(true)
    expect(gold(1)).toEqual([1])
    const adj = await annotators.adjudications(1)
    expect([...adj.keys()]).toEqual([1])
    expect(adj.get(1)).toMatchObject({ labelIds: [1], adjudicator: '主任', note: null })
    expect((await annotators.resolutionCounts(1)).adjudicated).toBe(1)
    // Annotator changes do not move an adjudicated gold label.
    await set(1, 'a', [2])
    expect(gold(1)).toEqual([1])
    expect(await annotators.revertAdjudication({ projectId: 1, textId: 1, actor: '主任' })).toBe(
      true,
    )
    expect(gold(1)).toEqual([2])
    expect(await annotators.revertAdjudication({ projectId: 1, textId: 1, actor: '主任' })).toBe(
      false,
    )
    const sets = audit('adjudication.set')
    expect(
      sets.map((e) => (e.previous as { labelIds: number[] } | null)?.labelIds ?? null),
    ).toEqual([null, [2]])
    expect(sets[0]).toMatchObject({
      actor: '主任',
      textId: 1,
      labelIds: [2],
      note: '见病理 see pathology',
    })
    expect(audit('adjudication.revert')).toMatchObject([
      { actor: '主任', textId: 1, previous: { labelIds: [1], adjudicator: '主任', note: null } },
    ])
    // A deleted project takes its rows and adjudications with it.
    await annotators.adjudicate(adjudicate)
    ws.db.prepare('DELETE FROM projects').run()
    expect(ws.db.prepare('SELECT COUNT(*) FROM annotator_labels').pluck().get()).toBe(0)
    expect(ws.db.prepare('SELECT COUNT(*) FROM adjudications').pluck().get()).toBe(0)
  })
})

describe('imports record whose labels they are', () => {
  const row = (n: number, text: string, labels: string[]): StagedRow => ({
    row: n,
    text,
    hash: contentHash(text),
    externalId: null,
    groupId: null,
    split: null,
    labels,
  })
  async function importRows(rows: StagedRow[], annotator?: string) {
    const stage = await ws.repos.imports.stage()
    try {
      await stage.addBatch(rows)
      const labelCount = (await ws.repos.projects.labels(1)).length
      return await stage.commit({
        projectId: 1,
        expectedLabelCount: labelCount,
        labelsToAdd: [],
        fileName: 'f.csv',
        encoding: null,
        duplicates: 0,
        rejected: 0,
        actor: 'os',
        annotator,
      })
    } finally {
      await stage.drop()
    }
  }

  it('without an annotator: reference rows; gold as before', async () => {
    await project()
    expect(
      await importRows([
        row(2, '新 new', ['疾病']),
        row(3, '空 empty', []),
        row(4, '未知 unknown', ['nope']),
      ]),
    ).toEqual({
      importId: 1,
      imported: 3,
      duplicates: 0,
    })
    expect(
      ws.db.prepare('SELECT text_id, annotator, label_ids, origin FROM annotator_labels').all(),
    ).toEqual([{ text_id: 5, annotator: '', label_ids: '[2]', origin: 'import' }])
    expect(gold(5)).toEqual([2])
    expect((await ws.repos.annotators.resolution(1)).get(5)).toEqual({
      labelIds: [2],
      how: 'reference',
    })
  })

  it('with an annotator: their rows on new texts, and on held texts where they had none', async () => {
    await project()
    await set(1, 'Dr Li', [3])
    await set(2, 'other', [1])
    const result = await importRows(
      [
        row(2, '无不适 fine', ['健康']),
        row(3, '发热 fever', ['疾病']),
        row(4, '新 new', ['疾病', '健康']),
      ],
      'Dr Li',
    )
    expect(result).toEqual({ importId: 1, imported: 1, duplicates: 2 })
    // Text 1: Dr Li's own label is not overwritten by the file. Text 2: added beside 'other'.
    expect(ownRows(1)).toEqual([{ annotator: 'Dr Li', label_ids: '[3]', origin: 'local' }])
    expect(ownRows(2)).toEqual([
      { annotator: 'Dr Li', label_ids: '[2]', origin: 'import' },
      { annotator: 'other', label_ids: '[1]', origin: 'local' },
    ])
    expect(gold(2)).toEqual([])
    // Text 5 (new): a multi-label cell in a single-label project is stored as the file had it.
    expect(ownRows(5)).toEqual([{ annotator: 'Dr Li', label_ids: '[1,2]', origin: 'import' }])
    expect(gold(5)).toEqual([1, 2])
    expect(audit('import')[0]).toMatchObject({ annotator: 'Dr Li', imported: 1 })
  })
})
