// exports/texts: rows in id order with label names in label order, to a path or as bytes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { SourceRecord } from '../../../main/data/types'
import {
  exportFileName,
  type ExportRow,
  type ExportRowsFn,
} from '../../../main/services/exports-service'
import { EXPORT_PAGE_ROWS } from '../../../main/store/limits'
import { tempServices } from './fixtures'
import { anyFile, ArrayReader, textMapping } from './test-reader'

let app: ReturnType<typeof tempServices>
let out: string | undefined
afterEach(() => {
  app?.dispose()
  if (out) rmSync(out, { recursive: true, force: true })
})

/** A JSONL writer standing in for main/data's exportRows: one JSON row per line. */
const jsonLines: ExportRowsFn = async (_format, rows, outPath) => {
  const lines: string[] = []
  for await (const row of rows as AsyncIterable<ExportRow>) lines.push(JSON.stringify(row))
  writeFileSync(outPath, lines.map((l) => `${l}\n`).join(''))
  return { rows: lines.length }
}

describe('exports/texts', () => {
  it('writes every text with its labels by name, in label order', async () => {
    const records: SourceRecord[] = [
      { row: 2, text: '发热，咳嗽', label: 'cough;fever', externalId: 'x1', group: 'g1' },
      { row: 3, text: '=1+1 looks like a formula' },
    ]
    app = tempServices({ sourceReader: new ArrayReader(() => records), exportRows: jsonLines })
    const p = await app.handlers['projects/create']({
      name: 'ml',
      kind: 'multilabel',
      labels: ['fever', 'cough'],
    })
    await app.handlers['datasets/import']({ projectId: p.id, file: anyFile, mapping: textMapping })
    out = mkdtempSync(join(tmpdir(), 'cts-exp-'))
    const path = join(out, 'export.jsonl')
    expect(await app.handlers['exports/texts']({ projectId: p.id, format: 'jsonl', path })).toEqual(
      {
        rows: 2,
        path,
        fileName: 'export.jsonl',
      },
    )
    expect(
      readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      {
        id: 1,
        text: '发热，咳嗽',
        labels: ['fever', 'cough'],
        externalId: 'x1',
        group: 'g1',
        split: null,
      },
      {
        id: 2,
        text: '=1+1 looks like a formula',
        labels: [],
        externalId: null,
        group: null,
        split: null,
      },
    ])
    const audit = app.workspace.db
      .prepare("SELECT details FROM audit_log WHERE action = 'export'")
      .get() as {
      details: string
    }
    expect(JSON.parse(audit.details)).toEqual({
      format: 'jsonl',
      rows: 2,
      fileName: 'export.jsonl',
    })
  })

  it('returns the bytes when no path is given, reading the texts page by page', async () => {
    const n = EXPORT_PAGE_ROWS * 2 + 1
    const records = Array.from({ length: n }, (_, i) => ({
      row: i + 2,
      text: `note ${i}`,
      label: i % 2 ? 'B' : 'A',
    }))
    app = tempServices({ sourceReader: new ArrayReader(() => records), exportRows: jsonLines })
    const p = await app.handlers['projects/create']({ name: 'Ward: 3/4', kind: 'multiclass' })
    await app.handlers['datasets/import']({ projectId: p.id, file: anyFile, mapping: textMapping })
    const r = await app.handlers['exports/texts']({ projectId: p.id, format: 'jsonl' })
    expect(r).toMatchObject({ rows: n, fileName: 'Ward_ 3_4-texts.jsonl' })
    const rows = Buffer.from(r.contentBase64 ?? '', 'base64')
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ExportRow)
    expect(rows.map((x) => x.id)).toEqual(Array.from({ length: n }, (_, i) => i + 1))
    expect(rows[n - 1]).toMatchObject({ text: `note ${n - 1}`, labels: ['A'] })
    expect(exportFileName('a<b>', 'csv')).toBe('a_b_-texts.csv')
  })

  it('reports a folder that does not exist as bad-input and audits nothing', async () => {
    app = tempServices({ sourceReader: new ArrayReader(() => [{ row: 2, text: 'x' }]) })
    const p = await app.handlers['projects/create']({ name: 'p', kind: 'binary' })
    await app.handlers['datasets/import']({ projectId: p.id, file: anyFile, mapping: textMapping })
    const path = join(tmpdir(), 'cts-no-such-folder', 'out.csv')
    await expect(
      app.handlers['exports/texts']({ projectId: p.id, format: 'csv', path }),
    ).rejects.toMatchObject({
      code: 'bad-input',
      message:
        'The export file out.csv could not be written (ENOENT). Check that the folder exists and you may write to it.',
    })
    expect(
      app.workspace.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'export'").get(),
    ).toEqual({
      n: 0,
    })
  })
})
