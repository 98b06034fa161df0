// Imports on both backends, with the same assertions: staging (repeats, label order), the
// all-or-nothing commit with its counts, labels and annotator rows, its audit entries, a file of
// more rows than one batch, and a commit that fails halfway leaving nothing behind.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { StagedRow } from '../../../main/store/imports-repository'
import {
  auditTrail,
  BACKENDS,
  count,
  importRows,
  openBackend,
  staged,
  stopOwnServer,
  type R1Backend,
} from './r1-backends'

afterAll(stopOwnServer)

const commitInput = {
  projectId: 1,
  expectedLabelCount: 1,
  labelsToAdd: [] as string[],
  fileName: 'befunde.csv',
  encoding: 'windows-1252',
  duplicates: 0,
  rejected: 2,
  actor: 'anna',
}

describe.each(BACKENDS)('imports repository (%s)', (backend) => {
  let b: R1Backend
  beforeEach(async () => {
    b = await openBackend(backend)
    await b.projects.create({ name: 'Husten', kind: 'multiclass', labels: ['ja'], actor: 't' })
  })
  afterEach(async () => {
    await b.close()
  })

  const annotatorRows = () =>
    b.all<{ text_id: number; annotator: string; label_ids: string; origin: string }>(
      'SELECT text_id, annotator, label_ids, origin FROM annotator_labels ORDER BY text_id, annotator',
    )
  const gold = () =>
    b.all<{ text_id: number; label_id: number }>(
      'SELECT text_id, label_id FROM annotation_labels ORDER BY text_id, label_id',
    )

  it('stages rows: repeats of a text counted, label names in order of first appearance', async () => {
    const stage = await b.imports.stage()
    expect(
      await stage.addBatch([
        staged(1, 'Husten seit Montag.', ['zeta', 'Übel', 'alpha', 'zeta']),
        staged(2, 'Cough since Monday.', ['beta', 'alpha']),
        staged(3, 'Husten seit Montag.', ['omega']),
      ]),
    ).toBe(1)
    expect(
      await stage.addBatch([
        staged(4, 'Cough since Monday.'),
        staged(5, 'Fièvre.', ['Ärger', 'ärger']),
      ]),
    ).toBe(1)
    // Names first seen on one row come in byte order (SQLite's GROUP BY), 'omega' never: its row repeated.
    expect(await stage.labelNames()).toEqual(['alpha', 'zeta', 'Übel', 'beta', 'Ärger', 'ärger'])
    await stage.drop()
    await stage.drop()
    expect(await count(b, 'texts')).toBe(0)
  })

  it('commits in one transaction: new labels, new texts only, counts, audit', async () => {
    await importRows(b, 1, [staged(1, 'Schon da / already there.', ['ja'])])
    const stage = await b.imports.stage()
    const dup = await stage.addBatch([
      staged(1, 'Schon da / already there.', ['nein']),
      staged(2, 'Trockener Husten.', ['nein'], {
        split: 'train',
        externalId: 'x-2',
        groupId: 'p7',
      }),
      staged(3, 'Dry cough.', ['ja', 'nein']),
      staged(4, 'Unknown label / unbekannt.', ['ja', 'neu']),
      staged(5, 'Dry cough.', []),
      staged(6, 'Keine Angabe.'),
    ])
    expect(dup).toBe(1)
    expect(await stage.labelNames()).toEqual(['nein', 'ja', 'neu'])
    const result = await stage.commit({
      ...commitInput,
      labelsToAdd: ['nein'],
      duplicates: dup,
      deid: { replaced: 3, kinds: { NAME: 2, DATE: 1 } },
    })
    expect(result).toEqual({ importId: 2, imported: 4, duplicates: 2 })
    await stage.drop()
    expect((await b.projects.labels(1)).map((l) => [l.id, l.name, l.position])).toEqual([
      [1, 'ja', 1],
      [2, 'nein', 2],
    ])
    const page = await b.texts.list(1, {}, 0, 10)
    expect(
      page.rows.map((r) => [
        r.id,
        r.text,
        r.sourceRow,
        r.externalId,
        r.groupId,
        r.split,
        r.labelIds,
      ]),
    ).toEqual([
      [1, 'Schon da / already there.', 1, null, null, null, [1]],
      [2, 'Trockener Husten.', 2, 'x-2', 'p7', 'train', [2]],
      [3, 'Dry cough.', 3, null, null, null, [1, 2]],
      [4, 'Unknown label / unbekannt.', 4, null, null, null, []],
      [5, 'Keine Angabe.', 6, null, null, null, []],
    ])
    // The file's labels are the reference annotator's ('') on the texts it brought.
    expect(await annotatorRows()).toEqual([
      { text_id: 1, annotator: '', label_ids: '[1]', origin: 'import' },
      { text_id: 2, annotator: '', label_ids: '[2]', origin: 'import' },
      { text_id: 3, annotator: '', label_ids: '[1,2]', origin: 'import' },
    ])
    expect(
      await b.all(
        'SELECT id, project_id, file_name, format, encoding, imported, duplicates, rejected FROM imports ORDER BY id',
      ),
    ).toEqual([
      {
        id: 1,
        project_id: 1,
        file_name: 'notes.csv',
        format: null,
        encoding: 'utf-8',
        imported: 1,
        duplicates: 0,
        rejected: 0,
      },
      {
        id: 2,
        project_id: 1,
        file_name: 'befunde.csv',
        format: null,
        encoding: 'windows-1252',
        imported: 4,
        duplicates: 2,
        rejected: 2,
      },
    ])
    expect((await auditTrail(b)).slice(-2)).toEqual([
      {
        action: 'import',
        details: {
          importId: 2,
          fileName: 'befunde.csv',
          imported: 4,
          duplicates: 2,
          rejected: 2,
          labelsAdded: ['nein'],
        },
      },
      { action: 'deid.import', details: { importId: 2, replaced: 3, kinds: { NAME: 2, DATE: 1 } } },
    ])
  })

  it("makes a named annotator's file labels theirs, also on texts the project held", async () => {
    await b.projects.addLabel({ projectId: 1, name: 'nein', expectedCount: 1, actor: 't' })
    await importRows(b, 1, [
      staged(1, 'Alt / old one.', ['ja']),
      staged(2, 'Alt zwei / old two.', ['ja']),
    ])
    // Ben already labelled text 2 himself: his own row is never overwritten by a file.
    await b.exec(
      `INSERT INTO annotator_labels (text_id, project_id, annotator, label_ids, origin, at) VALUES (2, 1, 'ben', '[1]', 'local', '2026-01-01T00:00:00.000Z')`,
    )
    const result = await importRows(
      b,
      1,
      [
        staged(1, 'Alt / old one.', ['nein']),
        staged(2, 'Alt zwei / old two.', ['nein']),
        staged(3, 'Neu / new.', ['nein']),
      ],
      { annotator: 'ben' },
    )
    expect(result).toEqual({ importId: 2, imported: 1, duplicates: 2 })
    expect(await annotatorRows()).toEqual([
      { text_id: 1, annotator: '', label_ids: '[1]', origin: 'import' },
      { text_id: 1, annotator: 'ben', label_ids: '[2]', origin: 'import' },
      { text_id: 2, annotator: '', label_ids: '[1]', origin: 'import' },
      { text_id: 2, annotator: 'ben', label_ids: '[1]', origin: 'local' },
      { text_id: 3, annotator: 'ben', label_ids: '[2]', origin: 'import' },
    ])
    // Text 1's gold label is re-resolved: a named annotator outvotes the reference labels.
    expect(await gold()).toEqual([
      { text_id: 1, label_id: 2 },
      { text_id: 2, label_id: 1 },
      { text_id: 3, label_id: 2 },
    ])
    expect((await auditTrail(b)).at(-1)?.details).toMatchObject({ annotator: 'ben', imported: 1 })
  })

  it("answers 'changed' and writes nothing when the project or its labels changed", async () => {
    const stage = await b.imports.stage()
    await stage.addBatch([staged(1, 'Husten.', ['ja'])])
    expect(await stage.commit({ ...commitInput, expectedLabelCount: 0 })).toBe('changed')
    expect(await stage.commit({ ...commitInput, projectId: 9 })).toBe('changed')
    expect(await count(b, 'texts')).toBe(0)
    expect(await count(b, 'imports')).toBe(0)
    expect(await count(b, 'audit_log')).toBe(1)
    // The stage survives a 'changed' answer: the caller re-reads and commits again.
    expect(await stage.commit(commitInput)).toEqual({ importId: 1, imported: 1, duplicates: 0 })
  })

  it('imports two overlapping files at once: every text exactly once', async () => {
    const file = (from: number, to: number) => {
      const rows: StagedRow[] = []
      for (let i = from; i <= to; i += 1) rows.push(staged(i, `Notiz ${i} / note ${i}`, ['ja']))
      return rows
    }
    const stages = await Promise.all([b.imports.stage(), b.imports.stage()])
    await stages[0].addBatch(file(1, 600))
    await stages[1].addBatch(file(401, 1000))
    const results = await Promise.all(stages.map((stage) => stage.commit(commitInput)))
    const done = results.map((r) => (r === 'changed' ? null : r))
    expect(done.every((r) => r !== null)).toBe(true)
    expect(done.reduce((n, r) => n + r!.imported, 0)).toBe(1000)
    expect(done.reduce((n, r) => n + r!.duplicates, 0)).toBe(200)
    expect(await count(b, 'texts')).toBe(1000)
    expect(await count(b, 'annotator_labels')).toBe(1000)
    expect(await b.all('SELECT COUNT(DISTINCT content_hash) AS n FROM texts')).toEqual([
      { n: 1000 },
    ])
  })

  it('commits a file larger than one insert batch, in row order', async () => {
    const rows: StagedRow[] = []
    for (let i = 1; i <= 1234; i += 1)
      rows.push(
        staged(
          i,
          `Befund ${i}: Husten / cough ${i}.`,
          i % 3 === 0 ? ['ja', 'nein'] : i % 2 ? ['ja'] : [],
        ),
      )
    const result = await importRows(b, 1, rows)
    expect(result).toEqual({ importId: 1, imported: 1234, duplicates: 0 })
    expect(await count(b, 'texts')).toBe(1234)
    expect(await count(b, 'annotator_labels')).toBe(411 + 411)
    const last = (await b.texts.list(1, {}, 1233, 1)).rows[0]
    expect([last?.id, last?.text, last?.sourceRow, last?.labelIds]).toEqual([
      1234,
      'Befund 1234: Husten / cough 1234.',
      1234,
      [],
    ])
    expect((await b.texts.find(999))?.labelIds).toEqual([1, 2])
  })

  it('leaves the workspace exactly as it was when the commit fails halfway', async () => {
    const rows: StagedRow[] = []
    for (let i = 1; i <= 700; i += 1) rows.push(staged(i, `Zeile ${i} / row ${i}`, ['ja', 'neu']))
    // A split the schema refuses, far into the file: the texts insert fails after the labels were added.
    rows.push(staged(701, 'Kaputt / broken', [], { split: 'validation' as StagedRow['split'] }))
    await expect(importRows(b, 1, rows)).rejects.toThrow()
    expect(await count(b, 'texts')).toBe(0)
    expect(await count(b, 'imports')).toBe(0)
    expect(await count(b, 'annotator_labels')).toBe(0)
    expect((await b.projects.labels(1)).map((l) => l.name)).toEqual(['ja'])
    expect((await auditTrail(b)).map((e) => e.action)).toEqual(['project.create'])
    // And the workspace still takes the next import.
    expect(await importRows(b, 1, [staged(1, 'Danach / after.', ['ja'])])).toMatchObject({
      imported: 1,
    })
  })
})
