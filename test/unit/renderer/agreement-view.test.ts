// The agreement view's wording and number formatting: both languages have the same keys, plural
// and named messages come out exactly, and κ/α get their Landis & Koch band and three decimals.
import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import { enAgreement } from '../../../renderer/i18n/en-agreement'
import { zhCNAgreement } from '../../../renderer/i18n/zh-cn-agreement'
import { band, fixed3, kappaColour } from '../../../renderer/components/agreement/agreement-format'

const keys = (o: object, prefix = ''): string[] =>
  Object.entries(o).flatMap(([k, v]) =>
    typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`],
  )

const i18n = createI18n({
  legacy: false,
  locale: 'en',
  messages: { en: enAgreement, 'zh-CN': zhCNAgreement },
})
const t = (
  locale: 'en' | 'zh-CN',
  key: string,
  named: Record<string, unknown> = {},
  plural?: number,
) => {
  i18n.global.locale.value = locale
  return plural === undefined ? i18n.global.t(key, named) : i18n.global.t(key, named, plural)
}

describe('agreement view strings', () => {
  it('has the same keys in English and Chinese', () => {
    expect(keys(zhCNAgreement)).toEqual(keys(enAgreement))
  })

  it('counts disagreements and decisions in both languages, none, one and several', () => {
    const count = (locale: 'en' | 'zh-CN', n: number, done: number) =>
      t(locale, 'agreement.disagreementCount', { n, done }, n)
    expect(count('en', 0, 0)).toBe('No disagreements')
    expect(count('en', 1, 0)).toBe(
      '1 text with disagreeing annotators, 0 decided by an adjudicator',
    )
    expect(count('en', 3, 2)).toBe(
      '3 texts with disagreeing annotators, 2 decided by an adjudicator',
    )
    expect(count('zh-CN', 0, 0)).toBe('没有分歧')
    expect(count('zh-CN', 1, 1)).toBe('1 条文本存在分歧，其中 1 条已由裁决者决定')
    expect(count('zh-CN', 3, 2)).toBe('3 条文本存在分歧，其中 2 条已由裁决者决定')
  })

  it('names who decided a gold label and lists a missing package line', () => {
    expect(t('en', 'agreement.how.adjudicated', { who: 'Dr Zhang 张' })).toBe(
      'decided by Dr Zhang 张',
    )
    expect(t('en', 'agreement.how.tie-annotator', { who: 'Dr Li' })).toBe(
      "tie — Dr Li's label (project setting)",
    )
    expect(t('zh-CN', 'agreement.how.adjudicated', { who: 'Dr Zhang 张' })).toBe(
      '由 Dr Zhang 张 裁决',
    )
    expect(t('en', 'agreement.missingLine', { row: 8, hash: 'ab12' })).toBe(
      'line 8: text ab12 is not in this project',
    )
    expect(t('zh-CN', 'agreement.missingLine', { row: 8, hash: 'ab12' })).toBe(
      '第 8 行：文本 ab12 不在本项目中',
    )
    expect(t('en', 'agreement.ci', { lo: '-0.214', hi: '0.779' })).toBe('95 % CI -0.214 – 0.779')
  })
})

describe('agreement figures', () => {
  it('reads κ/α by the Landis & Koch bands, with their boundaries', () => {
    expect([-0.1, 0, 0.2, 0.21, 0.4, 0.41, 0.6, 0.61, 0.8, 0.81, 1].map((v) => band(v))).toEqual([
      'poor',
      'slight',
      'slight',
      'fair',
      'fair',
      'moderate',
      'moderate',
      'substantial',
      'substantial',
      'almostPerfect',
      'almostPerfect',
    ])
    expect(band(null)).toBeNull()
    expect(band(Number.NaN)).toBeNull()
  })

  it('writes three decimals, and a dash for an undefined statistic', () => {
    expect([fixed3(0.33849), fixed3(-0.2136), fixed3(1), fixed3(null)]).toEqual([
      '0.338',
      '-0.214',
      '1.000',
      '—',
    ])
  })

  it('colours a matrix cell red below 0.4, amber to 0.6 and green above', () => {
    expect(kappaColour(0.333)).toMatch(/^rgba\(180, 35, 24, /)
    expect(kappaColour(0.5)).toBe('rgba(217, 146, 0, 0.25)')
    expect(kappaColour(0.9)).toMatch(/^rgba\(29, 122, 70, /)
    expect(kappaColour(null)).toBe('var(--surface-2)')
  })
})
