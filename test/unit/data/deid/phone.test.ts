// PHONE: mainland mobiles and landlines, +86/0086 prefixes, extensions, US and other countries.
import { describe, expect, it } from 'vitest'
import { detectPhi } from '../../../../main/data/deid'
import { found } from './helpers'

describe('phone numbers', () => {
  it('finds a mainland mobile with exact offsets', () => {
    expect(detectPhi('电话13812345678。')).toEqual([{ type: 'PHONE', start: 2, end: 13 }])
  })

  it('finds mobiles with +86 / 0086 prefixes and separators', () => {
    expect(found('手机 +86 139-0571-2233，0086-135-1111-2222，159 1234 8765')).toEqual([
      ['PHONE', '+86 139-0571-2233'],
      ['PHONE', '0086-135-1111-2222'],
      ['PHONE', '159 1234 8765'],
    ])
  })

  it('keeps a bracketed country code and takes a bracketed mobile', () => {
    expect(found('电话(+86)13812345678，或(13912345678)')).toEqual([
      ['PHONE', '(+86)13812345678'],
      ['PHONE', '13912345678'],
    ])
  })

  it('takes a local number without area code only after a phone cue', () => {
    expect(found('电话 62751234 转 8012；编号 62751234')).toEqual([['PHONE', '62751234 转 8012']])
  })

  it('finds landlines with area codes and extensions', () => {
    expect(found('座机010-62751234，(028)86001234，0571-87236677转8012，+86-10-8888-6666')).toEqual(
      [
        ['PHONE', '010-62751234'],
        ['PHONE', '(028)86001234'],
        ['PHONE', '0571-87236677转8012'],
        ['PHONE', '+86-10-8888-6666'],
      ],
    )
  })

  it('finds US and other international numbers', () => {
    expect(
      found('Call (617) 555-0142, +1 312-555-0199, 415.555.0134 ext. 12 or +44 20 7946 0958.'),
    ).toEqual([
      ['PHONE', '(617) 555-0142'],
      ['PHONE', '+1 312-555-0199'],
      ['PHONE', '415.555.0134 ext. 12'],
      ['PHONE', '+44 20 7946 0958'],
    ])
  })

  it('leaves vitals, doses and an 11-digit number that is no mobile alone', () => {
    expect(found('BP 132/84, metformin 1000 mg, 12812345678 is not a mobile, ext. 4410')).toEqual(
      [],
    )
  })
})
