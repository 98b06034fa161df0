// labels/set, undo, redo, skip, stats and texts/next: exact sequences on a small project.
import { afterEach, describe, expect, it } from 'vitest'
import type { SourceRecord } from '../../../main/data/types'
import { tempServices } from './fixtures'
import { anyFile, ArrayReader, textMapping } from './test-reader'

let app: ReturnType<typeof tempServices>
afterEach(() => app?.dispose())

const notes: SourceRecord[] = [
  { row: 2, text: 'note one' },
  { row: 3, text: '第二条记录' },
  { row: 4, text: 'note three' },
  { row: 5, text: '第四条记录' },
]

/** A project with texts 1–4 (unlabelled) and labels 1–3 named A, B, C. */
async function project(kind: 'multiclass' | 'multilabel') {
  app = tempServices({ sourceReader: new ArrayReader(() => notes) })
  const p = await app.handlers['projects/create']({ name: kind, kind, labels: ['A', 'B', 'C'] })
  await app.handlers['datasets/import']({ projectId: p.id, file: anyFile, mapping: textMapping })
  return p.id
}

const labelsOf = async (textId: number) => (await app.handlers['texts/get']({ textId })).labelIds

function stateOfWrites() {
  const db = app.workspace.db
  return {
    labels: db.prepare('SELECT * FROM annotation_labels ORDER BY text_id, label_id').all(),
    annotations: db.prepare('SELECT * FROM annotations ORDER BY text_id').all(),
    history: db.prepare('SELECT * FROM annotation_history ORDER BY id').all(),
    audit: db.prepare('SELECT COUNT(*) AS n FROM audit_log').get(),
  }
}

describe('labels/set, undo and redo', () => {
  it('walks an exact undo/redo sequence; a new set clears the redo stack', async () => {
    const projectId = await project('multiclass')
    const h = app.handlers
    expect(await h['labels/set']({ textId: 1, labelIds: [1] })).toEqual({
      textId: 1,
      labelIds: [1],
      revision: 1,
    })
    expect(await h['labels/set']({ textId: 2, labelIds: [2] })).toEqual({
      textId: 2,
      labelIds: [2],
      revision: 2,
    })
    expect(await h['labels/set']({ textId: 1, labelIds: [3] })).toEqual({
      textId: 1,
      labelIds: [3],
      revision: 3,
    })
    expect(await h['labels/undo']({ projectId })).toEqual({ textId: 1, labelIds: [1], revision: 4 })
    expect(await h['labels/undo']({ projectId })).toEqual({ textId: 2, labelIds: [], revision: 5 })
    expect(await h['labels/redo']({ projectId })).toEqual({ textId: 2, labelIds: [2], revision: 6 })
    expect(await h['labels/set']({ textId: 3, labelIds: [1] })).toEqual({
      textId: 3,
      labelIds: [1],
      revision: 7,
    })
    // Text 1 → C was undone and then superseded by a new change: it cannot come back.
    expect(await h['labels/redo']({ projectId })).toBeNull()
    expect(await h['labels/undo']({ projectId })).toEqual({ textId: 3, labelIds: [], revision: 8 })
    expect(await h['labels/undo']({ projectId })).toEqual({ textId: 2, labelIds: [], revision: 9 })
    expect(await h['labels/undo']({ projectId })).toEqual({ textId: 1, labelIds: [], revision: 10 })
    expect(await h['labels/undo']({ projectId })).toBeNull()
    expect([await labelsOf(1), await labelsOf(2), await labelsOf(3)]).toEqual([[], [], []])
    expect(await h['labels/redo']({ projectId })).toEqual({
      textId: 1,
      labelIds: [1],
      revision: 11,
    })
    expect(await h['labels/redo']({ projectId })).toEqual({
      textId: 2,
      labelIds: [2],
      revision: 12,
    })
    expect(await h['labels/redo']({ projectId })).toEqual({
      textId: 3,
      labelIds: [1],
      revision: 13,
    })
    expect(await h['labels/redo']({ projectId })).toBeNull()
    expect([await labelsOf(1), await labelsOf(2), await labelsOf(3), await labelsOf(4)]).toEqual([
      [1],
      [2],
      [1],
      [],
    ])

    const audit = app.workspace.db
      .prepare(
        "SELECT action, COUNT(*) AS n FROM audit_log WHERE action LIKE 'label.%' GROUP BY action ORDER BY action",
      )
      .all()
    expect(audit).toEqual([
      { action: 'label.redo', n: 4 },
      { action: 'label.set', n: 4 },
      { action: 'label.undo', n: 5 },
    ])
  })

  it('setting the labels a text already has writes nothing and keeps the redo stack', async () => {
    const projectId = await project('multiclass')
    await app.handlers['labels/set']({ textId: 1, labelIds: [1] })
    await app.handlers['labels/set']({ textId: 2, labelIds: [2] })
    await app.handlers['labels/undo']({ projectId })
    const before = stateOfWrites()
    expect(await app.handlers['labels/set']({ textId: 1, labelIds: [1] })).toEqual({
      textId: 1,
      labelIds: [1],
      revision: 1,
    })
    expect(stateOfWrites()).toEqual(before)
    expect(await app.handlers['labels/redo']({ projectId })).toEqual({
      textId: 2,
      labelIds: [2],
      revision: 4,
    })
  })

  it('multi-label projects take any subset, returned in ascending id order', async () => {
    await project('multilabel')
    expect(await app.handlers['labels/set']({ textId: 4, labelIds: [3, 1] })).toEqual({
      textId: 4,
      labelIds: [1, 3],
      revision: 1,
    })
    expect(await app.handlers['labels/set']({ textId: 4, labelIds: [] })).toEqual({
      textId: 4,
      labelIds: [],
      revision: 2,
    })
  })

  it('rejects invalid label sets with bad-input and changes nothing', async () => {
    await project('multiclass')
    const other = await app.handlers['projects/create']({ name: 'other', kind: 'binary' })
    await app.handlers['labels/set']({ textId: 1, labelIds: [2] })
    const before = stateOfWrites()
    const foreign = other.labels[0].id
    await expect(
      app.handlers['labels/set']({ textId: 1, labelIds: [foreign] }),
    ).rejects.toMatchObject({
      code: 'bad-input',
      message: `Label ${foreign} does not belong to this text's project.`,
    })
    await expect(app.handlers['labels/set']({ textId: 1, labelIds: [1, 2] })).rejects.toMatchObject(
      {
        code: 'bad-input',
        message: 'This project takes one label per text. Choose a single label.',
      },
    )
    await expect(app.handlers['labels/set']({ textId: 1, labelIds: [1, 1] })).rejects.toMatchObject(
      {
        code: 'bad-input',
      },
    )
    await expect(app.handlers['labels/set']({ textId: 1, labelIds: [0] })).rejects.toMatchObject({
      code: 'bad-input',
    })
    await expect(app.handlers['labels/set']({ textId: 99, labelIds: [1] })).rejects.toMatchObject({
      code: 'not-found',
    })
    expect(stateOfWrites()).toEqual(before)
    expect(await labelsOf(1)).toEqual([2])
  })
})

