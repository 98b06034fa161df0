// De-identification in the import dialog (issue #15 point 3), in English and 简体中文: tick
// "De-identify before import", read the counts per kind and the masked examples, import, and see
// only masked texts in the project; the texts stored are the masked ones, and no identifier of the
// file appears anywhere on the page.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { callApi, openApp, screenshot, type AppSession } from './app-harness'

const SAMPLE = fileURLToPath(new URL('../../resources/samples/symptoms-zh-en.csv', import.meta.url))
const FIXTURE = fileURLToPath(new URL('../fixtures/deid-import/notes-phi.csv', import.meta.url))
const RAW_PHI = [
  '13812345678',
  '13912345678',
  '13987654321',
  'li.wei@example.com',
  'chen.min@example.org',
  '440304198506141231',
]
const MASKED = [
  '咳嗽三天，联系电话 [PHONE]。',
  'Fever resolved; reach the patient at [EMAIL] for follow-up.',
  '身份证号 [ID_NUMBER]，血压正常。',
  'Chest pain at rest, call [PHONE] or write to [EMAIL].',
  'No identifiers in this note; cough improving.',
]

let app: AppSession
let page: Page

const text = async (selector: string) =>
  ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim()
/** The cells of one kind's row in the counts table. */
const countRow = async (type: string) =>
  (await page.locator(`[data-testid=deid-count-${type}] td`).allTextContents()).map((c) =>
    c.replace(/\s+/g, ' ').trim(),
  )
const rawOnPage = async () => {
  const body = (await page.textContent('body')) ?? ''
  return RAW_PHI.filter((raw) => body.includes(raw))
}

async function openImport(name: string): Promise<number> {
  const project = await callApi(
    page,
    (cts, n) => cts.projects.create({ name: n, kind: 'binary' }),
    name,
  )
  await page.goto(`${app.bridge.origin}/#/projects/${project.id}/texts`)
  await page.locator('[data-testid=import]').waitFor()
  await page.click('[data-testid=import]')
  await page.setInputFiles('[data-testid=import-file]', FIXTURE)
  await page.locator('[data-testid=import-preview]').waitFor()
  return project.id
}

beforeAll(async () => {
  app = await openApp()
  page = app.page
})
afterAll(async () => {
  await app?.close()
})

