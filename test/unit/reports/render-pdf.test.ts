// Prints example reports (en, three classes; zh-CN, binary) through headless Chromium, turns the
// PDFs into PNG pages and text, and keeps them in test-artifacts/reports/ for people to look at.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CtsError } from '../../../preload/contract/common'
import { buildReportModel } from '../../../main/reports/report-model'
import { renderReportHtml } from '../../../main/reports/render-html'
import { findChromium, renderPdf } from '../../../main/reports/render-pdf'
import { BINARY_LABELS, sampleReportInput, THREE_LABELS } from '../../fixtures/eval/report-input'

const OUT = join(process.cwd(), 'test-artifacts/reports')

const squash = (s: string): string => s.replace(/\s+/g, '')

/** Render, print, rasterise; returns the PDF's text and its PNG pages. */
async function printExample(
  name: string,
  html: string,
): Promise<{ text: string; pages: string[] }> {
  mkdirSync(OUT, { recursive: true })
  for (const f of readdirSync(OUT))
    if (f.startsWith(`${name}.`) || f.startsWith(`${name}-`)) rmSync(join(OUT, f))
  writeFileSync(join(OUT, `${name}.html`), html)
  const pdf = await renderPdf(html, join(OUT, `${name}.pdf`))
  execFileSync('pdftoppm', ['-png', '-r', '50', pdf, join(OUT, name)])
  const pages = readdirSync(OUT).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.png'))
  const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' })
  return { text, pages }
}

describe('renderPdf', () => {
  it('finds the Chromium this machine has', () => {
    expect(findChromium()).not.toBeNull()
  })

  it('prints the English report with the run id, macro F1 and every label', async () => {
    const html = renderReportHtml(
      buildReportModel(sampleReportInput({ labels: THREE_LABELS, runId: 314 })),
    )
    const { text, pages } = await printExample('report-en', html)
    expect(pages.length).toBeGreaterThanOrEqual(1)
    expect(text).toContain('#314')
    expect(text).toContain('macro F1')
    expect(text).toContain('Confusion matrix')
    // pdftotext puts a gap where the font changes (Latin → CJK), so compare without whitespace.
    for (const l of THREE_LABELS) expect(squash(text)).toContain(squash(l))
  })

  it('prints the zh-CN report with Chinese text and label names', async () => {
    const html = renderReportHtml(
      buildReportModel(sampleReportInput({ locale: 'zh-CN', runId: 271 })),
    )
    const { text, pages } = await printExample('report-zh-CN', html)
    expect(pages.length).toBeGreaterThanOrEqual(1)
    expect(text).toContain('#271')
    for (const s of ['模型评估报告', '宏平均 F1', '混淆矩阵', ...BINARY_LABELS])
      expect(squash(text)).toContain(squash(s))
  })

  it('fails with a clear unsupported error when no Chromium exists', async () => {
    const err = await renderPdf('<p>x</p>', join(OUT, 'never.pdf'), {
      candidates: ['/nonexistent/chromium'],
    }).catch((e) => e)
    expect(err).toBeInstanceOf(CtsError)
    expect(err.code).toBe('unsupported')
    expect(err.message).toMatch(/PDF export needs Chromium or Google Chrome/)
  })
})
