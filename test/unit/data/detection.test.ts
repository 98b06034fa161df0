// Format sniffing for files without a telling extension, delimiter sniffing, and the column rules.
import { describe, expect, it } from 'vitest'
import { sourceReader } from '../../../main/data/open-source'
import { sniffDelimiter } from '../../../main/data/sniff-delimiter'
import { splitLabels, suggestMapping, uniqueColumns } from '../../../main/data/column-mapping'

const named = (name: string, text: string) => ({ name, bytes: Buffer.from(text, 'utf8') })

describe('format sniffing', () => {
  it.each([
    ['export', 'text\tlabel\n头痛\t疾病\n', 'tsv'],
    ['export.dat', '[{"text": "头痛"}]', 'json'],
    ['export', '{"text": "头痛"}\n{"text": "Chest pain"}\n', 'jsonl'],
    ['export', 'Chest pain radiating to the left arm\n头痛三天\n', 'txt'],
    ['export.json', '{"text": "头痛"}\n{"text": "Chest pain"}\n', 'jsonl'],
    ['export.txt', 'a,b\nc,d\n', 'txt'],
  ])('reads %s holding %j as %s', async (name, text, format) => {
    expect((await sourceReader.preview(named(name, text), {})).format).toBe(format)
  })

  it('treats a file of only blank lines as having no text', async () => {
    await expect(sourceReader.preview(named('blank.csv', '\n  \n'), {})).rejects.toMatchObject({
      code: 'bad-input',
      message: 'The file "blank.csv" has no text in it.',
    })
  })
})

describe('sniffDelimiter', () => {
  it('ignores delimiters inside quotes, quoted newlines included', () => {
    const sample = 'a;b\n"x, y, z";1\n"p,\nq";2\n'
    expect(sniffDelimiter(sample, true, ',')).toBe(';')
  })

  it('falls back for a one-column file, or says null without a fallback', () => {
    expect(sniffDelimiter('text\nChest pain\n', true, '\t')).toBe('\t')
    expect(sniffDelimiter('text\nChest pain\n', true, null)).toBeNull()
  })

  it('ignores a last record cut off by the end of the sample', () => {
    expect(sniffDelimiter('a|b\n1|2\n3|4\n5,6,7,8,9', false, ',')).toBe('|')
  })
})

describe('column rules', () => {
  it('names blank header cells and numbers repeated ones', () => {
    expect(uniqueColumns(['text', ' ', 'text', ' label '])).toEqual([
      'text',
      'Column 2',
      'text (2)',
      'label',
    ])
  })

  it('matches header names case-insensitively, with spaces or hyphens for underscores', () => {
    expect(
      suggestMapping(['Record ID', 'Medical-Abstract', 'Condition_Label', 'Patient ID'], []),
    ).toEqual({
      text: 'Medical-Abstract',
      label: 'Condition_Label',
      id: 'Record ID',
      group: 'Patient ID',
    })
    expect(suggestMapping(['编号', '描述', '类别', '患者'], [])).toEqual({
      text: '描述',
      label: '类别',
      id: '编号',
      group: '患者',
    })
  })

  it('splits multi-label cells on ; and |, trimming and dropping empties', () => {
    expect(splitLabels(' 发热; 咳嗽 |fever;; ')).toEqual(['发热', '咳嗽', 'fever'])
    expect(splitLabels('')).toEqual([])
  })
})