describe('de-identify before import', () => {
  it('shows counts per kind and masked examples, then stores only masked texts', async () => {
    const projectId = await openImport('De-identified notes')
    // Off by default.
    expect(await page.isChecked('[data-testid=deid-enable]')).toBe(false)
    await page.check('[data-testid=deid-enable]')
    await page.locator('[data-testid=deid-preview]').waitFor()
    expect(await text('[data-testid=deid-summary]')).toBe(
      '5 of 6 texts contain protected health information.',
    )
    expect(await countRow('PHONE')).toEqual(['Phone numbers [PHONE]', '3'])
    expect(await countRow('EMAIL')).toEqual(['E-mail addresses [EMAIL]', '2'])
    expect(await countRow('ID_NUMBER')).toEqual(['ID numbers [ID_NUMBER]', '1'])
    expect(await page.locator('[data-testid^=deid-count-]').count()).toBe(3)
    const examples = await page.locator('[data-testid=deid-examples] li').allTextContents()
    // Two phone, one ID, two e-mail contexts (n6 masks to the same text as n1: shown once).
    expect(examples).toHaveLength(5)
    expect(examples).toContain('身份证号 [ID_NUMBER]，血压正常。')
    expect(RAW_PHI.filter((raw) => examples.join('\n').includes(raw))).toEqual([])
    await page.locator('[data-testid=deid-panel]').scrollIntoViewIfNeeded()
    await screenshot(page, 'deid-01-import-preview-en')

    await page.click('[data-testid=import-submit]')
    await page.locator('[data-testid=import-result]').waitFor()
    expect(await page.textContent('[data-testid=result-imported]')).toBe('5')
    expect(await text('[data-testid=deid-imported]')).toMatch(
      /^The texts were de-identified before they were stored\./,
    )
    expect(await text('[data-testid=deid-imported-counts]')).toBe(
      'Phone numbers 3 · ID numbers 1 · E-mail addresses 2',
    )
    await screenshot(page, 'deid-02-import-result-en')
    await page.click('[data-testid=import-done]')

    for (const masked of MASKED) await page.getByText(masked, { exact: true }).waitFor()
    expect(await rawOnPage()).toEqual([])
    await screenshot(page, 'deid-03-texts-masked-en')

    const { rows } = await callApi(
      page,
      (cts, id) => cts.texts.list({ projectId: id, offset: 0, limit: 50 }),
      projectId,
    )
    expect(rows.map((r) => r.text)).toEqual(MASKED)
  })

  it('reads in 简体中文 and imports nothing until confirmed', async () => {
    await page.evaluate(`localStorage.setItem('cts.locale', 'zh-CN')`)
    await page.reload()
    const projectId = await openImport('去标识化')
    await page.check('[data-testid=deid-enable]')
    await page.locator('[data-testid=deid-preview]').waitFor()
    expect(await text('[data-testid=deid-summary]')).toBe('6 条文本中有 5 条含有受保护的健康信息。')
    expect(await countRow('PHONE')).toEqual(['电话号码 [PHONE]', '3'])
    await page.locator('[data-testid=deid-panel]').scrollIntoViewIfNeeded()
    await screenshot(page, 'deid-04-import-preview-zh')
    const { total } = await callApi(
      page,
      (cts, id) => cts.texts.list({ projectId: id, offset: 0, limit: 1 }),
      projectId,
    )
    expect(total).toBe(0)
  })

  it('exports a plainly imported project with "De-identify" ticked: the file is masked', async () => {
    await openImport('导出去标识化')
    await page.click('[data-testid=import-submit]')
    await page.locator('[data-testid=import-result]').waitFor()
    expect(await page.textContent('[data-testid=result-imported]')).toBe('6')
    await page.click('[data-testid=import-done]')
    await page.getByText('身份证号 440304198506141231，血压正常。', { exact: true }).waitFor()

    await page.click('[data-testid=export]')
    await page.check('[data-testid=export-deidentify]')
    await screenshot(page, 'deid-05-export-menu-zh')
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=export-csv]'),
    ])
    const csv = await readFile((await download.path())!, 'utf8')
    expect(RAW_PHI.filter((raw) => csv.includes(raw))).toEqual([])
    expect(csv).toContain('身份证号 [ID_NUMBER]，血压正常。')
    expect(csv).toContain('Chest pain at rest, call [PHONE] or write to [EMAIL].')
  })

  it('exports a report with "De-identify report" ticked: its free text is masked', async () => {
    await page.evaluate(`localStorage.setItem('cts.locale', 'en')`)
    const sample = (await readFile(SAMPLE)).toString('base64')
    const { projectId, runId } = await callApi(
      page,
      async (cts, contentBase64) => {
        const p = await cts.projects.create({ name: 'Follow-up 13812345678', kind: 'binary' })
        await cts.datasets.import({
          projectId: p.id,
          file: { name: 'symptoms.csv', contentBase64 },
          mapping: { text: 'text', label: 'label', group: 'patient_id' },
        })
        const started = await cts.training.start({
          projectId: p.id,
          config: { model: 'baseline' },
        })
        for (;;) {
          const run = await cts.runs.get({ runId: started.runId })
          if (run.status !== 'running') return { projectId: p.id, runId: run.id }
          await new Promise((r) => setTimeout(r, 200))
        }
      },
      sample,
    )
    await page.goto(`${app.bridge.origin}/#/projects/${projectId}/runs/${runId}`)
    await page.reload()
    await page.locator('[data-testid=evaluation-title]').waitFor({ timeout: 60_000 })
    await page.check('[data-testid=report-deidentify]')
    await screenshot(page, 'deid-06-report-option-en')
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=report-html]'),
    ])
    const html = await readFile((await download.path())!, 'utf8')
    expect(html).toContain(`Run #${runId}`)
    expect(html).toContain('Follow-up [PHONE]')
    expect(html).not.toContain('13812345678')
  })

  it('logged no console error and no CSP violation', () => {
    expect(app.errors).toEqual([])
  })
})
