// XLSX, JSON, JSONL and TXT fixtures: sheets, displayed cell text, bad lines and damaged files.
import ExcelJS from 'exceljs'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { sourceReader } from '../../../main/data/open-source'
import { collect, failure, fixture, importWithSuggestion } from './helpers'

const DAMAGED = /^This Excel file is damaged or incomplete/

describe('XLSX import', () => {
  it('lists the sheets and reads the first one by default', async () => {
    const { preview, records } = await importWithSuggestion('two-sheets.xlsx')
    expect(preview).toMatchObject({
      format: 'xlsx',
      sheets: ['Notes', 'Follow-up'],
      sheet: 'Notes',
    })
    expect(preview.columns).toEqual(['text', 'label'])
    expect(records).toEqual([
      { row: 2, text: '头痛三天，伴发热', label: '疾病' },
      { row: 3, text: 'Routine check-up, no complaints', label: '健康' },
    ])
  })

  it('reads the chosen sheet', async () => {
    const { preview, records } = await importWithSuggestion('two-sheets.xlsx', {
      sheet: 'Follow-up',
    })
    expect(preview.sheet).toBe('Follow-up')
    expect(preview.suggestedMapping).toEqual({
      text: 'content',
      label: 'category',
      group: 'patient',
    })
    expect(records[2]).toEqual({ row: 4, text: '咳嗽两周，夜间加重', label: '疾病', group: 'P02' })
  })

  it('refuses a sheet name that is not in the workbook, listing the sheets', async () => {
    expect(
      await failure(sourceReader.preview(fixture('two-sheets.xlsx'), { sheet: 'Labs' })),
    ).toEqual({
      code: 'bad-input',
      message: 'There is no sheet named "Labs" in this file. Sheets: Notes, Follow-up.',
    })
  })

  it('converts numbers, dates, percentages, booleans, rich text and formulas to their displayed text', async () => {
    const { preview, records } = await importWithSuggestion('numbers-dates.xlsx')
    expect(preview.rows).toEqual([
      ['1', '头痛三天，伴发热', '疾病', '2024-03-01', '38.5', '25%', 'TRUE', '2024-03-01 08:30'],
      ['2', 'Chest pain radiating to the left arm', '疾病', '2024-12-31', '37', '50%', 'FALSE', ''],
      ['3', '例行体检，无不适', '健康', '', '37', '', '', ''],
    ])
    expect(records).toEqual([
      { row: 2, text: '头痛三天，伴发热', label: '疾病', externalId: '1' },
      { row: 3, text: 'Chest pain radiating to the left arm', label: '疾病', externalId: '2' },
      { row: 4, text: '例行体检，无不适', label: '健康', externalId: '3' },
    ])
  })

  it('reads a workbook saved with a .csv name as a workbook', async () => {
    const { preview, records } = await importWithSuggestion('xlsx-named.csv')
    expect(preview.format).toBe('xlsx')
    expect(records).toHaveLength(2)
  })

  it('reports a truncated workbook as damaged, for preview and for import', async () => {
    const previewErr = await failure(sourceReader.preview(fixture('truncated.xlsx'), {}))
    expect(previewErr.code).toBe('bad-input')
    expect(previewErr.message).toMatch(DAMAGED)
    const importErr = await failure(collect(fixture('truncated.xlsx'), { text: 'text' }))
    expect(importErr.message).toMatch(DAMAGED)
  })

  it('reports a workbook whose contents are corrupt as damaged', async () => {
    const bytes = Buffer.from(readFileSync((fixture('two-sheets.xlsx') as { path: string }).path))
    for (let i = 200; i < bytes.length - 400; i += 7) bytes[i] = bytes[i] ^ 0x5a
    const err = await failure(collect({ name: 'corrupt.xlsx', bytes }, { text: 'text' }))
    expect(err.code).toBe('bad-input')
    expect(err.message).toMatch(DAMAGED)
  })

  it('reads the chosen sheet of a many-sheet workbook whose workbook part is stored last, every time', async () => {
    // exceljs's own streaming pass loses zip entries stored last when it falls behind (its issue
    // #3064); exceljs saves xl/workbook.xml last, so this book failed on the first read before.
    const dir = mkdtempSync(join(tmpdir(), 'cts-xlsx-'))
    try {
      const book = new ExcelJS.Workbook()
      for (let s = 1; s <= 8; s++) {
        const sheet = book.addWorksheet(`Ward ${s}`)
        sheet.addRow(['text', 'label'])
        for (let i = 1; i <= 40; i++) sheet.addRow([`头痛三天 ward ${s} note ${i}`, '疾病'])
      }
      book.getWorksheet('Ward 1')!.state = 'hidden'
      const path = join(dir, 'wards.xlsx')
      writeFileSync(path, Buffer.from(await book.xlsx.writeBuffer()))
      for (let k = 0; k < 20; k++) {
        const preview = await sourceReader.preview({ path }, {})
        expect(preview.sheet).toBe('Ward 2')
        expect(preview.sheets).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((s) => `Ward ${s}`))
        const rows = []
        for await (const r of sourceReader.records({ path }, { sheet: 'Ward 7' }, { text: 'text' }))
          rows.push(r)
        expect(rows).toHaveLength(40)
        expect(rows[39]).toEqual({ row: 41, text: '头痛三天 ward 7 note 40' })
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('leaves no temp copies of sheets behind when reading stops early', async () => {
    // exceljs's streaming pass buffered sheets stored before the shared strings (as Excel and
    // exceljs save them) in temp files holding patient text; reading by the central directory
    // must write none, even when reading stops early.
    const dir = mkdtempSync(join(tmpdir(), 'cts-xlsx-'))
    try {
      const book = new ExcelJS.Workbook()
      const sheet = book.addWorksheet('Notes')
      sheet.addRow(['text', 'label'])
      for (let i = 1; i <= 1500; i++) sheet.addRow([`头痛三天，伴发热 ${i}`, '疾病'])
      book.addWorksheet('Other').addRow(['text'])
      const path = join(dir, 'long.xlsx')
      writeFileSync(path, Buffer.from(await book.xlsx.writeBuffer()))
      const leftovers = () =>
        readdirSync(tmpdir()).filter((f) => f.startsWith(`tmp-${process.pid}-`))
      const before = leftovers()
      const preview = await sourceReader.preview({ path }, {})
      expect(preview.rows).toHaveLength(20)
      let read = 0
      for await (const record of sourceReader.records({ path }, {}, { text: 'text' })) {
        expect(record).toEqual({ row: 2, text: '头痛三天，伴发热 1' })
        if (++read === 1) break
      }
      // exceljs unlinks asynchronously, just after it moves past each sheet.
      await vi.waitFor(() => expect(leftovers().filter((f) => !before.includes(f))).toEqual([]), {
        timeout: 3000,
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('names the old .xls format instead of failing obscurely', async () => {
    const err = await failure(sourceReader.preview(fixture('old-excel.xls'), {}))
    expect(err).toEqual({
      code: 'bad-input',
      message:
        'This is an old Excel 97–2003 (.xls) file. Open it in Excel, save it as .xlsx or CSV, and import that file.',
    })
  })
})

describe('JSON, JSONL and TXT import', () => {
  it('rejects bad JSONL lines by line number and keeps the good ones', async () => {
    const { preview, records } = await importWithSuggestion('bad-line.jsonl')
    expect(preview).toMatchObject({ format: 'jsonl', columns: ['text', 'label', 'patient'] })
    expect(preview.suggestedMapping).toEqual({ text: 'text', label: 'label', group: 'patient' })
    expect(records).toEqual([
      { row: 1, text: '头痛三天，伴发热', label: '疾病' },
      { row: 2, error: 'Line 2 is not valid JSON' },
      { row: 4, text: '例行体检，无不适', label: '健康', group: 'P01' },
      { row: 5, error: 'Line 5 is not an object like {"text": "…"} or a text in quotes' },
      { row: 6, text: 'Routine check-up, no complaints' },
    ])
  })

  it('reads a JSON array of objects, joining label lists with ;', async () => {
    const { preview, records } = await importWithSuggestion('array.json')
    expect(preview).toMatchObject({ format: 'json', columns: ['id', 'text', 'labels'] })
    expect(preview.labelsFound).toEqual(['发热', '头痛', 'chest pain'])
    expect(records).toEqual([
      { row: 1, text: '头痛三天，伴发热', label: '发热;头痛', externalId: 'a1' },
      {
        row: 2,
        text: 'Chest pain radiating to the left arm',
        label: 'chest pain',
        externalId: 'a2',
      },
      { row: 3, error: 'Item 3: the text field "text" is empty' },
      { row: 4, error: 'Item 4 is not an object like {"text": "…"} or a text in quotes' },
    ])
  })

  it('reads a JSON array of strings as texts', async () => {
    const { preview, records } = await importWithSuggestion('strings.json')
    expect(preview.columns).toEqual(['text'])
    expect(records).toEqual([
      { row: 1, text: '头痛三天，伴发热' },
      { row: 2, text: 'Chest pain radiating to the left arm' },
      { row: 3, error: 'Item 3: the text field "text" is empty' },
    ])
  })

  it('keeps the items before the point where a JSON file is cut off', async () => {
    const { records } = await importWithSuggestion('truncated.json')
    expect(records).toEqual([
      { row: 1, text: '头痛三天，伴发热' },
      { row: 2, error: 'Item 2: the file ends before this item is complete' },
    ])
  })

  it('refuses a JSON file that holds no list', async () => {
    const bytes = Buffer.from('"just one text"')
    const err = await failure(collect({ name: 'one.json', bytes }, { text: 'text' }))
    expect(err.code).toBe('bad-input')
    expect(err.message).toMatch(/^This JSON file does not hold a list/)
  })

  it('refuses a .json file holding one object spread over several lines', async () => {
    const bytes = Buffer.from('{\n  "data": [{"text": "头痛"}]\n}\n')
    const err = await failure(sourceReader.preview({ name: 'export.json', bytes }, {}))
    expect(err.code).toBe('bad-input')
    expect(err.message).toMatch(/^This JSON file does not hold a list/)
  })

  it('refuses a TXT mapping that names a column other than "text"', async () => {
    expect(await failure(collect(fixture('notes.txt'), { text: 'note' }))).toEqual({
      code: 'bad-input',
      message: 'The column "note" is not in this file. Its columns are: text.',
    })
  })

  it('reads one text per TXT line, skipping blank lines, numbering by line', async () => {
    const { preview, records } = await importWithSuggestion('notes.txt')
    expect(preview).toMatchObject({
      format: 'txt',
      columns: ['text'],
      suggestedMapping: { text: 'text' },
    })
    expect(records).toEqual([
      { row: 1, text: '头痛三天，伴发热' },
      { row: 3, text: 'Chest pain radiating to the left arm' },
      { row: 5, text: '例行体检，无不适' },
    ])
  })
})