describe('skip, stats and texts/next', () => {
  it('offers unlabelled texts in id order, skipped ones last, then any text; counts exactly', async () => {
    const projectId = await project('multiclass')
    const h = app.handlers
    const next = (afterTextId?: number, unlabelledOnly?: boolean) =>
      h['texts/next']({ projectId, afterTextId, unlabelledOnly })

    expect(await h['labels/skip']({ textId: 2 })).toEqual({ textId: 2 })
    expect(await h['labels/stats']({ projectId })).toEqual({
      total: 4,
      labelled: 0,
      skipped: 1,
      perLabel: [
        { labelId: 1, count: 0 },
        { labelId: 2, count: 0 },
        { labelId: 3, count: 0 },
      ],
    })
    expect(await next()).toEqual({ textId: 1, position: 1, total: 4 })
    await h['labels/set']({ textId: 1, labelIds: [1] })
    expect(await next(1)).toEqual({ textId: 3, position: 3, total: 4 })
    expect(await next(3)).toEqual({ textId: 4, position: 4, total: 4 })
    expect(await next(4)).toEqual({ textId: 3, position: 3, total: 4 })
    await h['labels/set']({ textId: 3, labelIds: [3] })
    await h['labels/set']({ textId: 4, labelIds: [3] })
    // Only the skipped text is left unlabelled.
    expect(await next(4)).toEqual({ textId: 2, position: 2, total: 4 })
    expect(await h['labels/stats']({ projectId })).toMatchObject({ labelled: 3, skipped: 1 })
    await h['labels/set']({ textId: 2, labelIds: [2] })
    expect(await h['labels/stats']({ projectId })).toEqual({
      total: 4,
      labelled: 4,
      skipped: 0,
      perLabel: [
        { labelId: 1, count: 1 },
        { labelId: 2, count: 1 },
        { labelId: 3, count: 2 },
      ],
    })
    expect(await next(2, true)).toEqual({ textId: null, position: 0, total: 4 })
    expect(await next(2)).toEqual({ textId: 3, position: 3, total: 4 })
    expect(await next(4)).toEqual({ textId: 1, position: 1, total: 4 })
    // Skipping does not touch labels or the undo stack.
    await h['labels/skip']({ textId: 4 })
    expect(await labelsOf(4)).toEqual([3])
    expect(await h['labels/undo']({ projectId })).toEqual({ textId: 2, labelIds: [], revision: 5 })
    expect(await h['labels/stats']({ projectId })).toMatchObject({ labelled: 3, skipped: 0 })
  })
})
