// datasets/import: duplicates, rejected rows, labels from the file, multi-label cells, and the
// all-or-nothing guarantee when a file fails halfway.
import { afterEach, describe, expect, it } from 'vitest'
import type { SourceRecord } from '../../../main/data/types'
import { splitLabelCell, toSourceInput } from '../../../main/services/datasets-service'
import { MAX_LABELS_PER_PROJECT, MAX_REJECTED_ROWS_LISTED } from '../../../main/store/limits'
import { clinicalNotes, tempServices } from './fixtures'
import { anyFile, ArrayReader, textMapping } from './test-reader'

let app: ReturnType<typeof tempServices>
afterEach(() => app?.dispose())

function importWith(records: () => Iterable<SourceRecord>, failAfter?: number) {
  const reader = new ArrayReader(records, failAfter)
  app = tempServices({ sourceReader: reader })
  return reader
}

/** Everything an import could change, as plain values. */
function snapshot() {
  const db = app.workspace.db
  const all = (sql: string) => db.prepare(sql).all()
  return {
    projects: all('SELECT * FROM projects ORDER BY id'),
    labels: all('SELECT * FROM labels ORDER BY id'),
    texts: all('SELECT * FROM texts ORDER BY id'),
    annotationLabels: all('SELECT * FROM annotation_labels ORDER BY text_id, label_id'),
    annotations: all('SELECT * FROM annotations ORDER BY text_id'),
    imports: all('SELECT * FROM imports ORDER BY id'),
    audit: all('SELECT id, action, details FROM audit_log ORDER BY id'),
  }
}

const labelNamesOfTexts = () =>
  app.workspace.db
    .prepare(
      `SELECT t.source_row AS row, group_concat(l.name, ',') AS labels FROM texts t
         LEFT JOIN annotation_labels al ON al.text_id = t.id LEFT JOIN labels l ON l.id = al.label_id
        GROUP BY t.id ORDER BY t.id`,
    )
    .all()

