// The run's "Labels and agreement" panel strings (LabelProvenance.vue): both languages have the
// same keys, and every message compiles and fills in names exactly as the report words them.
import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import { enProvenance } from '../../../renderer/i18n/en-provenance'
import { zhCNProvenance } from '../../../renderer/i18n/zh-cn-provenance'

const keys = (o: object, prefix = ''): string[] =>
  Object.entries(o).flatMap(([k, v]) =>
    typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`],
  )

const i18n = createI18n({
  legacy: false,
  locale: 'en',
  messages: { en: enProvenance, 'zh-CN': zhCNProvenance },
})
const t = (locale: 'en' | 'zh-CN', key: string, named: Record<string, unknown> = {}) => {
  i18n.global.locale.value = locale
  return i18n.global.t(key, named)
}

describe('label provenance strings', () => {
  it('has the same keys in English and Chinese', () => {
    expect(keys(zhCNProvenance)).toEqual(keys(enProvenance))
  })

  it('words the tie policy, the counts and the figures with the annotators’ names', () => {
    expect(t('en', 'provenance.policyAnnotator', { name: 'Dr Li 李医生' })).toBe(
      "Gold labels: an adjudicator's decision where there is one; otherwise the label a strict majority of the annotators chose; on a tie, Dr Li 李医生's label (the text is excluded when Dr Li 李医生 did not label it).",
    )
    expect(t('zh-CN', 'provenance.policyAnnotator', { name: 'Dr Li 李医生' })).toBe(
      '金标准标签：有裁决的文本采用裁决结果；否则采用标注者中严格多数选择的标签；票数相同时采用 Dr Li 李医生 的标签（Dr Li 李医生 未标注该文本时，该文本不参与训练）。',
    )
    expect(t('en', 'provenance.cohen', { a: 'Dr Li', b: 'Wang' })).toBe("Cohen's κ (Dr Li – Wang)")
    expect(t('zh-CN', 'provenance.counts.tieAnnotator', { name: 'Wang' })).toBe(
      '票数相同：采用 Wang 的标签',
    )
    expect(t('en', 'provenance.pair', { a: 'Dr Li', b: 'Wang', n: 19, observed: '73.7%' })).toBe(
      'Dr Li and Wang both labelled 19 texts; their labels were identical on 73.7%.',
    )
    expect(t('zh-CN', 'provenance.oneAnnotator', { name: 'Dr Li' })).toBe(
      '标签由一名标注者给出（Dr Li）。',
    )
  })
})
