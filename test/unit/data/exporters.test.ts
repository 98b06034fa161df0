// Exports: CSV (BOM, RFC 4180, ';'-joined labels), XLSX and JSONL, atomic writes, escaped formulas.
import ExcelJS from 'exceljs'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { exportRows, type ExportRow } from '../../../main/data/exporters'
import { collect } from './helpers'

const dir = mkdtempSync(join(tmpdir(), 'cts-export-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const ROWS: ExportRow[] = [
  {
    id: 1,
    text: '头痛三天，伴发热',
    labels: ['疾病'],
    externalId: 'A1',
    group: 'P01',
    split: 'train',
  },
  {
    id: 2,
    text: 'Chest pain, "sharp"\nradiating to the left arm',
    labels: ['疾病', '胸痛'],
    externalId: null,
    group: null,
    split: null,
  },
  {
    id: 3,
    text: '=HYPERLINK("http://x")',
    labels: [],
    externalId: '-5',
    group: '@grp',
    split: 'test',
  },
]

async function* slowly(rows: ExportRow[]) {
  for (const row of rows) yield row
}

describe('exportRows', () => {
  it('writes CSV as UTF-8 with a BOM, RFC 4180 quoting, CRLF and escaped formulas', async () => {
    const out = join(dir, 'texts.csv')
    expect(await exportRows('csv', ROWS, out)).toEqual({ rows: 3 })
    const bytes = readFileSync(out)
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    expect(bytes.subarray(3).toString('utf8')).toBe(
      'id,text,labels,external_id,group,split\r\n' +
        '1,头痛三天，伴发热,疾病,A1,P01,train\r\n' +
        '2,"Chest pain, ""sharp""\nradiating to the left arm",疾病;胸痛,,,\r\n' +
        `3,"'=HYPERLINK(""http://x"")",,'-5,'@grp,test\r\n`,
    )
  })

  it('round-trips a CSV export through the importer', async () => {
    const out = join(dir, 'round-trip.csv')
    await exportRows('csv', slowly(ROWS.slice(0, 2)), out)
    const records = await collect(
      { path: out },
      { text: 'text', label: 'labels', id: 'external_id', group: 'group' },
    )
    expect(records).toEqual([
      { row: 2, text: '头痛三天，伴发热', label: '疾病', externalId: 'A1', group: 'P01' },
      { row: 3, text: 'Chest pain, "sharp"\nradiating to the left arm', label: '疾病;胸痛' },
    ])
  })

  it('writes XLSX with numeric ids, text cells and escaped formulas', async () => {
    const out = join(dir, 'texts.xlsx')
    expect(await exportRows('xlsx', slowly(ROWS), out)).toEqual({ rows: 3 })
    const book = new ExcelJS.Workbook()
    await book.xlsx.readFile(out)
    const sheet = book.worksheets[0]
    expect(sheet.name).toBe('Texts')
    const values = (r: number) => (sheet.getRow(r).values as unknown[]).slice(1)
    expect(values(1)).toEqual(['id', 'text', 'labels', 'external_id', 'group', 'split'])
    expect(values(2)).toEqual([1, '头痛三天，伴发热', '疾病', 'A1', 'P01', 'train'])
    expect(values(4)).toEqual([3, `'=HYPERLINK("http://x")`, undefined, "'-5", "'@grp", 'test'])
  })

  it('writes JSONL, one object per line, without spreadsheet escaping', async () => {
    const out = join(dir, 'texts.jsonl')
    await exportRows('jsonl', ROWS, out)
    const lines = readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines).toEqual(ROWS)
  })

  it('leaves no file, and no temp file, when the rows fail halfway', async () => {
    const out = join(dir, 'failed.csv')
    async function* failing() {
      yield ROWS[0]
      throw new Error('database went away')
    }
    await expect(exportRows('csv', failing(), out)).rejects.toThrow('database went away')
    expect(existsSync(out)).toBe(false)
    expect(readdirSync(dir).filter((f) => f.includes('failed'))).toEqual([])
  })

  it('replaces an existing file only once the new one is complete', async () => {
    const out = join(dir, 'replace.jsonl')
    await exportRows('jsonl', ROWS, out)
    await exportRows('jsonl', ROWS.slice(0, 1), out)
    expect(readFileSync(out, 'utf8').trimEnd().split('\n')).toHaveLength(1)
  })
})
