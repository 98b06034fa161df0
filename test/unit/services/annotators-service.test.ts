// Profiles, per-annotator label writes and undo, annotation settings and progress (issue #12
// points 1 and 2): exact outcomes on a small bilingual project.
import { afterEach, describe, expect, it } from 'vitest'
import type { SourceRecord } from '../../../main/data/types'
import { assignment } from '../../../main/services/annotation-assignment'
import { contentHash } from '../../../main/store/content-hash'
import type { CtsError } from '../../../main/shared'
import { tempServices } from './fixtures'
import { anyFile, ArrayReader, textMapping } from './test-reader'

let app: ReturnType<typeof tempServices>
afterEach(() => app?.dispose())

const NOTES = [
  '胸痛三天 chest pain',
  'cough and fever',
  '头痛 headache',
  'routine check-up',
  '咳嗽一周',
]

/** A multiclass project with texts 1–5 (unlabelled) and labels 1–3 named A, B, C. */
async function project(records: SourceRecord[] = NOTES.map((text, i) => ({ row: i + 2, text }))) {
  app = tempServices({ sourceReader: new ArrayReader(() => records) })
  const p = await app.handlers['projects/create']({
    name: 'Notes',
    kind: 'multiclass',
    labels: ['A', 'B', 'C'],
  })
  await app.handlers['datasets/import']({
    projectId: p.id,
    file: anyFile,
    mapping: { ...textMapping, label: 'label' },
  })
  return p.id
}

const ownRows = () =>
  app.workspace.db
    .prepare(
      'SELECT text_id AS textId, annotator, label_ids AS labelIds FROM annotator_labels ORDER BY text_id, annotator',
    )
    .all()

async function failure(p: Promise<unknown>): Promise<CtsError> {
  try {
    await p
  } catch (e) {
    return e as CtsError
  }
  throw new Error('expected the call to fail')
}

describe('annotators/list and annotators/use', () => {
  it('starts with no profile, records labels as the OS user, then as the chosen profile', async () => {
    await project()
    const h = app.handlers
    expect(await h['annotators/list']({})).toEqual({
      current: null,
      osUser: 'tester',
      profiles: [],
    })
    await h['labels/set']({ textId: 1, labelIds: [1] })
    const used = await h['annotators/use']({ name: '  Dr Li ' })
    expect(used.current).toBe('Dr Li')
    expect(used.profiles.map((p) => [p.name, p.annotations, p.createdAt !== null])).toEqual([
      ['Dr Li', 0, true],
      ['tester', 1, false],
    ])
    await h['labels/set']({ textId: 2, labelIds: [2] })
    expect(ownRows()).toEqual([
      { textId: 1, annotator: 'tester', labelIds: '[1]' },
      { textId: 2, annotator: 'Dr Li', labelIds: '[2]' },
    ])
    const switched = await h['annotators/use']({ name: '王医生' })
    expect(switched.current).toBe('王医生')
    expect(switched.profiles.map((p) => p.name)).toEqual(['Dr Li', 'tester', '王医生'])
  })
})

describe('several annotators on one text', () => {
  it('keeps one row per annotator; neither overwrites the other; gold follows the policy', async () => {
    const projectId = await project()
    const h = app.handlers
    expect(await h['labels/set']({ textId: 1, labelIds: [1], annotator: 'Dr Li' })).toMatchObject({
      labelIds: [1],
    })
    expect(await h['labels/set']({ textId: 1, labelIds: [2], annotator: '王医生' })).toMatchObject({
      labelIds: [2],
    })
    expect(ownRows()).toEqual([
      { textId: 1, annotator: 'Dr Li', labelIds: '[1]' },
      { textId: 1, annotator: '王医生', labelIds: '[2]' },
    ])
    // A tie with the default policy ('exclude'): no gold label.
    expect((await h['texts/get']({ textId: 1 })).labelIds).toEqual([])
    await h['annotation/setSettings']({ projectId, tiePolicy: 'annotator', tieAnnotator: '王医生' })
    expect((await h['texts/get']({ textId: 1 })).labelIds).toEqual([2])
    // A third annotator makes a majority.
    await h['labels/set']({ textId: 1, labelIds: [1], annotator: 'Ana' })
    expect((await h['texts/get']({ textId: 1 })).labelIds).toEqual([1])
    expect(ownRows()).toHaveLength(3)
  })

  it('undoes and redoes only the given annotator’s own changes', async () => {
    const projectId = await project()
    const h = app.handlers
    await h['labels/set']({ textId: 1, labelIds: [1], annotator: 'Dr Li' })
    await h['labels/set']({ textId: 2, labelIds: [2], annotator: '王医生' })
    await h['labels/set']({ textId: 1, labelIds: [3], annotator: 'Dr Li' })
    await h['labels/set']({ textId: 1, labelIds: [2], annotator: '王医生' })
    // Dr Li's latest change (text 1: [1] → [3]) is undone; 王医生's rows stay.
    expect(await h['labels/undo']({ projectId, annotator: 'Dr Li' })).toMatchObject({
      textId: 1,
      labelIds: [1],
    })
    expect(ownRows()).toEqual([
      { textId: 1, annotator: 'Dr Li', labelIds: '[1]' },
      { textId: 1, annotator: '王医生', labelIds: '[2]' },
      { textId: 2, annotator: '王医生', labelIds: '[2]' },
    ])
    // Dr Li's first change: they had no row, so undo removes it.
    expect(await h['labels/undo']({ projectId, annotator: 'Dr Li' })).toMatchObject({
      textId: 1,
      labelIds: [],
    })
    expect(await h['labels/undo']({ projectId, annotator: 'Dr Li' })).toBeNull()
    expect(ownRows()).toEqual([
      { textId: 1, annotator: '王医生', labelIds: '[2]' },
      { textId: 2, annotator: '王医生', labelIds: '[2]' },
    ])
    expect(await h['labels/redo']({ projectId, annotator: 'Dr Li' })).toMatchObject({
      textId: 1,
      labelIds: [1],
    })
    // Without an annotator: the current profile's (none chosen: the OS user, who has no changes).
    expect(await h['labels/undo']({ projectId })).toBeNull()
    await h['annotators/use']({ name: '王医生' })
    expect(await h['labels/undo']({ projectId })).toMatchObject({ textId: 1, labelIds: [] })
    expect(ownRows()).toEqual([
      { textId: 1, annotator: 'Dr Li', labelIds: '[1]' },
      { textId: 2, annotator: '王医生', labelIds: '[2]' },
    ])
  })
})

