// DATE: the formats the issue lists, and the keepYear mask.
import { describe, expect, it } from 'vitest'
import { deidentify } from '../../../../main/data/deid'
import { found } from './helpers'

describe('dates', () => {
  it('finds numeric and English dates', () => {
    expect(
      found(
        'On 2023-05-17, 2023/5/17, 17/05/2023, 05/17/2023, May 17, 2023, 17 May 2023, June 2019.',
      ),
    ).toEqual([
      ['DATE', '2023-05-17'],
      ['DATE', '2023/5/17'],
      ['DATE', '17/05/2023'],
      ['DATE', '05/17/2023'],
      ['DATE', 'May 17, 2023'],
      ['DATE', '17 May 2023'],
      ['DATE', 'June 2019'],
    ])
  })

  it('finds lab-system dates with month abbreviations', () => {
    expect(found('Collected 7-Mar-2024, resulted 07-MAR-24.')).toEqual([
      ['DATE', '7-Mar-2024'],
      ['DATE', '07-MAR-24'],
    ])
  })

  it('finds Chinese dates', () => {
    expect(found('2023年5月17日入院，5月20日复查，二〇二三年确诊')).toEqual([
      ['DATE', '2023年5月17日'],
      ['DATE', '5月20日'],
      ['DATE', '二〇二三年'],
    ])
  })

  it('does not take an edition year (《药典》2020年版) for a date', () => {
    expect(found('《中华人民共和国药典》2020年版；2020年手术')).toEqual([['DATE', '2020年']])
  })

  it('leaves blood pressure, durations and "may" as a verb alone', () => {
    expect(found('BP 140/90, 病史10年, symptoms may 3 times, 13/13/2023')).toEqual([])
  })

  it('masks dates as [DATE], or keeps the year in Arabic digits with keepYear', () => {
    const text = '2023-05-17; May 17, 2023; 二〇二三年; 5月17日'
    expect(deidentify(text).text).toBe('[DATE]; [DATE]; [DATE]; [DATE]')
    expect(deidentify(text, { keepYear: true }).text).toBe(
      '[DATE] 2023; [DATE] 2023; [DATE] 2023; [DATE]',
    )
  })
})
