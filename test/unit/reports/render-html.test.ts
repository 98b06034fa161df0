import { describe, expect, it } from 'vitest'
import { buildReportModel } from '../../../main/reports/report-model'
import { renderReportHtml } from '../../../main/reports/render-html'
import { fitText, niceTicks, wrapText } from '../../../main/reports/svg-charts'
import { sampleReportInput, THREE_LABELS } from '../../fixtures/eval/report-input'

const HOSTILE = '<img src=x onerror=alert(1)>'

describe('renderReportHtml', () => {
  const html = renderReportHtml(buildReportModel(sampleReportInput({ labels: THREE_LABELS })))

  it('is self-contained: no scripts, no external URLs, no linked resources', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html).not.toMatch(/<script/i)
    expect(html).not.toMatch(/https?:\/\//i)
    expect(html).not.toMatch(/<link\b|<img\b|<iframe\b|url\(|@import/i)
    expect(html).toContain("default-src 'none'")
    // Charts are inline SVG: training loss, dev metrics, heatmap, ROC, PR, reliability.
    expect(html.match(/<svg /g)?.length).toBe(6)
  })

  it('shows the run, the headline metrics and every label', () => {
    expect(html).toContain('Run')
    expect(html).toContain('#42')
    expect(html).toContain('macro F1')
    expect(html).toContain('Expected calibration error (ECE)')
    for (const l of THREE_LABELS) expect(html).toContain(l)
  })

  it('escapes a hostile label, project name, intended use and config value everywhere', () => {
    const input = sampleReportInput({ labels: ['healthy', HOSTILE] })
    const out = renderReportHtml(
      buildReportModel({
        ...input,
        projectName: `"><script>alert(2)</script>`,
        intendedUse: `<b onmouseover=alert(3)>use</b>`,
        limitations: [`<svg onload=alert(4)>`],
        run: {
          ...input.run,
          config: { ...input.run.config, note: `<iframe src=javascript:alert(5)>` },
        },
      }),
    )
    expect(out).not.toContain('<img')
    expect(out).not.toMatch(/<script|<iframe|<b onmouseover|<svg onload/i)
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(out).toContain('&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;')
    expect(out).toContain('&lt;svg onload=alert(4)&gt;')
  })

  it('writes the zh-CN report in Chinese with the Chinese label names', () => {
    const zh = renderReportHtml(buildReportModel(sampleReportInput({ locale: 'zh-CN' })))
    expect(zh).toContain('<html lang="zh-CN">')
    for (const s of [
      '模型评估报告',
      '宏平均 F1',
      '混淆矩阵',
      '校准',
      '工作点',
      '阳性预测值',
      '健康 healthy',
      '疾病 disease',
    ]) {
      expect(zh).toContain(s)
    }
    expect(zh).not.toContain('Confusion matrix')
  })

  it('states the derived limitations: small classes and the standing caveats', () => {
    const input = sampleReportInput({ labels: THREE_LABELS, n: 40 })
    const out = renderReportHtml(buildReportModel(input))
    const smallest = Math.min(
      ...[0, 1, 2].map((k) => input.evaluation.yTrue.filter((y) => y === k).length),
    )
    expect(smallest).toBeLessThan(10)
    expect(out).toMatch(/has only \d evaluated texts?; its figures are unreliable/)
    expect(out).toContain('validate on local data before use')
  })
})

describe('chart text helpers', () => {
  it('wraps long labels onto two lines and shortens the rest with an ellipsis', () => {
    expect(wrapText('heart failure 心力衰竭', 80, 10)).toEqual(['heart failure', '心力衰竭'])
    const w = wrapText('a very long label that will not fit in two short lines', 60, 10)
    expect(w).toHaveLength(2)
    expect(w[1].endsWith('…')).toBe(true)
    expect(fitText('pneumonia', 30, 10)).toBe('pneu…') // 5 × 0.6 em × 10 px = 30 px
    expect(fitText('ok', 30, 10)).toBe('ok')
  })

  it('picks round axis ticks', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1])
    expect(niceTicks(0, 0.67)).toEqual([0, 0.2, 0.4, 0.6])
  })
})
