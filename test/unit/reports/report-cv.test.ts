// The report's cross-validation section: folds and pooled macro-F1 with intervals, the learning
// curve chart and table, the sentence reading its slope (en and zh-CN); absent without a CV.
import { describe, expect, it } from 'vitest'
import { crossValidationSection, curveSentence } from '../../../main/reports/report-cv'
import { buildReportModel } from '../../../main/reports/report-model'
import { renderReportHtml } from '../../../main/reports/render-html'
import { sampleCvResult } from '../../fixtures/eval/cv-result'
import { sampleReportInput } from '../../fixtures/eval/report-input'

describe('cross-validation report section', () => {
  const input = sampleReportInput({})
  const html = renderReportHtml(
    buildReportModel({
      ...input,
      crossValidation: sampleCvResult({ baseModel: input.run.baseModel }),
    }),
  )

  it('renders the folds, the pooled row and the learning curve in the report', () => {
    const section = html.slice(html.indexOf('<section class="keep" id="cross-validation">'))
    expect(section).toContain('<h2>Cross-validation and learning curve</h2>')
    expect(section).toContain(
      '5-fold grouped-by-patient cross-validation of ' +
        input.run.baseModel +
        ' (seed 42) on 143 training texts, 2026-12-01.',
    )
    expect(section).toContain('the 17 test texts took no part. Fold models were not kept.')
    expect(section).toContain(
      '<td>1</td><td>102</td><td>29</td><td>0.930</td><td>0.930</td><td>0.830 – 1.000</td>',
    )
    expect(section).toContain(
      '<td><b>Pooled over the out-of-fold predictions</b></td><td></td><td>143</td><td><b>0.825</b></td><td><b>0.823</b></td><td><b>0.763 – 0.883</b></td>',
    )
    expect(section).toContain('mean of the folds 0.824, standard deviation 0.074')
    expect(section).toContain(
      '<tr><td>50%</td><td>54</td><td>0.765</td><td>0.695 – 0.835</td></tr>',
    )
    expect(section).toContain('aria-label="Learning curve (cross-validated macro-F1)"')
    expect(section).toContain(
      '<p class="use" data-cv-verdict="likely"><b>Going from 50% to 100% of the training texts changed macro-F1 by +0.040 (95% CI +0.012 to +0.071): more labels are likely to help.</b></p>',
    )
    // It is the same run's model, so no note about another model.
    expect(section).not.toContain('not this run')
    // Seven charts now: the six of a run and the learning curve.
    expect(html.match(/<svg /g)?.length).toBe(7)
  })

  it('is written in Chinese for zh-CN, with the verdict of a flat curve', () => {
    const cv = sampleCvResult({}, 'plateau')
    cv.curve!.gain = { from: 0.5, to: 1, estimate: 0.004, lower: -0.01, upper: 0.015 }
    const zh = crossValidationSection(cv, 'zh-CN', 'all-MiniLM-L6-v2')
    expect(zh).toContain('<h2>交叉验证与学习曲线</h2>')
    expect(zh).toContain('对 baseline 做 5 折按患者分组交叉验证（随机种子 42），训练文本 143 条')
    expect(zh).toContain('注意：此交叉验证训练的是 baseline，不是本次运行的模型。')
    expect(curveSentence(cv, 'zh-CN')).toBe(
      '训练文本从 50% 增加到 100%，宏平均 F1 变化 +0.004（95% 置信区间 −0.010 至 +0.015）：曲线已趋平，再标注同类文本帮助可能不大。',
    )
    expect(curveSentence(cv)).toBe(
      'Going from 50% to 100% of the training texts changed macro-F1 by +0.004 (95% CI −0.010 to +0.015): the curve has flattened, so more labels of the same kind are unlikely to help much.',
    )
  })

  it('is left out without a finished cross-validation', () => {
    expect(renderReportHtml(buildReportModel(input))).not.toContain('id="cross-validation"')
    expect(crossValidationSection(sampleCvResult({ status: 'cancelled' }), 'en')).toBe('')
    const noCurve = crossValidationSection(sampleCvResult({ curve: null }), 'en')
    expect(noCurve).toContain('Pooled over the out-of-fold predictions')
    expect(noCurve).not.toContain('Learning curve')
  })

  it('escapes label-free but user-derived text (the model name)', () => {
    const s = crossValidationSection(sampleCvResult({ baseModel: '<img src=x>' }), 'en')
    expect(s).not.toContain('<img')
    expect(s).toContain('&lt;img src=x&gt;')
  })
})
