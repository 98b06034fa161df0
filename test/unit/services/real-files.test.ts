// The services with main/data's real reader and writer: a bilingual CSV in, labels, a CSV out.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { tempServices } from './fixtures'

const csv = fileURLToPath(new URL('../../fixtures/services/notes-bilingual.csv', import.meta.url))
let app: ReturnType<typeof tempServices>
let out: string | undefined
afterEach(() => {
  app?.dispose()
  if (out) rmSync(out, { recursive: true, force: true })
})

describe('import and export with the real file reader and writer', () => {
  it('previews, imports from a path and from uploaded bytes, and exports CSV', async () => {
    app = tempServices()
    const p = await app.handlers['projects/create']({ name: 'bilingual', kind: 'binary' })
    const preview = await app.handlers['datasets/preview']({ projectId: p.id, file: { path: csv } })
    expect(preview).toMatchObject({
      format: 'csv',
      columns: ['id', 'text', 'label', 'patient'],
      suggestedMapping: { text: 'text', label: 'label', id: 'id', group: 'patient' },
    })
    const result = await app.handlers['datasets/import']({
      projectId: p.id,
      file: { path: csv },
      mapping: preview.suggestedMapping,
    })
    expect(result).toEqual({
      imported: 3,
      duplicates: 1,
      rejected: 1,
      rejectedRows: [{ row: 4, reason: 'Row 4: the text column "text" is empty' }],
      labelsAdded: [],
      labelsUnknown: [],
    })
    const uploaded = await app.handlers['datasets/import']({
      projectId: p.id,
      file: { name: 'notes.csv', contentBase64: readFileSync(csv).toString('base64') },
      mapping: preview.suggestedMapping,
    })
    expect(uploaded).toMatchObject({ imported: 0, duplicates: 4, rejected: 1 })

    await app.handlers['labels/set']({ textId: 1, labelIds: [2] })
    out = mkdtempSync(join(tmpdir(), 'cts-real-'))
    const path = join(out, 'labels.csv')
    expect(await app.handlers['exports/texts']({ projectId: p.id, format: 'csv', path })).toEqual({
      rows: 3,
      path,
      fileName: 'labels.csv',
    })
    expect(readFileSync(path, 'utf8')).toBe(
      '\uFEFFid,text,labels,external_id,group,split\r\n' +
        '1,"Patient reports mild headache, no fever.",疾病,n-001,p1,\r\n' +
        '2,患者咳嗽三天，伴发热 38.5℃。,疾病,n-002,p2,\r\n' +
        "3,'=SUM(A1) chest pain; ECG ordered.,疾病,n-005,p3,\r\n",
    )
  })
})
