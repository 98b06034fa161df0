// Texts as one annotator sees them (issue #12 point 2): texts/list and texts/get with `annotator`
// (own labels, blinding on double-annotated texts) and texts/next with `annotator` (their share,
// "unlabelled" by them). Exact labelIds on a small bilingual project.
import { afterEach, describe, expect, it } from 'vitest'
import type { SourceRecord } from '../../../main/data/types'
import { tempServices } from './fixtures'
import { anyFile, ArrayReader, textMapping } from './test-reader'

let app: ReturnType<typeof tempServices>
afterEach(() => app?.dispose())

// With team [Dr Li, 王医生], overlap 0.5 and seed 4 (pinned in annotators-service.test.ts):
// text 2 is double-annotated; 1 and 3 are Dr Li's, 4 and 5 王医生's.
const RECORDS: SourceRecord[] = [
  { row: 2, text: '胸痛三天 chest pain' },
  { row: 3, text: 'cough and fever' },
  { row: 4, text: '头痛 headache' },
  { row: 5, text: 'routine check-up' },
  { row: 6, text: '咳嗽一周', label: 'C' },
]
const TEAM = { team: ['Dr Li', '王医生'], overlap: 0.5, seed: 4 }

/** Labels A, B, C = ids 1, 2, 3; text 5 came with the reference label C. */
async function project() {
  app = tempServices({ sourceReader: new ArrayReader(() => RECORDS) })
  const h = app.handlers
  const p = await h['projects/create']({
    name: 'Notes',
    kind: 'multiclass',
    labels: ['A', 'B', 'C'],
  })
  await h['datasets/import']({
    projectId: p.id,
    file: anyFile,
    mapping: { ...textMapping, label: 'label' },
  })
  return p.id
}

/** Dr Li: 1 → A, 2 → A; 王医生: 2 → B, 4 → B. */
async function labelSome() {
  const h = app.handlers
  await h['labels/set']({ textId: 1, labelIds: [1], annotator: 'Dr Li' })
  await h['labels/set']({ textId: 2, labelIds: [1], annotator: 'Dr Li' })
  await h['labels/set']({ textId: 2, labelIds: [2], annotator: '王医生' })
  await h['labels/set']({ textId: 4, labelIds: [2], annotator: '王医生' })
}

async function seen(projectId: number, annotator?: string) {
  const page = await app.handlers['texts/list']({
    projectId,
    offset: 0,
    limit: 10,
    ...(annotator ? { annotator } : {}),
  })
  return page.rows.map(({ id, labelIds, own, blinded }) => ({ id, labelIds, own, blinded }))
}