describe('datasets/import', () => {
  it('imports a binary file: trims text, skips duplicates, reports empty rows, keeps unknown labels out', async () => {
    importWith(clinicalNotes)
    const p = await app.handlers['projects/create']({ name: 'binary', kind: 'binary' })
    const result = await app.handlers['datasets/import']({
      projectId: p.id,
      file: anyFile,
      mapping: textMapping,
    })
    expect(result).toEqual({
      imported: 6,
      duplicates: 1,
      rejected: 1,
      rejectedRows: [{ row: 5, reason: 'Row 5: the text is empty.' }],
      labelsAdded: [],
      labelsUnknown: ['随访'],
    })
    expect(labelNamesOfTexts()).toEqual([
      { row: 2, labels: '健康' },
      { row: 3, labels: '疾病' },
      { row: 4, labels: '健康' },
      { row: 7, labels: '疾病' },
      { row: 8, labels: null },
      { row: 9, labels: null },
    ])
    const third = await app.handlers['texts/get']({ textId: 3 })
    expect(third).toEqual({
      id: 3,
      text: 'Routine check-up; all values within normal range.',
      sourceRow: 4,
      externalId: 'n-003',
      groupId: 'p1',
      labelIds: [1],
      split: null,
    })
    const project = await app.handlers['projects/get']({ projectId: p.id })
    expect([project.textCount, project.labelledCount]).toEqual([6, 4])
    const audit = app.workspace.db
      .prepare("SELECT details FROM audit_log WHERE action = 'import'")
      .get() as {
      details: string
    }
    expect(JSON.parse(audit.details)).toEqual({
      importId: 1,
      fileName: 'notes.csv',
      imported: 6,
      duplicates: 1,
      rejected: 1,
      labelsAdded: [],
    })
  })

  it('adds the labels found in the file, in order of first appearance, and dedups against existing texts', async () => {
    importWith(clinicalNotes)
    const p = await app.handlers['projects/create']({ name: 'mc', kind: 'multiclass' })
    const first = await app.handlers['datasets/import']({
      projectId: p.id,
      file: anyFile,
      mapping: textMapping,
    })
    expect(first).toMatchObject({
      imported: 6,
      duplicates: 1,
      labelsAdded: ['健康', '疾病', '随访'],
      labelsUnknown: [],
    })
    expect(labelNamesOfTexts().map((r) => (r as { labels: string | null }).labels)).toEqual([
      '健康',
      '疾病',
      '健康',
      '疾病',
      null,
      '随访',
    ])
    const again = await app.handlers['datasets/import']({
      projectId: p.id,
      file: anyFile,
      mapping: textMapping,
    })
    expect(again).toEqual({
      imported: 0,
      duplicates: 7,
      rejected: 1,
      rejectedRows: [{ row: 5, reason: 'Row 5: the text is empty.' }],
      labelsAdded: [],
      labelsUnknown: [],
    })
    expect((await app.handlers['projects/get']({ projectId: p.id })).textCount).toBe(6)
  })

  it('with addLabels false leaves texts with unknown labels unlabelled and reports the labels', async () => {
    importWith(clinicalNotes)
    const p = await app.handlers['projects/create']({
      name: 'mc',
      kind: 'multiclass',
      labels: ['健康'],
    })
    const r = await app.handlers['datasets/import']({
      projectId: p.id,
      file: anyFile,
      mapping: textMapping,
      addLabels: false,
    })
    expect(r).toMatchObject({ imported: 6, labelsAdded: [], labelsUnknown: ['疾病', '随访'] })
    expect(
      (await app.handlers['projects/get']({ projectId: p.id })).labels.map((l) => l.name),
    ).toEqual(['健康'])
    expect((await app.handlers['labels/stats']({ projectId: p.id })).labelled).toBe(2)
  })

  it('splits multi-label cells on ; and |, and an unknown label leaves the whole text unlabelled', async () => {
    const records: SourceRecord[] = [
      { row: 2, text: 'fever and cough', label: '发热; 咳嗽' },
      { row: 3, text: 'cough only', label: ' 咳嗽 |咳嗽' },
      { row: 4, text: 'fever, rash', label: '发热|皮疹' },
    ]
    importWith(() => records)
    const p = await app.handlers['projects/create']({
      name: 'ml',
      kind: 'multilabel',
      labels: ['发热', '咳嗽'],
    })
    const r = await app.handlers['datasets/import']({
      projectId: p.id,
      file: anyFile,
      mapping: textMapping,
      addLabels: false,
    })
    expect(r).toMatchObject({ imported: 3, labelsUnknown: ['皮疹'] })
    expect(labelNamesOfTexts()).toEqual([
      { row: 2, labels: '发热,咳嗽' },
      { row: 3, labels: '咳嗽' },
      { row: 4, labels: null },
    ])
    expect(splitLabelCell('a; b |a', 'multilabel')).toEqual(['a', 'b'])
    expect(splitLabelCell(' a;b ', 'multiclass')).toEqual(['a;b'])
    expect(splitLabelCell('  ', 'multilabel')).toEqual([])
  })

  it('changes nothing at all when the file fails halfway', async () => {
    const reader = importWith(clinicalNotes)
    const p = await app.handlers['projects/create']({ name: 'mc', kind: 'multiclass' })
    await app.handlers['datasets/import']({ projectId: p.id, file: anyFile, mapping: textMapping })
    await app.handlers['labels/set']({ textId: 1, labelIds: [2] })
    const before = snapshot()
    expect(before.texts).toHaveLength(6)

    // 1,700 good rows with new labels (more than one staging batch), then the file breaks.
    reader.source = function* () {
      for (let i = 0; i < 2500; i++)
        yield { row: i + 2, text: `generated note ${i} 记录`, label: `class-${i % 4}` }
    }
    reader.failAfter = 1700
    await expect(
      app.handlers['datasets/import']({ projectId: p.id, file: anyFile, mapping: textMapping }),
    ).rejects.toMatchObject({
      code: 'bad-input',
      message: 'Row 1702: the file ends in the middle of a quoted field.',
    })

    expect(snapshot()).toEqual(before)
    expect(app.workspace.db.prepare('SELECT name FROM sqlite_temp_master').all()).toEqual([])
    // The same file read to the end afterwards goes in completely.
    reader.failAfter = undefined
    const ok = await app.handlers['datasets/import']({
      projectId: p.id,
      file: anyFile,
      mapping: textMapping,
    })
    expect(ok).toMatchObject({
      imported: 2500,
      labelsAdded: ['class-0', 'class-1', 'class-2', 'class-3'],
    })
  })

  it('announces the import as a job: progress while reading, then success with the result', async () => {
    const events: { kind: string; status: string; phase: string; result?: unknown }[] = []
    const many = () => Array.from({ length: 3000 }, (_, i) => ({ row: i + 2, text: `line ${i}` }))
    app = tempServices({
      sourceReader: new ArrayReader(many),
      publish: (event, payload) => {
        expect(event).toBe('jobs/progress')
        if ('kind' in payload) events.push(payload)
      },
    })
    const p = await app.handlers['projects/create']({ name: 'jobs', kind: 'multiclass' })
    const result = await app.handlers['datasets/import']({
      projectId: p.id,
      file: anyFile,
      mapping: textMapping,
    })
    expect(events[0]).toMatchObject({
      kind: 'import',
      status: 'running',
      phase: 'reading',
      step: 1,
    })
    expect(events[events.length - 1]).toMatchObject({
      kind: 'import',
      status: 'success',
      step: 3000,
      result,
    })
    expect(events.filter((e) => e.status !== 'running')).toHaveLength(1)
  })

  it('lists at most MAX_REJECTED_ROWS_LISTED rejected rows but counts them all', async () => {
    const reader = importWith(() =>
      Array.from({ length: MAX_REJECTED_ROWS_LISTED + 5 }, (_, i) => ({
        row: i + 2,
        error: `Row ${i + 2}: bad`,
      })),
    )
    const p = await app.handlers['projects/create']({ name: 'p', kind: 'multiclass' })
    const r = await app.handlers['datasets/import']({
      projectId: p.id,
      file: anyFile,
      mapping: textMapping,
    })
    expect([r.imported, r.rejected, r.rejectedRows.length]).toEqual([
      0,
      MAX_REJECTED_ROWS_LISTED + 5,
      1000,
    ])
    expect(r.rejectedRows[999]).toEqual({ row: 1001, reason: 'Row 1001: bad' })

    // A label column with more names than a project may hold is refused as a whole.
    reader.source = () =>
      Array.from({ length: MAX_LABELS_PER_PROJECT + 1 }, (_, i) => ({
        row: i + 2,
        text: `t${i}`,
        label: `L${i}`,
      }))
    await expect(
      app.handlers['datasets/import']({ projectId: p.id, file: anyFile, mapping: textMapping }),
    ).rejects.toMatchObject({
      code: 'bad-input',
      message: expect.stringContaining('at most 50 labels'),
    })
    reader.source = () => [{ row: 7, text: 'long label', label: 'x'.repeat(101) }]
    await expect(
      app.handlers['datasets/import']({ projectId: p.id, file: anyFile, mapping: textMapping }),
    ).rejects.toMatchObject({
      code: 'bad-input',
      message: 'Row 7: the label is longer than 100 characters. Is the label column the right one?',
    })
    expect((await app.handlers['projects/get']({ projectId: p.id })).labels).toEqual([])
    expect((await app.handlers['projects/get']({ projectId: p.id })).textCount).toBe(0)
  })

  it('converts both kinds of FileRef into importer input', () => {
    expect(toSourceInput({ path: '/tmp/a.csv' })).toEqual({ path: '/tmp/a.csv' })
    const bytes = toSourceInput({
      name: 'a.csv',
      contentBase64: Buffer.from('text\n甲').toString('base64'),
    })
    expect(bytes).toEqual({ name: 'a.csv', bytes: new Uint8Array(Buffer.from('text\n甲')) })
  })
})
