// The import's optional split column: header names that suggest it, the EN/ZH values it accepts
// (any case), blanks (no split) and unknown values (the row is rejected with its reason).
import { describe, expect, it } from 'vitest'
import { parseSplit, suggestMapping } from '../../../main/data/column-mapping'
import { collect, failure, fixture, importWithSuggestion } from './helpers'

describe('split column', () => {
  it.each(['split', 'Set', 'SUBSET', 'fold', '数据集', '划分'])(
    'suggests a column named %s as the split',
    (name) => {
      expect(suggestMapping(['text', 'label', name], [])).toEqual({
        text: 'text',
        label: 'label',
        split: name,
      })
    },
  )

  it('reads every EN and ZH spelling case-insensitively; blank is no split; others are not splits', () => {
    const read = (values: string[]) => values.map(parseSplit)
    expect(read(['train', 'Training', '训练', '训练集'])).toEqual([
      'train',
      'train',
      'train',
      'train',
    ])
    expect(read(['DEV', 'val', 'Valid', 'validation', '验证', '验证集'])).toEqual([
      'dev',
      'dev',
      'dev',
      'dev',
      'dev',
      'dev',
    ])
    expect(read(['test', 'TESTING', '测试', '测试集'])).toEqual(['test', 'test', 'test', 'test'])
    expect(read(['', '  '])).toEqual([null, null])
    expect(read(['foo', 'trains', 'toString', '训练 集'])).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ])
  })

  it('maps the fixture’s Split column and rejects row 7 ("foo")', async () => {
    const { preview, records } = await importWithSuggestion('split-column.csv')
    expect(preview.suggestedMapping).toEqual({
      text: 'text',
      label: 'label',
      id: 'id',
      group: 'patient_id',
      split: 'Split',
    })
    expect(records).toHaveLength(16)
    expect(records[5]).toEqual({ row: 7, error: 'Row 7: split "foo" is not train, dev or test' })
    expect(records[0]).toEqual({
      row: 2,
      text: '头痛三天，伴发热',
      label: '疾病',
      externalId: '1',
      group: 'P01',
      split: 'train',
    })
    // The blank cell leaves the split out, like a blank label.
    expect(records[15]).toEqual({
      row: 17,
      text: 'Rash on both arms',
      label: '疾病',
      externalId: '16',
      group: 'P16',
    })
    const splits = records.map((r) => ('split' in r ? r.split : 'error' in r ? 'error' : 'none'))
    expect(splits).toEqual([
      ...['train', 'train', 'train', 'train', 'train', 'error', 'train'],
      ...['dev', 'dev', 'dev', 'dev'],
      ...['test', 'test', 'test', 'test'],
      'none',
    ])
  })

  it('ignores the split column when it is not mapped, and refuses a mapped column that is absent', async () => {
    const records = await collect(fixture('split-column.csv'), { text: 'text' })
    expect(records.every((r) => !('error' in r) && !('split' in r))).toBe(true)
    expect(await failure(collect(fixture('utf8.csv'), { text: 'text', split: 'Split' }))).toEqual({
      code: 'bad-input',
      message:
        'The column "Split" is not in this file. Its columns are: id, text, label, patient_id.',
    })
  })
})