describe('texts/list and texts/get as an annotator', () => {
  it('blinds double-annotated texts: own labels only, [] before they label', async () => {
    const projectId = await project()
    await app.handlers['annotation/setSettings']({ projectId, ...TEAM })
    await labelSome()
    // Gold: text 2 is a tie (excluded), text 5 the reference label.
    expect(await seen(projectId)).toEqual([
      { id: 1, labelIds: [1], own: undefined, blinded: undefined },
      { id: 2, labelIds: [], own: undefined, blinded: undefined },
      { id: 3, labelIds: [], own: undefined, blinded: undefined },
      { id: 4, labelIds: [2], own: undefined, blinded: undefined },
      { id: 5, labelIds: [3], own: undefined, blinded: undefined },
    ])
    expect(await seen(projectId, 'Dr Li')).toEqual([
      { id: 1, labelIds: [1], own: true, blinded: false },
      { id: 2, labelIds: [1], own: true, blinded: true },
      { id: 3, labelIds: [], own: false, blinded: false },
      { id: 4, labelIds: [2], own: false, blinded: false },
      { id: 5, labelIds: [3], own: false, blinded: false },
    ])
    expect(await seen(projectId, '王医生')).toEqual([
      { id: 1, labelIds: [1], own: false, blinded: false },
      { id: 2, labelIds: [2], own: true, blinded: true },
      { id: 3, labelIds: [], own: false, blinded: false },
      { id: 4, labelIds: [2], own: true, blinded: false },
      { id: 5, labelIds: [3], own: false, blinded: false },
    ])
    // Someone who has not labelled it sees nothing on a blinded text.
    expect((await seen(projectId, 'Ana'))[1]).toEqual({
      id: 2,
      labelIds: [],
      own: true,
      blinded: true,
    })
    const one = await app.handlers['texts/get']({ textId: 2, annotator: 'Dr Li' })
    expect(one).toMatchObject({
      id: 2,
      text: 'cough and fever',
      labelIds: [1],
      own: true,
      blinded: true,
    })
    const plain = await app.handlers['texts/get']({ textId: 2 })
    expect(plain).toMatchObject({ id: 2, text: 'cough and fever', labelIds: [] })
    expect('own' in plain || 'blinded' in plain).toBe(false)
  })

  it('shows the gold labels on double-annotated texts when the project does not blind', async () => {
    const projectId = await project()
    await app.handlers['annotation/setSettings']({ projectId, ...TEAM, blind: false })
    await labelSome()
    await app.handlers['labels/set']({ textId: 3, labelIds: [3], annotator: '王医生' })
    expect(await seen(projectId, 'Dr Li')).toEqual([
      { id: 1, labelIds: [1], own: true, blinded: false },
      { id: 2, labelIds: [1], own: true, blinded: false },
      { id: 3, labelIds: [3], own: false, blinded: false },
      { id: 4, labelIds: [2], own: false, blinded: false },
      { id: 5, labelIds: [3], own: false, blinded: false },
    ])
    expect((await seen(projectId, 'Ana'))[1]).toEqual({
      id: 2,
      labelIds: [],
      own: false,
      blinded: false,
    })
  })

  it('without a team: own labels where they have a row, else gold; never blinded', async () => {
    const projectId = await project()
    await labelSome()
    expect(await seen(projectId, 'Dr Li')).toEqual([
      { id: 1, labelIds: [1], own: true, blinded: undefined },
      { id: 2, labelIds: [1], own: true, blinded: undefined },
      { id: 3, labelIds: [], own: false, blinded: undefined },
      { id: 4, labelIds: [2], own: false, blinded: undefined },
      { id: 5, labelIds: [3], own: false, blinded: undefined },
    ])
    const row = await app.handlers['texts/get']({ textId: 4, annotator: '王医生' })
    expect(row.labelIds).toEqual([2])
    expect(row.own).toBe(true)
    expect('blinded' in row).toBe(false)
  })
})

describe('texts/list filters as an annotator sees the labels', () => {
  const ids = async (projectId: number, args: Record<string, unknown>) =>
    (await app.handlers['texts/list']({ projectId, offset: 0, limit: 10, ...args })).rows.map(
      (r) => r.id,
    )

  it('filters by label and unlabelled on their own labels, never revealing a blinded text', async () => {
    const projectId = await project()
    await app.handlers['annotation/setSettings']({ projectId, ...TEAM })
    await labelSome()
    // Gold: 1 → A, 4 → B, 5 → C; text 2 is a tie with no gold label.
    expect(await ids(projectId, { labelId: 2 })).toEqual([4])
    // 王医生 labelled 2 → B (blinded, his own) and 4 → B.
    expect(await ids(projectId, { labelId: 2, annotator: '王医生' })).toEqual([2, 4])
    // Dr Li labelled 2 → A; 王医生's B on text 2 must not show through the filter.
    expect(await ids(projectId, { labelId: 2, annotator: 'Dr Li' })).toEqual([4])
    expect(await ids(projectId, { labelId: 1, annotator: 'Dr Li' })).toEqual([1, 2])
    // Ana has labelled nothing: blinded text 2 is unlabelled for her, whatever the others said.
    expect(await ids(projectId, { labelId: 1, annotator: 'Ana' })).toEqual([1])
    expect(await ids(projectId, { unlabelled: true, annotator: 'Ana' })).toEqual([2, 3])
    expect(await ids(projectId, { unlabelled: true, annotator: 'Dr Li' })).toEqual([3])
    // A cleared row of theirs counts as unlabelled for them.
    await app.handlers['labels/set']({ textId: 1, labelIds: [], annotator: 'Dr Li' })
    expect(await ids(projectId, { unlabelled: true, annotator: 'Dr Li' })).toEqual([1, 3])
  })
})

