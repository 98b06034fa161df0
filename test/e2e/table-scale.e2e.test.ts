// The text table stays light with many rows: 5,000 texts imported through the bridge, scrolled
// to the middle and the end, never more than a screenful (plus overscan) of rows in the DOM.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { callApi, openApp, screenshot, type AppSession } from './app-harness'

const ROWS = 5000
const MAX_ROWS_IN_DOM = 100

let app: AppSession
let page: Page

beforeAll(async () => {
  app = await openApp()
  page = app.page
})
afterAll(async () => {
  await app?.close()
})

function generatedCsv(): string {
  const lines = ['text,label']
  for (let i = 1; i <= ROWS; i++) {
    lines.push(
      `Generated note ${i}: ${i % 7 === 0 ? '胸痛待查' : 'routine follow-up'},${i % 2 ? '健康' : ''}`,
    )
  }
  return lines.join('\n') + '\n'
}

async function renderedRows(): Promise<number> {
  return page.locator('[data-testid=text-row]').count()
}

describe('the text table with 5,000 rows', () => {
  it('renders only the visible rows while scrolling to the middle and the end', async () => {
    const project = await callApi(
      page,
      (cts) => cts.projects.create({ name: 'Scale check', kind: 'binary' }),
      null,
    )
    const result = await callApi(
      page,
      (cts, a) =>
        cts.datasets.import({
          projectId: a.projectId,
          file: { name: 'generated.csv', contentBase64: a.content },
          mapping: { text: 'text', label: 'label' },
        }),
      { projectId: project.id, content: Buffer.from(generatedCsv()).toString('base64') },
    )
    expect(result.imported).toBe(ROWS)

    await page.goto(`${app.bridge.origin}/#/projects/${project.id}/texts`)
    await page.getByText('Generated note 1: routine follow-up', { exact: true }).waitFor()
    expect((await page.textContent('[data-testid=text-count]'))?.trim()).toBe('5,000 texts')
    const atTop = await renderedRows()
    expect(atTop).toBeGreaterThan(5)
    expect(atTop).toBeLessThan(MAX_ROWS_IN_DOM)

    const scrollTo = (fraction: number) =>
      page.$eval(
        '[data-testid=text-scroller]',
        (el, f) => {
          el.scrollTop = (el.scrollHeight - el.clientHeight) * f
        },
        fraction,
      )
    await scrollTo(0.5)
    await page
      .getByText(/^Generated note 25\d\d: /)
      .first()
      .waitFor()
    expect(await renderedRows()).toBeLessThan(MAX_ROWS_IN_DOM)
    expect(
      await page.getByText('Generated note 1: routine follow-up', { exact: true }).count(),
    ).toBe(0)

    await scrollTo(1)
    await page.getByText('Generated note 5000: routine follow-up', { exact: true }).waitFor()
    expect(await renderedRows()).toBeLessThan(MAX_ROWS_IN_DOM)
    await screenshot(page, '07-dataset-5000-rows')
  })

  it('searches and filters the whole table, not only the loaded rows', async () => {
    await page.fill('[data-testid=search]', '胸痛待查')
    await page.getByText(`${Math.floor(ROWS / 7)} texts`, { exact: true }).waitFor()
    await page.fill('[data-testid=search]', '')
    await page.selectOption('[data-testid=filter]', 'unlabelled')
    await page.getByText(`${(ROWS / 2).toLocaleString('en')} texts`, { exact: true }).waitFor()
    expect(await renderedRows()).toBeLessThan(MAX_ROWS_IN_DOM)
  })

  it('logged no console error and no CSP violation', () => {
    expect(app.errors).toEqual([])
  })
})
