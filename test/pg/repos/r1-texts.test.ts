// Reading texts on both backends, with the same assertions: search (ASCII-only case folding,
// wildcards taken literally), label / unlabelled filters with and without an annotator's view,
// next-to-label tiers, positions, split counts, training rows and export pages.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  BACKENDS,
  importRows,
  openBackend,
  staged,
  stopOwnServer,
  type R1Backend,
} from './r1-backends'

afterAll(stopOwnServer)

const AT = '2026-01-01T00:00:00.000Z'

describe.each(BACKENDS)('texts repository (%s)', (backend) => {
  let b: R1Backend
  beforeEach(async () => {
    b = await openBackend(backend)
    // Project 1 (labels 1 ja, 2 nein, 3 unklar) with texts 1–6; project 2 with text 7.
    await b.projects.create({
      name: 'Husten',
      kind: 'multilabel',
      labels: ['ja', 'nein', 'unklar'],
      actor: 't',
    })
    await b.projects.create({ name: 'Other', kind: 'binary', labels: ['yes'], actor: 't' })
    await importRows(b, 1, [
      staged(10, 'Patient HUSTET seit drei Tagen.', ['ja'], {
        split: 'train',
        externalId: 'e1',
        groupId: 'g1',
      }),
      staged(11, 'No cough; 50% better_today.', ['nein'], { split: 'dev' }),
      staged(12, 'Élan vital, école fermée.', ['ja', 'unklar'], { split: 'test' }),
      staged(13, 'élan réduit, Husten trocken.', [], { split: 'train' }),
      staged(14, 'Productive cough since Monday.', []),
      staged(15, 'Fieber 39,2 °C, husten.', ['nein']),
    ])
    await importRows(b, 2, [staged(1, 'Patient hustet.', ['yes'])])
  })
  afterEach(async () => {
    await b.close()
  })

  const ids = async (filter: Parameters<R1Backend['texts']['list']>[1], offset = 0, limit = 50) => {
    const page = await b.texts.list(1, filter, offset, limit)
    return { total: page.total, ids: page.rows.map((r) => r.id) }
  }

  it('lists a page with rows as DTOs and the total', async () => {
    const page = await b.texts.list(1, {}, 1, 2)
    expect(page).toEqual({
      total: 6,
      rows: [
        {
          id: 2,
          text: 'No cough; 50% better_today.',
          sourceRow: 11,
          externalId: null,
          groupId: null,
          labelIds: [2],
          split: 'dev',
        },
        {
          id: 3,
          text: 'Élan vital, école fermée.',
          sourceRow: 12,
          externalId: null,
          groupId: null,
          labelIds: [1, 3],
          split: 'test',
        },
      ],
    })
    expect((await b.texts.list(1, {}, 0, 1)).rows[0]).toEqual({
      id: 1,
      text: 'Patient HUSTET seit drei Tagen.',
      sourceRow: 10,
      externalId: 'e1',
      groupId: 'g1',
      labelIds: [1],
      split: 'train',
    })
    expect(await ids({}, 6)).toEqual({ total: 6, ids: [] })
  })

  it('searches case-insensitively for ASCII letters only, wildcards literally', async () => {
    expect(await ids({ search: 'hust' })).toEqual({ total: 3, ids: [1, 4, 6] })
    expect(await ids({ search: 'HUST' })).toEqual({ total: 3, ids: [1, 4, 6] })
    // É and é are different letters to the search, as SQLite's LIKE has always answered.
    expect(await ids({ search: 'élan' })).toEqual({ total: 1, ids: [4] })
    expect(await ids({ search: 'Élan' })).toEqual({ total: 1, ids: [3] })
    expect(await ids({ search: 'ÉCOLE' })).toEqual({ total: 0, ids: [] })
    expect(await ids({ search: '50%' })).toEqual({ total: 1, ids: [2] })
    expect(await ids({ search: '%' })).toEqual({ total: 1, ids: [2] })
    expect(await ids({ search: 'h_sten' })).toEqual({ total: 0, ids: [] })
    expect(await ids({ search: 'r_to' })).toEqual({ total: 1, ids: [2] })
    expect(await ids({ search: '\\' })).toEqual({ total: 0, ids: [] })
    expect(await ids({ search: 'cough', labelId: 2 })).toEqual({ total: 1, ids: [2] })
  })

  it('filters on gold labels, unlabelled texts, and what one annotator sees', async () => {
    expect(await ids({ labelId: 1 })).toEqual({ total: 2, ids: [1, 3] })
    expect(await ids({ unlabelled: true })).toEqual({ total: 2, ids: [4, 5] })
    expect(await ids({ labelId: 1, unlabelled: true })).toEqual({ total: 0, ids: [] })
    // Anna's own rows: text 1 → [2], text 4 → [] (cleared); text 3 is blinded to her.
    await b.exec(
      `INSERT INTO annotator_labels (text_id, project_id, annotator, label_ids, origin, at) VALUES (?, 1, 'anna', ?, 'local', ?)`,
      [1, '[2]', AT],
    )
    await b.exec(
      `INSERT INTO annotator_labels (text_id, project_id, annotator, label_ids, origin, at) VALUES (?, 1, 'anna', ?, 'local', ?)`,
      [4, '[]', AT],
    )
    const seenBy = { annotator: 'anna', blindedIds: [3] }
    expect(await ids({ labelId: 2, seenBy })).toEqual({ total: 3, ids: [1, 2, 6] })
    expect(await ids({ labelId: 1, seenBy })).toEqual({ total: 0, ids: [] })
    expect(await ids({ labelId: 3, seenBy })).toEqual({ total: 0, ids: [] })
    expect(await ids({ unlabelled: true, seenBy })).toEqual({ total: 3, ids: [3, 4, 5] })
    expect(await ids({ unlabelled: true, seenBy: { annotator: 'ben', blindedIds: [] } })).toEqual({
      total: 2,
      ids: [4, 5],
    })
    expect(await ids({ labelId: 2, unlabelled: true, search: 'a', seenBy })).toEqual({
      total: 0,
      ids: [],
    })
  })

  it('finds one text, its project, its position and the project count', async () => {
    expect(await b.texts.find(3)).toEqual({
      id: 3,
      text: 'Élan vital, école fermée.',
      sourceRow: 12,
      externalId: null,
      groupId: null,
      labelIds: [1, 3],
      split: 'test',
      projectId: 1,
    })
    expect(await b.texts.find(99)).toBeUndefined()
    expect(await b.texts.projectOf(7)).toBe(2)
    expect(await b.texts.projectOf(99)).toBeUndefined()
    expect(await b.texts.positionOf(1, 4)).toBe(4)
    expect(await b.texts.positionOf(2, 7)).toBe(1)
    expect(await b.texts.count(1)).toBe(6)
    expect(await b.texts.count(9)).toBe(0)
  })

  it('picks the next text: unlabelled first, then skipped, then any, wrapping round', async () => {
    expect(await b.texts.next(1, 0, false)).toBe(4)
    expect(await b.texts.next(1, 4, false)).toBe(5)
    expect(await b.texts.next(1, 5, false)).toBe(4)
    await b.exec(
      `INSERT INTO annotations (text_id, project_id, revision, skipped, annotator, updated_at) VALUES (4, 1, 1, 1, 'anna', ?)`,
      [AT],
    )
    expect(await b.texts.next(1, 0, true)).toBe(5)
    expect(await b.texts.next(1, 5, true)).toBe(5)
    await b.exec(
      `INSERT INTO annotations (text_id, project_id, revision, skipped, annotator, updated_at) VALUES (5, 1, 2, 1, 'anna', ?)`,
      [AT],
    )
    expect(await b.texts.next(1, 4, true)).toBe(5)
    expect(await b.texts.next(1, 5, true)).toBe(4)
    await b.exec('INSERT INTO annotation_labels (text_id, label_id) VALUES (4, 1), (5, 2)')
    expect(await b.texts.next(1, 0, true)).toBeNull()
    expect(await b.texts.next(1, 2, false)).toBe(3)
    expect(await b.texts.next(1, 6, false)).toBe(1)
    expect(await b.texts.next(9, 0, false)).toBeNull()
  })

  it('counts labelled texts per split and reads single-labelled, not skipped training rows', async () => {
    expect(await b.texts.splitCounts(1)).toEqual({ train: 1, dev: 1, test: 1, none: 1 })
    expect(await b.texts.splitCounts(9)).toEqual({ train: 0, dev: 0, test: 0, none: 0 })
    await b.exec(
      `INSERT INTO annotations (text_id, project_id, revision, skipped, annotator, updated_at) VALUES (6, 1, 1, 1, 'anna', ?)`,
      [AT],
    )
    expect(await b.texts.singleLabelled(1)).toEqual({
      names: ['ja', 'nein', 'unklar'],
      rows: [
        { id: 1, text: 'Patient HUSTET seit drei Tagen.', grp: 'g1', split: 'train', label: 0 },
        { id: 2, text: 'No cough; 50% better_today.', grp: null, split: 'dev', label: 1 },
      ],
    })
    expect(await b.texts.singleLabelled(9)).toEqual({ names: [], rows: [] })
  })

  it('pages an export by id with label names in the project order', async () => {
    expect(await b.texts.exportPage(1, 0, 3)).toEqual([
      {
        id: 1,
        text: 'Patient HUSTET seit drei Tagen.',
        labels: ['ja'],
        externalId: 'e1',
        group: 'g1',
        split: 'train',
      },
      {
        id: 2,
        text: 'No cough; 50% better_today.',
        labels: ['nein'],
        externalId: null,
        group: null,
        split: 'dev',
      },
      {
        id: 3,
        text: 'Élan vital, école fermée.',
        labels: ['ja', 'unklar'],
        externalId: null,
        group: null,
        split: 'test',
      },
    ])
    expect((await b.texts.exportPage(1, 3, 10)).map((t) => [t.id, t.labels])).toEqual([
      [4, []],
      [5, []],
      [6, ['nein']],
    ])
    expect(await b.texts.exportPage(1, 6, 10)).toEqual([])
  })
})
