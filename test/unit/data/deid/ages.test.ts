// AGE: only over 89 — 89 stays, 90 is masked — in English and Chinese, digits and numerals.
import { describe, expect, it } from 'vitest'
import { found } from './helpers'

describe('ages over 89', () => {
  it('keeps 89 and masks 90', () => {
    expect(found('An 89-year-old and a 90-year-old.')).toEqual([['AGE', '90-year-old']])
    expect(found('89岁，90岁')).toEqual([['AGE', '90岁']])
    expect(found('aged 89; aged 90')).toEqual([['AGE', '90']])
    expect(found('八十九岁，九十岁')).toEqual([['AGE', '九十岁']])
  })

  it('finds the forms the issue lists', () => {
    expect(
      found(
        'a 92-year-old, aged 95, 95 years old, 91 y/o, Age: 102, 95岁, 93周岁, 九十五岁, 一百零二岁',
      ),
    ).toEqual([
      ['AGE', '92-year-old'],
      ['AGE', '95'],
      ['AGE', '95 years old'],
      ['AGE', '91 y/o'],
      ['AGE', '102'],
      ['AGE', '95岁'],
      ['AGE', '93周岁'],
      ['AGE', '九十五岁'],
      ['AGE', '一百零二岁'],
    ])
  })

  it('finds ages written in English words', () => {
    expect(found('a ninety-two-year-old, a one hundred year old, an eighty-nine-year-old')).toEqual(
      [
        ['AGE', 'ninety-two-year-old'],
        ['AGE', 'one hundred year old'],
      ],
    )
  })

  it('leaves younger ages and other numbers alone', () => {
    expect(found('A 62 years old man, 45岁, HR 96 bpm, SpO2 94%')).toEqual([])
  })
})