describe('annotation/settings and annotation/setSettings', () => {
  it('starts with the defaults and changes only what is given', async () => {
    const projectId = await project()
    const h = app.handlers
    expect(await h['annotation/settings']({ projectId })).toEqual({
      team: [],
      overlap: 0,
      overlapAnnotators: 2,
      seed: 1,
      blind: true,
      tiePolicy: 'exclude',
      tieAnnotator: null,
    })
    expect(
      await h['annotation/setSettings']({
        projectId,
        team: ['Dr Li', '王医生', 'Dr Li'],
        overlap: 0.2,
      }),
    ).toEqual({
      team: ['Dr Li', '王医生'],
      overlap: 0.2,
      overlapAnnotators: 2,
      seed: 1,
      blind: true,
      tiePolicy: 'exclude',
      tieAnnotator: null,
    })
    const later = await h['annotation/setSettings']({ projectId, blind: false, seed: 7 })
    expect(later).toMatchObject({ team: ['Dr Li', '王医生'], overlap: 0.2, blind: false, seed: 7 })
    expect(await h['annotation/settings']({ projectId })).toEqual(later)
  })

  it('refuses a tie policy without its annotator, naming the field', async () => {
    const projectId = await project()
    const e = await failure(
      app.handlers['annotation/setSettings']({ projectId, tiePolicy: 'annotator' }),
    )
    expect(e.code).toBe('bad-input')
    expect(e.message).toMatch(/^tieAnnotator: ties are settled by one annotator’s label/)
    expect(e.details).toEqual({
      issues: [{ path: ['tieAnnotator'], message: e.message, fromSchema: false }],
    })
    expect((await app.handlers['annotation/settings']({ projectId })).tiePolicy).toBe('exclude')
  })

  it('refuses more annotators per overlap text than the team has, naming the field', async () => {
    const projectId = await project()
    const e = await failure(
      app.handlers['annotation/setSettings']({
        projectId,
        team: ['Dr Li', '王医生'],
        overlap: 0.5,
        overlapAnnotators: 3,
      }),
    )
    expect(e.code).toBe('bad-input')
    expect(e.message).toBe(
      'overlapAnnotators: each double-annotated text goes to 3 annotators, but the team has 2 (Dr Li, 王医生). Add team members or lower the number.',
    )
    expect((e.details as { issues: { path: string[] }[] }).issues[0]!.path).toEqual([
      'overlapAnnotators',
    ])
    // Without overlap, or without a team, the number does not matter.
    await app.handlers['annotation/setSettings']({
      projectId,
      team: ['Dr Li'],
      overlap: 0,
      overlapAnnotators: 3,
    })
    await app.handlers['annotation/setSettings']({ projectId, team: [], overlap: 0.5 })
  })

  it('refuses settings of a project that does not exist', async () => {
    await project()
    expect((await failure(app.handlers['annotation/settings']({ projectId: 99 }))).code).toBe(
      'not-found',
    )
  })
})