describe('labels/stats as an annotator', () => {
  it("counts the annotator's own share and labels in a project with a team, gold without one", async () => {
    const projectId = await project()
    await labelSome()
    const gold = await app.handlers['labels/stats']({ projectId })
    // Without a team the annotator sees the project's gold counts.
    expect(await app.handlers['labels/stats']({ projectId, annotator: 'Dr Li' })).toEqual(gold)
    expect(gold).toEqual({
      total: 5,
      labelled: 3,
      skipped: 0,
      perLabel: [
        { labelId: 1, count: 1 },
        { labelId: 2, count: 1 },
        { labelId: 3, count: 1 },
      ],
    })
    await app.handlers['annotation/setSettings']({ projectId, ...TEAM })
    await app.handlers['labels/skip']({ textId: 3 })
    // Dr Li's share is 1, 2, 3: two labelled A by him, text 3 skipped.
    expect(await app.handlers['labels/stats']({ projectId, annotator: 'Dr Li' })).toEqual({
      total: 3,
      labelled: 2,
      skipped: 1,
      perLabel: [
        { labelId: 1, count: 2 },
        { labelId: 2, count: 0 },
        { labelId: 3, count: 0 },
      ],
    })
    // 王医生's share is 2, 4, 5: his two B labels, and text 5 (not double-annotated) is done by
    // its reference label C, which he may see.
    expect(await app.handlers['labels/stats']({ projectId, annotator: '王医生' })).toEqual({
      total: 3,
      labelled: 3,
      skipped: 0,
      perLabel: [
        { labelId: 1, count: 0 },
        { labelId: 2, count: 2 },
        { labelId: 3, count: 1 },
      ],
    })
  })
})

describe('texts/next as an annotator', () => {
  const next = (projectId: number, args: Record<string, unknown> = {}) =>
    app.handlers['texts/next']({ projectId, ...args })

  it('serves only their share, and "unlabelled" means not labelled by them', async () => {
    const projectId = await project()
    await app.handlers['annotation/setSettings']({ projectId, ...TEAM })
    const h = app.handlers
    expect(await next(projectId, { annotator: 'Dr Li', n: 5, order: 'sequential' })).toMatchObject({
      textId: 1,
      position: 1,
      total: 5,
      queue: [1, 2, 3].map((textId) => ({ textId, reason: { order: 'sequential' } })),
    })
    // 王医生's share is 2, 4, 5: text 5 came with a reference label and nobody must label it twice
    // (done), so after 4 the queue wraps to text 2, double-annotated, which needs his own label.
    expect(await next(projectId, { annotator: '王医生', afterTextId: 4 })).toEqual({
      textId: 2,
      position: 2,
      total: 5,
    })
    await h['labels/set']({ textId: 1, labelIds: [1], annotator: 'Dr Li' })
    // 王医生 labelling text 3 (outside his share) gives it a gold label; nobody must label it twice,
    // so nothing is left there for Dr Li either: after 2 his queue comes back to 2.
    await h['labels/set']({ textId: 3, labelIds: [2], annotator: '王医生' })
    expect((await next(projectId, { annotator: 'Dr Li' })).textId).toBe(2)
    expect((await next(projectId, { annotator: 'Dr Li', afterTextId: 2 })).textId).toBe(2)
    expect((await next(projectId)).textId).toBe(2)
    expect((await next(projectId, { afterTextId: 2 })).textId).toBe(4)
    await h['labels/set']({ textId: 2, labelIds: [1], annotator: 'Dr Li' })
    await h['labels/set']({ textId: 3, labelIds: [1], annotator: 'Dr Li' })
    // Their share is done: nothing unlabelled; otherwise their share again, in order.
    expect((await next(projectId, { annotator: 'Dr Li', unlabelledOnly: true })).textId).toBeNull()
    expect((await next(projectId, { annotator: 'Dr Li', afterTextId: 3 })).textId).toBe(1)
    // Another order: only texts of the share left to them (5 is done by its reference label).
    const random = await next(projectId, { annotator: '王医生', order: 'random', n: 5 })
    expect(random.queue!.map((q) => q.textId).sort()).toEqual([2, 4])
  })

  it('without a team: every text they have not labelled and that has no gold label', async () => {
    const projectId = await project()
    await labelSome()
    // 王医生 labelled 2 and 4; 1 has Dr Li's label and 5 its reference label (done, as for one
    // annotator before #12); only 3 is left.
    expect(
      (await next(projectId, { annotator: '王医生', order: 'sequential', n: 5 })).queue!.map(
        (q) => q.textId,
      ),
    ).toEqual([3])
    // Without an annotator, gold decides: text 2 is a tie (no gold label), so it is open too.
    expect(
      (await next(projectId, { order: 'sequential', n: 5 })).queue!.map((q) => q.textId),
    ).toEqual([2, 3])
  })
})
