// The engine's contract: sorted non-overlapping spans (longest / most specific wins), masking with
// type tags, the types filter, and option validation that names the bad pattern.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkDeidOptions, deidentify, detectPhi, maskText } from '../../../../main/data/deid'
import { CtsError } from '../../../../main/shared'
import { found } from './helpers'

describe('de-identification engine', () => {
  it('masks every kind with its tag and returns offsets into the original text', () => {
    const text = 'Pt John Miller, 13812345678, a@b.org'
    const r = deidentify(text)
    expect(r.text).toBe('Pt [NAME], [PHONE], [EMAIL]')
    expect(r.spans).toEqual([
      { type: 'NAME', start: 3, end: 14 },
      { type: 'PHONE', start: 16, end: 27 },
      { type: 'EMAIL', start: 29, end: 36 },
    ])
  })

  it('resolves overlaps: the longer span wins', () => {
    // The URL holds an IP address, the e-mail a bare domain; both shorter spans give way.
    expect(found('http://10.0.0.1/x and me@example.com')).toEqual([
      ['URL', 'http://10.0.0.1/x'],
      ['EMAIL', 'me@example.com'],
    ])
  })

  it('resolves a tie of equal spans by the more specific kind', () => {
    // After 医保卡号 the number is an insurance candidate, and a valid resident ID as well.
    expect(detectPhi('医保卡号：110105197603136674')).toEqual([
      { type: 'ID_NUMBER', start: 5, end: 23 },
    ])
    expect(found('医保卡号：110105197603136674', { types: ['INSURANCE'] })).toEqual([
      ['INSURANCE', '110105197603136674'],
    ])
  })

  it('returns spans sorted by start and never overlapping', () => {
    const text =
      '患者王建国，95岁，2023年5月17日入院，电话13811224567，住北京市海淀区中关村大街27号，MRN: ZY123456'
    const spans = detectPhi(text)
    for (let i = 1; i < spans.length; i++)
      expect(spans[i].start).toBeGreaterThanOrEqual(spans[i - 1].end)
    expect(spans.map((s) => s.type)).toEqual(['NAME', 'AGE', 'DATE', 'PHONE', 'ADDRESS', 'MRN'])
  })

  it('only finds the kinds asked for, and an unwanted kind does not hide a wanted one', () => {
    const text = 'see http://10.0.0.1/x, call 13812345678'
    expect(found(text, { types: ['IP', 'PHONE'] })).toEqual([
      ['IP', '10.0.0.1'],
      ['PHONE', '13812345678'],
    ])
  })

  it('maskText skips a span that overlaps one already masked', () => {
    expect(
      maskText('abcdef', [
        { type: 'NAME', start: 0, end: 3 },
        { type: 'PHONE', start: 2, end: 5 },
      ]),
    ).toBe('[NAME]def')
  })

  it('refuses a bad regular expression, naming it', () => {
    expect(() => checkDeidOptions({ mrnPatterns: ['MRN\\d+', 'ZY(\\d+'] })).toThrowError(
      /medical record number pattern 2 "ZY\(\\d\+" is not a valid regular expression/,
    )
    expect(() => checkDeidOptions({ insurancePatterns: ['[a-'] })).toThrowError(CtsError)
    try {
      detectPhi('x', { insurancePatterns: ['\\d*'] })
      expect.unreachable()
    } catch (e) {
      expect((e as CtsError).code).toBe('bad-input')
      expect((e as CtsError).message).toContain(
        'insurance number pattern 1 "\\d*" matches empty text',
      )
    }
    expect(() => checkDeidOptions({ mrnPatterns: ['ZY\\d{6}'], keepYear: true })).not.toThrow()
  })

  it('refuses an unknown kind in types', () => {
    expect(() => checkDeidOptions({ types: ['NAME', 'FAX' as 'NAME'] })).toThrowError(
      /"FAX" is not a PHI kind/,
    )
  })

  it('leaves a text without PHI unchanged', () => {
    const text = '咳嗽3天，体温38.5℃。Cough for 3 days, BP 120/80.'
    expect(deidentify(text)).toEqual({ text, spans: [] })
  })
})

describe('de-identification engine on generated text', () => {
  // Fragments that look like PHI, glued with random text: the contract must hold for any mix.
  const fragments = fc.constantFrom(
    '13812345678',
    '+86 139-0571-2233',
    '010-62751234',
    '(617) 555-0142',
    '110105197603136674',
    '512-44-8831',
    '住院号：ZY2023',
    'MRN: A004',
    'a@b.org',
    'https://x.org/a',
    '10.0.0.1',
    '::1',
    '2023-05-17',
    'May 17, 2023',
    '5月17日',
    '92-year-old',
    '九十五岁',
    '患者王建国，',
    'Dr. Jane Roe ',
    '北京市海淀区中关村大街27号',
    '12 Oak St, Reno, NV 89501',
    '，',
    ' ',
    '\n',
  )
  const texts = fc
    .array(
      fc.oneof(
        fragments,
        fc.string({ maxLength: 12 }),
        fc.string({ unit: 'grapheme', maxLength: 6 }),
      ),
      { maxLength: 12 },
    )
    .map((parts) => parts.join(''))

  it('returns sorted, non-overlapping, in-range spans and masks without throwing', () => {
    fc.assert(
      fc.property(texts, fc.boolean(), (text, keepYear) => {
        const { text: masked, spans } = deidentify(text, { keepYear })
        let at = 0
        for (const s of spans) {
          expect(s.start).toBeGreaterThanOrEqual(at)
          expect(s.end).toBeGreaterThan(s.start)
          expect(s.end).toBeLessThanOrEqual(text.length)
          at = s.end
        }
        // Text outside the spans is kept verbatim, in order.
        const outside = spans.length === 0 ? text : text.slice(spans[spans.length - 1].end)
        expect(masked.endsWith(outside)).toBe(true)
        expect(masked.startsWith(text.slice(0, spans[0]?.start ?? text.length))).toBe(true)
      }),
      { numRuns: 300 },
    )
  })
})