describe('annotation/progress', () => {
  it('counts each team member’s share and what they labelled of it', async () => {
    const projectId = await project()
    const h = app.handlers
    const settings = await h['annotation/setSettings']({
      projectId,
      team: ['Dr Li', '王医生'],
      overlap: 0.5,
      seed: 4,
    })
    // Seed 4 gives: text 2 double-annotated; 1 and 3 Dr Li's, 4 and 5 王医生's.
    expect(NOTES.map((text) => assignment(contentHash(text), settings))).toEqual([
      { overlap: false, annotators: ['Dr Li'] },
      { overlap: true, annotators: ['Dr Li', '王医生'] },
      { overlap: false, annotators: ['Dr Li'] },
      { overlap: false, annotators: ['王医生'] },
      { overlap: false, annotators: ['王医生'] },
    ])
    for (const textId of [1, 2, 3]) {
      await h['labels/set']({ textId, labelIds: [1], annotator: 'Dr Li' })
    }
    await h['labels/set']({ textId: 2, labelIds: [2], annotator: '王医生' })
    // A label outside one's share is kept, but is not progress on the share.
    await h['labels/set']({ textId: 1, labelIds: [3], annotator: '王医生' })
    expect(await h['annotation/progress']({ projectId })).toEqual({
      texts: 5,
      overlapTexts: 1,
      multiplyAnnotated: 2,
      perAnnotator: [
        { annotator: 'Dr Li', assigned: 3, done: 3, overlapAssigned: 1, overlapDone: 1 },
        { annotator: '王医生', assigned: 3, done: 1, overlapAssigned: 1, overlapDone: 1 },
      ],
    })
  })

  it('without a team: everyone with a profile or labels, every text assigned, no overlap', async () => {
    const projectId = await project()
    const h = app.handlers
    await h['annotators/use']({ name: 'Ana' })
    await h['labels/set']({ textId: 1, labelIds: [1], annotator: 'Dr Li' })
    await h['labels/set']({ textId: 2, labelIds: [1], annotator: 'Dr Li' })
    await h['labels/set']({ textId: 2, labelIds: [2], annotator: '王医生' })
    // A cleared label is not progress.
    await h['labels/set']({ textId: 3, labelIds: [2], annotator: '王医生' })
    await h['labels/set']({ textId: 3, labelIds: [], annotator: '王医生' })
    const row = (annotator: string, done: number) => ({
      annotator,
      assigned: 5,
      done,
      overlapAssigned: 0,
      overlapDone: 0,
    })
    expect(await h['annotation/progress']({ projectId })).toEqual({
      texts: 5,
      overlapTexts: 0,
      multiplyAnnotated: 1,
      perAnnotator: [row('Ana', 0), row('Dr Li', 2), row('王医生', 1)],
    })
  })
})

describe('datasets/import with an annotator', () => {
  const labelled: SourceRecord[] = [
    { row: 2, text: '胸痛三天 chest pain', label: 'A' },
    { row: 3, text: 'cough and fever', label: 'B' },
    { row: 4, text: '头痛 headache' },
  ]

  it('records the file’s labels as that annotator’s; without one they are reference labels', async () => {
    app = tempServices({ sourceReader: new ArrayReader(() => labelled) })
    const h = app.handlers
    const named = await h['projects/create']({
      name: 'Named',
      kind: 'multiclass',
      labels: ['A', 'B'],
    })
    const plain = await h['projects/create']({
      name: 'Plain',
      kind: 'multiclass',
      labels: ['A', 'B'],
    })
    const mapping = { ...textMapping, label: 'label' }
    await h['datasets/import']({ projectId: named.id, file: anyFile, mapping, annotator: 'Dr Li' })
    await h['datasets/import']({ projectId: plain.id, file: anyFile, mapping })
    const rows = app.workspace.db
      .prepare(
        'SELECT project_id AS p, text_id AS t, annotator, label_ids AS l FROM annotator_labels ORDER BY project_id, text_id',
      )
      .all()
    const [a, b] = (await h['projects/get']({ projectId: named.id })).labels.map((l) => l.id)
    const [c, d] = (await h['projects/get']({ projectId: plain.id })).labels.map((l) => l.id)
    expect(rows).toEqual([
      { p: named.id, t: 1, annotator: 'Dr Li', l: `[${a}]` },
      { p: named.id, t: 2, annotator: 'Dr Li', l: `[${b}]` },
      { p: plain.id, t: 4, annotator: '', l: `[${c}]` },
      { p: plain.id, t: 5, annotator: '', l: `[${d}]` },
    ])
    // Gold labels are the same either way with one source of labels.
    const gold = async (projectId: number) =>
      (await h['texts/list']({ projectId, offset: 0, limit: 10 })).rows.map((r) => r.labelIds)
    expect(await gold(named.id)).toEqual([[a], [b], []])
    expect(await gold(plain.id)).toEqual([[c], [d], []])
    expect((await h['annotators/list']({})).profiles.map((p) => [p.name, p.annotations])).toEqual([
      ['Dr Li', 2],
    ])
  })
})
