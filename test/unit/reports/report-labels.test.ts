// The report's "Labels and agreement" section: the annotators, the gold-label policy in words, the
// counts by how gold came about and α / κ with their intervals, exactly as the run recorded them;
// one line for one annotator or reference labels; nothing for a run recorded without provenance.
import { describe, expect, it } from 'vitest'
import { buildReportModel } from '../../../main/reports/report-model'
import { renderReportHtml } from '../../../main/reports/render-html'
import type { LabelProvenanceDto } from '../../../preload/contract/agreement'
import type { ReportLocale } from '../../../main/reports/report-model'
import { sampleReportInput } from '../../fixtures/eval/report-input'
import {
  NO_OVERLAP,
  ONE_ANNOTATOR,
  REFERENCE_ONLY,
  THREE_ANNOTATORS,
  TWO_ANNOTATORS,
} from '../../fixtures/runs/label-provenance'

function report(p: LabelProvenanceDto | null | undefined, locale: ReportLocale = 'en'): string {
  const input = sampleReportInput({ locale })
  return renderReportHtml(
    buildReportModel({
      ...input,
      run: { ...input.run, ...(p !== undefined ? { labelProvenance: p } : {}) },
      generatedAt: '2026-12-06T16:00:00.000Z',
    }),
  )
}

/** The labels section alone (the text between its tag and the next section). */
const section = (html: string) =>
  /<section class="keep" data-section="labels">.*?<\/section>/s.exec(html)?.[0] ?? ''

