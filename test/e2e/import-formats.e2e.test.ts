// The import dialog with files that need a choice: an Excel workbook whose texts are on its
// second sheet, and a GB18030 CSV whose encoding the clinician can override in the preview.
import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { callApi, openApp, screenshot, type AppSession } from './app-harness'

let app: AppSession
let page: Page

const notes: [string, string, string][] = [
  ['Fever and productive cough for five days.', '疾病', 'P1'],
  ['发热伴咳嗽五天，咳黄痰。', '疾病', 'P1'],
  ['Well-baby visit, feeding well, weight on track.', '健康', 'P2'],
  ['常规体检，各项指标正常。', '健康', 'P2'],
  ['Chest tightness on exertion, relieved by rest.', '疾病', 'P3'],
  ['复诊：血糖控制良好，无不适。', '健康', 'P3'],
]

beforeAll(async () => {
  app = await openApp()
  page = app.page
  const project = await callApi(
    page,
    (cts) => cts.projects.create({ name: 'Import formats', kind: 'binary' }),
    null,
  )
  await page.goto(`${app.bridge.origin}/#/projects/${project.id}/texts`)
  await page.locator('[data-testid=import]').waitFor()
})
afterAll(async () => {
  await app?.close()
})

async function workbook(): Promise<Buffer> {
  const book = new ExcelJS.Workbook()
  const summary = book.addWorksheet('Summary')
  summary.addRow(['month', 'visits'])
  summary.addRow(['2025-01', 31])
  const sheet = book.addWorksheet('Notes')
  sheet.addRow(['note', 'diagnosis', 'patient'])
  for (const row of notes) sheet.addRow(row)
  return Buffer.from(await book.xlsx.writeBuffer())
}

describe('importing files that need a choice', () => {
  it('imports the chosen sheet of an Excel workbook with a hand-made column mapping', async () => {
    await page.click('[data-testid=import]')
    await page.setInputFiles('[data-testid=import-file]', {
      name: 'clinic-notes.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: await workbook(),
    })
    await page.locator('[data-testid=import-preview]').waitFor()
    expect(await page.textContent('[data-testid=import-format]')).toBe('XLSX')
    const sheets = await page.locator('[data-testid=import-sheet] option').allTextContents()
    expect(sheets.map((s) => s.trim())).toEqual(['Summary', 'Notes'])

    await page.selectOption('[data-testid=import-sheet]', 'Notes')
    await page.getByText('Well-baby visit, feeding well, weight on track.').waitFor()
    await page.selectOption('[data-testid=map-text]', 'note')
    await page.selectOption('[data-testid=map-label]', 'diagnosis')
    await page.selectOption('[data-testid=map-group]', 'patient')
    await screenshot(page, '11-import-preview-xlsx')
    await page.click('[data-testid=import-submit]')
    await page.locator('[data-testid=import-result]').waitFor()
    expect(await page.textContent('[data-testid=result-imported]')).toBe('6')
    await page.click('[data-testid=import-done]')

    const { rows } = await callApi(
      page,
      (cts) =>
        cts.projects
          .list({})
          .then((ps) => cts.texts.list({ projectId: ps[0]!.id, offset: 0, limit: 50 })),
      null,
    )
    expect(rows.map((r) => [r.text, r.groupId])).toEqual(
      notes.map(([text, , group]) => [text, group]),
    )
    await page.selectOption('[data-testid=filter]', { label: 'Label: 疾病' })
    await page.getByText('3 texts', { exact: true }).waitFor()
  })

  it('shows a GB18030 file correctly and lets the encoding be overridden', async () => {
    const original = '患者主诉：胸闷气短两周，夜间不能平卧。'
    const csv = iconv.encode(`text,label\n${original},疾病\n门诊随访，病情稳定。,健康\n`, 'gb18030')
    await page.click('[data-testid=import]')
    await page.setInputFiles('[data-testid=import-file]', {
      name: 'gb18030-notes.csv',
      mimeType: 'text/csv',
      buffer: csv,
    })
    await page.locator('[data-testid=import-preview]').waitFor()
    await page.getByText(original, { exact: true }).waitFor()
    const auto = await page.locator('[data-testid=import-encoding] option').first().textContent()
    expect(auto?.toLowerCase()).toContain('gb18030')

    await page.selectOption('[data-testid=import-encoding]', 'utf-8')
    await page.getByText(original, { exact: true }).waitFor({ state: 'detached' })
    await page.selectOption('[data-testid=import-encoding]', '')
    await page.getByText(original, { exact: true }).waitFor()

    await page.click('[data-testid=import-submit]')
    await page.locator('[data-testid=import-result]').waitFor()
    expect(await page.textContent('[data-testid=result-imported]')).toBe('2')
    await page.click('[data-testid=import-done]')
    await page.selectOption('[data-testid=filter]', 'all')
    await page.getByText(original, { exact: true }).waitFor()
  })

  it('logged no console error and no CSP violation', () => {
    expect(app.errors).toEqual([])
  })
})
