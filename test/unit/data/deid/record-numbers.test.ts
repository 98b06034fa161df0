// MRN and INSURANCE: default cues (the identifier is the span, not the cue) and a hospital's own
// patterns (whole match, or the first capture group when there is one).
import { describe, expect, it } from 'vitest'
import { found } from './helpers'

describe('medical record and insurance numbers', () => {
  it('takes the identifier after Chinese and English MRN cues', () => {
    expect(
      found(
        '住院号：ZY20230517，门诊号MZ00918273，病案号 BA-2023-11876。MRN: A00482913; Medical record no. MR-66120087.',
      ),
    ).toEqual([
      ['MRN', 'ZY20230517'],
      ['MRN', 'MZ00918273'],
      ['MRN', 'BA-2023-11876'],
      ['MRN', 'A00482913'],
      ['MRN', 'MR-66120087'],
    ])
  })

  it('takes insurance identifiers, space-separated groups included', () => {
    expect(
      found(
        '医保卡号：33010619460914。Insurance number BCBS 8877 6655. Policy no. HUM-11223344, Member ID XQH882104457.',
      ),
    ).toEqual([
      ['INSURANCE', '33010619460914'],
      ['INSURANCE', 'BCBS 8877 6655'],
      ['INSURANCE', 'HUM-11223344'],
      ['INSURANCE', 'XQH882104457'],
    ])
  })

  it('does not run on into a following count', () => {
    expect(found('MRN 12345 3 days ago')).toEqual([['MRN', '12345']])
  })

  it('does not take a cue word without an identifier', () => {
    expect(found('MRN not available; 住院号待补。Insurance number pending.')).toEqual([])
  })

  it("applies the hospital's MRN pattern (whole match) and insurance pattern (first group)", () => {
    const text = 'Scan XJ-0042-77 attached; card HC:998877 on file'
    expect(
      found(text, { mrnPatterns: ['XJ-\\d{4}-\\d{2}'], insurancePatterns: ['HC:(\\d{6})'] }),
    ).toEqual([
      ['MRN', 'XJ-0042-77'],
      ['INSURANCE', '998877'],
    ])
    expect(found(text)).toEqual([])
  })

  it("lets a hospital's pattern win an overlap with a built-in kind", () => {
    expect(found('ref 13812345678', { mrnPatterns: ['ref (1\\d{10})'] })).toEqual([
      ['MRN', '13812345678'],
    ])
  })
})
