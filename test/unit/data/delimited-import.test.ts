// CSV/TSV fixtures: encodings, delimiters, quoting, ragged and empty rows, and their exact records.
import { describe, expect, it } from 'vitest'
import { sourceReader } from '../../../main/data/open-source'
import { collect, failure, fixture, importWithSuggestion } from './helpers'

const BASIC_RECORDS = [
  { row: 2, text: '头痛三天，伴发热', label: '疾病', externalId: '1', group: 'P01' },
  {
    row: 3,
    text: 'Chest pain radiating to the left arm',
    label: '疾病',
    externalId: '2',
    group: 'P02',
  },
  { row: 4, text: '例行体检，无不适', label: '健康', externalId: '3', group: 'P01' },
  { row: 5, text: 'Routine check-up, no complaints', label: '健康', externalId: '4', group: 'P03' },
]

describe('CSV and TSV import', () => {
  it.each(['utf8.csv', 'utf8-bom.csv'])('reads %s with or without a BOM', async (name) => {
    const { preview, records } = await importWithSuggestion(name)
    expect(preview).toMatchObject({
      format: 'csv',
      encoding: 'utf-8',
      detectedEncoding: 'utf-8',
      delimiter: ',',
    })
    expect(preview.columns).toEqual(['id', 'text', 'label', 'patient_id'])
    expect(preview.suggestedMapping).toEqual({
      text: 'text',
      label: 'label',
      id: 'id',
      group: 'patient_id',
    })
    expect(preview.labelsFound).toEqual(['疾病', '健康'])
    expect(preview.rows[3]).toEqual(['4', 'Routine check-up, no complaints', '健康', 'P03'])
    expect(records).toEqual(BASIC_RECORDS)
  })

  it('detects GB18030 and suggests the Chinese column names', async () => {
    const { preview, records } = await importWithSuggestion('gb18030.csv')
    expect(preview).toMatchObject({
      format: 'csv',
      encoding: 'gb18030',
      detectedEncoding: 'gb18030',
    })
    expect(preview.suggestedMapping).toEqual({
      text: '主诉',
      label: '诊断',
      id: '编号',
      group: '患者编号',
    })
    expect(records).toHaveLength(5)
    expect(records[3]).toEqual({
      row: 5,
      text: '胸闷气短，活动后加剧',
      label: '疾病',
      externalId: '4',
      group: 'P02',
    })
  })

  it('detects Big5 and keeps traditional characters', async () => {
    const { preview, records } = await importWithSuggestion('big5.csv')
    expect(preview).toMatchObject({ encoding: 'big5', detectedEncoding: 'big5' })
    expect(records.map((r) => ('text' in r ? r.text : r.error))).toEqual([
      '頭痛三天，伴發熱',
      '胸口悶痛，呼吸困難',
      '例行體檢，無不適',
      '咳嗽兩週，夜間加重',
      '血壓正常，睡眠良好',
    ])
  })

  it.each([
    ['utf16le-bom.tsv', 'utf-16le'],
    ['utf16be-nobom.tsv', 'utf-16be'],
  ])('reads %s as %s, tab-delimited', async (name, encoding) => {
    const { preview, records } = await importWithSuggestion(name)
    expect(preview).toMatchObject({
      format: 'tsv',
      encoding,
      detectedEncoding: encoding,
      delimiter: '\t',
    })
    expect(preview.columns).toEqual(['id', 'text', 'label'])
    expect(records).toEqual([
      { row: 2, text: '头痛三天，伴发热', label: '疾病', externalId: '1' },
      { row: 3, text: 'Chest pain radiating to the left arm', label: '疾病', externalId: '2' },
      { row: 4, text: '例行体检，无不适', label: '健康', externalId: '3' },
    ])
  })

  it('reads a Latin-1 family file as windows-1252, curly apostrophe included', async () => {
    const { preview, records } = await importWithSuggestion('windows-1252.csv')
    expect(preview.encoding).toBe('windows-1252')
    expect(records[1]).toEqual({
      row: 3,
      text: 'Ménière’s disease suspected',
      label: 'disease',
      externalId: '2',
    })
  })

  it('sniffs ; when commas appear unquoted inside the texts', async () => {
    const { preview, records } = await importWithSuggestion('semicolon.csv')
    expect(preview.delimiter).toBe(';')
    expect(records).toEqual([
      { row: 2, text: 'Fever, cough and sore throat', label: '疾病', externalId: '1' },
      { row: 3, text: '头痛三天，伴发热', label: '疾病', externalId: '2' },
      { row: 4, text: 'Check-up; all normal', label: '健康', externalId: '3' },
    ])
  })

  it('sniffs | as the delimiter', async () => {
    const { preview, records } = await importWithSuggestion('pipe.csv')
    expect(preview.delimiter).toBe('|')
    expect(records[0]).toEqual({
      row: 2,
      text: 'Shortness of breath, worse at night',
      label: '疾病',
      externalId: '1',
    })
  })

  it('keeps quoted newlines and doubled quotes inside one spreadsheet row', async () => {
    const { records } = await importWithSuggestion('quoted-newlines.csv')
    expect(records).toEqual([
      { row: 2, text: '头痛三天\n伴发热\n无呕吐', label: '疾病', externalId: '1' },
      { row: 3, text: 'He said "it hurts", pointing at the chest', label: '疾病', externalId: '2' },
      { row: 4, text: 'Annual check-up', label: '健康', externalId: '3' },
    ])
  })

  it('normalises CRLF to LF and trims outer whitespace only', async () => {
    const { records } = await importWithSuggestion('crlf.csv')
    expect(records).toEqual([
      { row: 2, text: '头痛三天，伴发热', label: '疾病', externalId: '1' },
      { row: 3, text: '咳嗽两周\n夜间加重', label: '疾病', externalId: '2' },
      { row: 4, text: 'Mild seasonal allergies', label: '健康', externalId: '3' },
    ])
  })

  it('rejects a short row only when a mapped column is missing, and ignores extra cells', async () => {
    const all = await collect(fixture('ragged-rows.csv'), {
      text: 'text',
      label: 'label',
      group: 'patient_id',
    })
    expect(all).toEqual([
      { row: 2, text: '头痛三天，伴发热', label: '疾病', group: 'P01' },
      { row: 3, error: 'Row 3 has 2 columns; the header has 4' },
      { row: 4, error: 'Row 4 has 3 columns; the header has 4' },
      { row: 5, text: 'Sore throat for two days', label: '疾病', group: 'P04' },
    ])
    const textAndLabel = await collect(fixture('ragged-rows.csv'), { text: 'text', label: 'label' })
    expect(textAndLabel).toEqual([
      { row: 2, text: '头痛三天，伴发热', label: '疾病' },
      { row: 3, error: 'Row 3 has 2 columns; the header has 4' },
      { row: 4, text: 'Routine check-up', label: '健康' },
      { row: 5, text: 'Sore throat for two days', label: '疾病' },
    ])
    const textOnly = await collect(fixture('ragged-rows.csv'), { text: 'text' })
    expect(textOnly.map((r) => r.row)).toEqual([2, 3, 4, 5])
    expect(textOnly.every((r) => 'text' in r)).toBe(true)
  })

  it('imports rows with an empty label as unlabelled texts', async () => {
    const { preview, records } = await importWithSuggestion('empty-labels.csv')
    expect(preview.labelsFound).toEqual(['疾病'])
    expect(records).toEqual([
      { row: 2, text: '头痛三天，伴发热', label: '疾病' },
      { row: 3, text: 'Chest pain radiating to the left arm' },
      { row: 4, text: '例行体检，无不适' },
    ])
  })

  it('rejects empty texts with row and column, and skips blank rows without shifting numbers', async () => {
    const { records } = await importWithSuggestion('empty-text-rows.csv')
    expect(records).toEqual([
      { row: 2, text: '头痛三天，伴发热', label: '疾病', externalId: '1' },
      { row: 3, error: 'Row 3: the text column "text" is empty' },
      { row: 5, error: 'Row 5: the text column "text" is empty' },
      { row: 7, text: 'Chest pain radiating to the left arm', label: '疾病', externalId: '6' },
    ])
  })

  it('yields duplicates unchanged (the datasets service counts them)', async () => {
    const { records } = await importWithSuggestion('duplicates.csv')
    expect(records.map((r) => ('text' in r ? r.text : ''))).toEqual([
      '头痛三天，伴发热',
      '头痛三天，伴发热',
      '头痛三天，伴发热',
      'Chest pain radiating to the left arm',
    ])
  })

  it('imports formula-looking cells as plain text', async () => {
    const { records } = await importWithSuggestion('formula-cells.csv')
    expect(records.map((r) => ('text' in r ? r.text : ''))).toEqual([
      '=1+1',
      '+86 138 0000 0000 called back',
      '-2 kg weight loss',
      '@SUM(A1:A2)',
    ])
  })

  it('splits multi-label cells on ; and | for the labels found', async () => {
    const { preview, records } = await importWithSuggestion('multilabel.csv')
    expect(preview.suggestedMapping).toEqual({ text: 'text', label: 'labels' })
    expect(preview.labelsFound).toEqual(['发热', '咳嗽', 'fever', 'headache'])
    expect(records[0]).toEqual({ row: 2, text: '发热伴咳嗽', label: '发热;咳嗽' })
  })

  it('maps Chinese headers and patient ids in a mixed-language file', async () => {
    const { preview, records } = await importWithSuggestion('mixed-zh-en.csv')
    expect(preview.suggestedMapping).toEqual({
      text: '主诉',
      label: '诊断',
      id: '编号',
      group: '患者编号',
    })
    expect(records[1]).toEqual({
      row: 3,
      text: 'Chest pain radiating to the left arm',
      label: '疾病',
      externalId: 'A2',
      group: 'Smith',
    })
  })

  it('falls back to the column with the longest texts when no header name matches', async () => {
    const { preview } = await importWithSuggestion('unnamed-columns.csv')
    expect(preview.suggestedMapping).toEqual({ text: '病历摘要' })
    expect(preview.labelsFound).toEqual([])
  })

  it('previews a header-only file with its columns and imports nothing', async () => {
    const { preview, records } = await importWithSuggestion('header-only.csv')
    expect(preview.columns).toEqual(['id', 'text', 'label'])
    expect(preview.rows).toEqual([])
    expect(records).toEqual([])
  })

  it('refuses an empty file', async () => {
    expect(await failure(sourceReader.preview(fixture('empty.csv'), {}))).toEqual({
      code: 'bad-input',
      message: 'The file "empty.csv" is empty.',
    })
  })

  it('names the row where a quote is never closed', async () => {
    const err = await failure(collect(fixture('unclosed-quote.csv'), { text: 'text' }))
    expect(err.code).toBe('bad-input')
    expect(err.message).toMatch(/^Row 3: a quoted cell is never closed/)
  })

  it('refuses a mapping that names a column the file does not have', async () => {
    expect(await failure(collect(fixture('utf8.csv'), { text: 'notes' }))).toEqual({
      code: 'bad-input',
      message:
        'The column "notes" is not in this file. Its columns are: id, text, label, patient_id.',
    })
  })

  it('refuses binary junk named .csv', async () => {
    const err = await failure(sourceReader.preview(fixture('binary-junk.csv'), {}))
    expect(err.code).toBe('bad-input')
    expect(err.message).toMatch(/^This file does not look like text/)
  })

  it('reads bytes uploaded without a path the same way', async () => {
    const { readFileSync } = await import('node:fs')
    const bytes = readFileSync((fixture('gb18030.csv') as { path: string }).path)
    const records = await collect({ name: 'upload.csv', bytes }, { text: '主诉' })
    expect(records[0]).toEqual({ row: 2, text: '头痛三天，伴发热' })
  })
})