describe('report: labels and agreement', () => {
  it('states two annotators, the policy, the counts and α, Cohen’s κ and Fleiss’ κ with their intervals', () => {
    const s = section(report(TWO_ANNOTATORS))
    expect(s).toContain('<h2>Labels and agreement</h2>')
    expect(s).toContain('<dt>Annotators</dt><dd>Dr Li 李医生, 王护士 Nurse Wang</dd>')
    expect(s).toContain(
      '<p class="use">Gold labels: an adjudicator&#39;s decision where there is one; otherwise the label a strict majority of the annotators chose; on a tie, Dr Li 李医生&#39;s label (the text is excluded when Dr Li 李医生 did not label it).</p>',
    )
    // Counts in a fixed order, only those that occur.
    expect(s).toContain(
      '<tbody><tr><td>Adjudicated</td><td>2</td></tr><tr><td>All annotators agreed</td><td>14</td></tr>' +
        '<tr><td>One annotator only</td><td>20</td></tr><tr><td>Tie: Dr Li 李医生&#39;s label</td><td>3</td></tr>' +
        '<tr><td>No label (not trained on)</td><td>5</td></tr></tbody>',
    )
    expect(s).toContain(
      '<th>Statistic</th><th>Estimate</th><th>95% CI (bootstrap)</th></tr></thead><tbody>' +
        '<tr><td>Krippendorff&#39;s α (nominal)</td><td>0.612</td><td>0.301 – 0.846</td></tr>' +
        '<tr><td>Cohen&#39;s κ (Dr Li 李医生 – 王护士 Nurse Wang)</td><td>0.609</td><td>0.290 – 0.851</td></tr>' +
        '<tr><td>Fleiss&#39; κ</td><td>0.605</td><td>0.287 – 0.850</td></tr></tbody>',
    )
    expect(s).toContain(
      'Dr Li 李医生 and 王护士 Nurse Wang both labelled 19 texts; their labels were identical on 73.7%.',
    )
    expect(s).not.toContain('Strict majority')
    expect(s).not.toContain('not defined')
  })

  it('sits after the dataset section and before the per-class results', () => {
    const html = report(TWO_ANNOTATORS)
    const at = (h: string) => html.indexOf(`<h2>${h}`)
    expect(at('Dataset')).toBeGreaterThan(0)
    expect(at('Labels and agreement')).toBeGreaterThan(at('Dataset'))
    expect(at('Per-class results')).toBeGreaterThan(at('Labels and agreement'))
  })

  it('writes the section in Chinese for the zh-CN report', () => {
    const s = section(report(TWO_ANNOTATORS, 'zh-CN'))
    expect(s).toContain('<h2>标签与一致性</h2>')
    expect(s).toContain('<dt>标注者</dt><dd>Dr Li 李医生、王护士 Nurse Wang</dd>')
    expect(s).toContain(
      '金标准标签：有裁决的文本采用裁决结果；否则采用标注者中严格多数选择的标签；票数相同时采用 Dr Li 李医生 的标签（Dr Li 李医生 未标注该文本时，该文本不参与训练）。',
    )
    expect(s).toContain('<tr><td>票数相同：采用 Dr Li 李医生 的标签</td><td>3</td></tr>')
    expect(s).toContain(
      '<tr><td>Krippendorff α（名义）</td><td>0.612</td><td>0.301 – 0.846</td></tr>',
    )
    expect(s).toContain(
      '<tr><td>Cohen κ（Dr Li 李医生 – 王护士 Nurse Wang）</td><td>0.609</td><td>0.290 – 0.851</td></tr>',
    )
    expect(s).toContain('<th>95% 置信区间（自助法）</th>')
    expect(s).not.toContain('Labels and agreement')
  })

  it('with ties excluded and an incomplete table: says so, gives no Fleiss’ κ, marks the missing interval', () => {
    const s = section(report(THREE_ANNOTATORS))
    expect(s).toContain('<dd>Dr Li 李医生, 王护士 Nurse Wang, Zhao 赵</dd>')
    expect(s).toContain('on a tie the text is excluded from training.</p>')
    expect(s).toContain('<tr><td>Strict majority</td><td>4</td></tr>')
    expect(s).toContain('<tr><td>Tie: excluded from training</td><td>2</td></tr>')
    expect(s).toContain('<tr><td>Krippendorff&#39;s α (nominal)</td><td>0.400</td><td>—</td></tr>')
    expect(s).not.toContain('Cohen')
    expect(s).not.toContain('<td>Fleiss')
    expect(s).toContain(
      'Fleiss&#39; κ is not given: the texts were labelled by different numbers of annotators.',
    )
    expect(s).toContain('—: not defined')
  })

  it('says when no text was labelled twice, in either language', () => {
    const en = section(report(NO_OVERLAP))
    expect(en).toContain(
      '<p class="note">No text was labelled by two or more annotators, so their agreement cannot be measured.</p>',
    )
    expect(en).not.toContain('<th>Statistic</th>')
    expect(en).not.toContain('Fleiss')
    const zh = section(report(NO_OVERLAP, 'zh-CN'))
    expect(zh).toContain('没有文本由两名及以上标注者标注，因此无法衡量一致性。')
    expect(zh).toContain(
      '<p class="use">金标准标签：有裁决的文本采用裁决结果；否则采用标注者中严格多数选择的标签；票数相同时该文本不参与训练。</p>',
    )
    expect(zh).toContain('<tr><td>仅一名标注者</td><td>40</td></tr>')
  })

  it('one annotator or reference labels only: one line instead of the section', () => {
    for (const [p, locale, line] of [
      [ONE_ANNOTATOR, 'en', 'Labels by one annotator (Dr Li 李医生).'],
      [ONE_ANNOTATOR, 'zh-CN', '标签由一名标注者给出（Dr Li 李医生）。'],
      [REFERENCE_ONLY, 'en', 'Reference labels from the imported file.'],
      [REFERENCE_ONLY, 'zh-CN', '参考标签来自导入的文件。'],
    ] as const) {
      const html = report(p, locale)
      expect(html).toContain(`<p class="note" data-section="labels">${line}</p>`)
      expect(html).not.toContain('<section class="keep" data-section="labels">')
    }
  })

  it('leaves the section out for a run recorded without provenance (older runs, runs from files)', () => {
    for (const p of [undefined, null]) {
      const html = report(p)
      expect(html).not.toContain('data-section="labels"')
      expect(html).not.toContain('Labels and agreement')
      expect(html).not.toContain('Labels by one annotator')
      expect(html).not.toContain('Reference labels from the imported file')
    }
  })
})
