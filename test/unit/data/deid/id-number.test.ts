// ID_NUMBER: Chinese resident identity numbers with the MOD 11-2 check digit, and US SSNs.
import { describe, expect, it } from 'vitest'
import { cnIdCheckDigitOk, detectPhi } from '../../../../main/data/deid'
import { found } from './helpers'

describe('identity numbers', () => {
  it('validates the ISO 7064 MOD 11-2 check digit, X included', () => {
    expect(cnIdCheckDigitOk('11010519491231002X')).toBe(true)
    expect(cnIdCheckDigitOk('110105194912310021')).toBe(false)
    expect(cnIdCheckDigitOk('110105197603136674')).toBe(true)
    expect(cnIdCheckDigitOk('110105197603136675')).toBe(false)
  })

  it('masks an identity number with a valid check digit and not one with a wrong digit', () => {
    expect(detectPhi('编号110105197603136674。')).toEqual([
      { type: 'ID_NUMBER', start: 2, end: 20 },
    ])
    expect(found('编号110105197603136675。')).toEqual([])
  })

  it('masks any 15/18-digit number after an explicit identity cue, a mistyped one included', () => {
    expect(
      found('身份证号：110105197603136675；身份证 110105760313667；Passport no. X12345678'),
    ).toEqual([
      ['ID_NUMBER', '110105197603136675'],
      ['ID_NUMBER', '110105760313667'],
      ['ID_NUMBER', 'X12345678'],
    ])
  })

  it('accepts a lower-case x check digit', () => {
    expect(found('ID 11010519491231002x')).toEqual([['ID_NUMBER', '11010519491231002x']])
  })

  it('rejects an impossible or future birth date even with a matching check digit', () => {
    // 19490230: 30 February; 20991231: in the future (both with their correct check digits)
    expect(found('110105194902300012 and 110105209912310010')).toEqual([])
  })

  it('finds US social security numbers but not never-issued areas', () => {
    expect(found('SSN 512-44-8831; SSN: 078051120; 000-12-3456 and 666-12-3456')).toEqual([
      ['ID_NUMBER', '512-44-8831'],
      ['ID_NUMBER', '078051120'],
    ])
  })
})
