// The formula-injection rule for spreadsheet exports.
import { describe, expect, it } from 'vitest'
import { escapeFormula } from '../../../main/data/escape-formula'

describe('escapeFormula', () => {
  it.each([
    ['=1+1', "'=1+1"],
    [' =1', "' =1"],
    ['-2', "'-2"],
    ['+86 138', "'+86 138"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=HYPERLINK("x")', '\'\t=HYPERLINK("x")'],
    ['\rcmd', "'\rcmd"],
    ['   @x', "'   @x"],
  ])('escapes %j', (value, escaped) => {
    expect(escapeFormula(value)).toBe(escaped)
  })

  it.each([
    'Chest pain radiating to the left arm',
    '头痛三天，伴发热',
    '＝全角等号不是公式',
    'a=b',
    '1-2',
    "'already quoted",
    '',
    '  ',
  ])('leaves %j unchanged', (value) => {
    expect(escapeFormula(value)).toBe(value)
  })
})
