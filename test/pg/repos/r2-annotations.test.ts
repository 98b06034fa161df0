// The annotations repository on both backends with the same assertions: set, skip, undo/redo over
// each annotator's own history (two annotators), revisions, stats and the audit entries.
import { afterAll, describe, expect, it } from 'vitest'
import {
  auditTrail,
  freshBackendEachTest,
  LABELS,
  openBackend,
  seed,
  stopOwnServer,
  type BackendName,
  type R2Backend,
} from './r2-backends'

afterAll(stopOwnServer)

const { yes, no, unsure } = LABELS

describe.each<BackendName>(['sqlite', 'postgres'])('annotations repository (%s)', (backend) => {
  let b: R2Backend
  freshBackendEachTest(
    () => openBackend(backend),
    (x) => (b = x),
    seed,
  )

  const gold = async (textId: number) =>
    (
      await b.all<{ label_id: number }>(
        'SELECT label_id FROM annotation_labels WHERE text_id = ? ORDER BY label_id',
        [textId],
      )
    ).map((r) => r.label_id)

  const annotationRow = async (textId: number) =>
    (
      await b.all<{ revision: number; skipped: number; annotator: string | null }>(
        'SELECT revision, skipped, annotator FROM annotations WHERE text_id = ?',
        [textId],
      )
    )[0]

  it('sets an annotator’s labels with a new revision, and a repeat changes nothing', async () => {
    const first = await b.annotations.set({
      projectId: 1,
      textId: 11,
      labelIds: [yes],
      annotator: 'ana',
    })
    expect(first).toEqual({ textId: 11, labelIds: [yes], revision: 1 })
    expect(await gold(11)).toEqual([yes])
    expect(await annotationRow(11)).toEqual({ revision: 1, skipped: 0, annotator: 'ana' })
    const again = await b.annotations.set({
      projectId: 1,
      textId: 11,
      labelIds: [yes],
      annotator: 'ana',
    })
    expect(again).toEqual({ textId: 11, labelIds: [yes], revision: 1 })
    const changed = await b.annotations.set({
      projectId: 1,
      textId: 11,
      labelIds: [no],
      annotator: 'ana',
    })
    expect(changed).toEqual({ textId: 11, labelIds: [no], revision: 2 })
    expect(await gold(11)).toEqual([no])
    expect(await auditTrail(b)).toEqual(['ana:label.set', 'ana:label.set'])
  })

  it('treats clearing a text nobody labelled as no change, and refuses a text of another project', async () => {
    expect(
      await b.annotations.set({ projectId: 1, textId: 12, labelIds: [], annotator: 'ana' }),
    ).toEqual({ textId: 12, labelIds: [], revision: 0 })
    expect(
      await b.annotations.set({ projectId: 1, textId: 21, labelIds: [yes], annotator: 'ana' }),
    ).toBeUndefined()
    expect(
      await b.annotations.set({ projectId: 1, textId: 999, labelIds: [yes], annotator: 'ana' }),
    ).toBeUndefined()
    expect(await b.all('SELECT id FROM annotation_history')).toEqual([])
    expect(await auditTrail(b)).toEqual([])
  })

  it('keeps each annotator’s own labels and resolves the gold label from both', async () => {
    await b.annotations.set({ projectId: 1, textId: 11, labelIds: [yes], annotator: 'ana' })
    await b.annotations.set({ projectId: 1, textId: 11, labelIds: [no], annotator: 'ben' })
    // Two voters, two labels, tie policy "exclude": no gold label.
    expect(await gold(11)).toEqual([])
    expect(await b.annotators.ownLabels(1, 'ana', [11, 12])).toEqual(new Map([[11, [yes]]]))
    expect(await b.annotators.ownLabels(1, 'ben', [11])).toEqual(new Map([[11, [no]]]))
    await b.annotations.set({ projectId: 1, textId: 11, labelIds: [yes], annotator: 'ben' })
    expect(await gold(11)).toEqual([yes])
    expect(await b.annotators.ownLabels(1, 'ana', [11])).toEqual(new Map([[11, [yes]]]))
    expect(await annotationRow(11)).toEqual({ revision: 3, skipped: 0, annotator: 'ben' })
  })

  it('undoes and redoes each annotator’s own changes without touching the other’s', async () => {
    const set = (textId: number, labelIds: number[], annotator: string) =>
      b.annotations.set({ projectId: 1, textId, labelIds, annotator })
    const step = (action: 'undo' | 'redo', annotator: string) =>
      b.annotations.step({ projectId: 1, action, actor: annotator, annotator })
    await set(11, [yes], 'ana') // 1
    await set(11, [no], 'ben') // 2
    await set(12, [unsure], 'ana') // 3
    await set(12, [yes], 'ana') // 4

    expect(await step('undo', 'ana')).toEqual({ textId: 12, labelIds: [unsure], revision: 5 })
    expect(await step('undo', 'ana')).toEqual({ textId: 12, labelIds: [], revision: 6 })
    // Before ana's first change on text 12 she had no row: undoing it removes her row.
    expect(await b.annotators.ownLabels(1, 'ana', [12])).toEqual(new Map())
    expect(await step('undo', 'ana')).toEqual({ textId: 11, labelIds: [], revision: 7 })
    expect(await b.annotators.ownLabels(1, 'ben', [11])).toEqual(new Map([[11, [no]]]))
    expect(await gold(11)).toEqual([no])
    expect(await step('undo', 'ana')).toBeNull()

    expect(await step('undo', 'ben')).toEqual({ textId: 11, labelIds: [], revision: 8 })
    expect(await gold(11)).toEqual([])
    expect(await step('redo', 'ana')).toEqual({ textId: 11, labelIds: [yes], revision: 9 })
    expect(await gold(11)).toEqual([yes])
    expect(await step('redo', 'ana')).toEqual({ textId: 12, labelIds: [unsure], revision: 10 })

    // A new change by ana discards her redo stack, not ben's.
    await set(13, [no], 'ana') // 11
    expect(await step('redo', 'ana')).toBeNull()
    expect(await step('redo', 'ben')).toEqual({ textId: 11, labelIds: [no], revision: 12 })
    expect(await gold(11)).toEqual([])

    const history = await b.all<{
      id: number
      text_id: number
      action: string
      before_label_ids: string
      after_label_ids: string
      target_id: number | null
      undo_state: number
      annotator: string
    }>(
      `SELECT id, text_id, action, before_label_ids, after_label_ids, target_id, undo_state, annotator
         FROM annotation_history ORDER BY id`,
    )
    expect(
      history.map((h) => [
        h.id,
        h.text_id,
        h.action,
        h.before_label_ids,
        h.after_label_ids,
        h.target_id,
        h.undo_state,
        h.annotator,
      ]),
    ).toEqual([
      [1, 11, 'set', 'null', '[1]', null, 0, 'ana'],
      [2, 11, 'set', 'null', '[2]', null, 0, 'ben'],
      [3, 12, 'set', 'null', '[3]', null, 0, 'ana'],
      [4, 12, 'set', '[3]', '[1]', null, 2, 'ana'],
      [5, 12, 'undo', '[1]', '[3]', 4, 0, 'ana'],
      [6, 12, 'undo', '[3]', 'null', 3, 0, 'ana'],
      [7, 11, 'undo', '[1]', 'null', 1, 0, 'ana'],
      [8, 11, 'undo', '[2]', 'null', 2, 0, 'ben'],
      [9, 11, 'redo', 'null', '[1]', 1, 0, 'ana'],
      [10, 12, 'redo', 'null', '[3]', 3, 0, 'ana'],
      [11, 13, 'set', 'null', '[2]', null, 0, 'ana'],
      [12, 11, 'redo', 'null', '[2]', 2, 0, 'ben'],
    ])
    expect((await auditTrail(b)).slice(4)).toEqual([
      'ana:label.undo',
      'ana:label.undo',
      'ana:label.undo',
      'ben:label.undo',
      'ana:label.redo',
      'ana:label.redo',
      'ana:label.set',
      'ben:label.redo',
    ])
  })

  it('skips a text until it gets a label, and counts labels per label', async () => {
    expect(await b.annotations.skip({ projectId: 1, textId: 13, actor: 'ana' })).toBe(true)
    expect(await b.annotations.skip({ projectId: 2, textId: 13, actor: 'ana' })).toBe(false)
    expect(await annotationRow(13)).toEqual({ revision: 0, skipped: 1, annotator: 'ana' })
    await b.annotations.set({ projectId: 1, textId: 11, labelIds: [yes], annotator: 'ana' })
    await b.annotations.set({ projectId: 1, textId: 12, labelIds: [yes], annotator: 'ben' })
    expect(await b.annotations.stats(1)).toEqual({
      total: 4,
      labelled: 2,
      skipped: 1,
      perLabel: [
        { labelId: yes, count: 2 },
        { labelId: no, count: 0 },
        { labelId: unsure, count: 0 },
      ],
    })
    await b.annotations.set({ projectId: 1, textId: 13, labelIds: [unsure], annotator: 'ben' })
    expect(await annotationRow(13)).toEqual({ revision: 3, skipped: 0, annotator: 'ben' })
    expect(await b.annotations.stats(1)).toMatchObject({ labelled: 3, skipped: 0 })
    expect(await b.annotations.stats(2)).toEqual({
      total: 1,
      labelled: 0,
      skipped: 0,
      perLabel: [{ labelId: 4, count: 0 }],
    })
    expect(await auditTrail(b)).toEqual([
      'ana:label.skip',
      'ana:label.set',
      'ben:label.set',
      'ben:label.set',
    ])
  })
})
