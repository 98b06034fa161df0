// The audit log view through the real UI (issue #15 point 4): after an import and 55 labels, the
// table shows the newest entries first in words, pages through them, filters by action, words and
// days, verifies the hash chain (intact, then broken after the test edits an entry in the database
// directly, naming that entry), exports the filtered log as CSV, and reads the same in 简体中文.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import Database from 'better-sqlite3-multiple-ciphers'
import { parse } from 'csv-parse/sync'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import type { AuditPageDto } from '../../preload/contract'
import { callApi, openApp, screenshot, type AppSession } from './app-harness'
import { createProjectWithSample } from './model-flow'

const LABELS = 55

let app: AppSession
let page: Page
let projectId = 0

beforeAll(async () => {
  app = await openApp()
  page = app.page
  await page.evaluate(`localStorage.setItem('cts.locale', 'en')`)
  await page.reload()
})
afterAll(async () => {
  await app?.close()
})
afterEach(() => {
  expect(app.errors).toEqual([])
})

async function text(selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim()
}
const rows = () => page.locator('[data-testid=audit-row]')
const rowIds = async () =>
  (await rows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-entry')))).map(Number)
const list = (args: Record<string, unknown>) =>
  callApi(page, (cts, a) => cts.audit.list(a), args) as Promise<AuditPageDto>
/** Today on this computer's calendar, as the date inputs take it. */
const today = () => {
  const d = new Date()
  return [d.getFullYear(), d.getMonth() + 1, d.getDate()]
    .map((n) => String(n).padStart(2, '0'))
    .join('-')
}

describe('the audit log view', () => {
  it('shows who did what, newest first, in words, and pages through the log', async () => {
    projectId = await createProjectWithSample(page, 'Cardiology 心内科')
    // 55 labels by the current profile: more entries than one page holds.
    const labelName = await callApi(
      page,
      async (cts, a) => {
        const project = await cts.projects.get({ projectId: a.projectId })
        const { rows } = await cts.texts.list({ projectId: a.projectId, offset: 0, limit: a.n })
        for (const r of rows)
          await cts.labels.set({ textId: r.id, labelIds: [project.labels[0].id] })
        return project.labels[0].name
      },
      { projectId, n: LABELS },
    )
    await page.click('[data-testid=nav-audit]')
    await page.locator('[data-testid=audit-table]').waitFor()
    const all = await list({ limit: 500 })
    expect(all.total).toBe(LABELS + 3) // annotator.use, project.create, import, the labels
    expect(await rowIds()).toEqual(all.entries.slice(0, 50).map((e) => e.id))
    expect(await text('[data-testid=audit-shown]')).toBe(`Entries 1–50 of ${all.total}`)

    const newest = all.entries[0]
    const first = rows().first()
    expect(await first.locator('[data-testid=audit-row-action]').textContent()).toBe(
      'Text labelled',
    )
    expect(await first.locator('[data-testid=audit-row-project]').textContent()).toBe(
      'Cardiology 心内科',
    )
    expect(await first.locator('[data-testid=audit-row-who]').textContent()).toBe(newest.actor)
    expect(await first.locator('[data-testid=audit-row-details]').textContent()).toBe(
      `Text #${newest.details.textId as number} → ${labelName}`,
    )

    await page.click('[data-testid=audit-next]')
    await expect
      .poll(() => text('[data-testid=audit-shown]'))
      .toBe(`Entries 51–${all.total} of ${all.total}`)
    expect(await rowIds()).toEqual(all.entries.slice(50).map((e) => e.id))
    const imported = all.entries.find((e) => e.action === 'import')!
    const importRow = page.locator(`[data-testid=audit-row][data-entry="${imported.id}"]`)
    expect(await importRow.locator('[data-testid=audit-row-action]').textContent()).toBe(
      'Texts imported',
    )
    expect(await importRow.locator('[data-testid=audit-row-details]').textContent()).toBe(
      `160 texts from symptoms-zh-en.csv (${imported.details.duplicates as number} duplicates left out, ${imported.details.rejected as number} rows rejected)`,
    )
    await page.click('[data-testid=audit-prev]')
    await expect.poll(() => text('[data-testid=audit-shown]')).toBe(`Entries 1–50 of ${all.total}`)
  })

  it('filters by action, by words in the details and by days', async () => {
    await page.selectOption('[data-testid=audit-action]', 'import')
    await expect.poll(() => rows().count()).toBe(1)
    expect(await text('[data-testid=audit-shown]')).toBe('Entries 1–1 of 1')
    await page.selectOption('[data-testid=audit-action]', '')
    await page.fill('[data-testid=audit-search]', 'symptoms-zh-en')
    await expect.poll(() => rowIds()).toEqual([(await list({ actions: ['import'] })).entries[0].id])
    await page.fill('[data-testid=audit-search]', '')
    await page.fill('[data-testid=audit-from]', today())
    await page.fill('[data-testid=audit-to]', today())
    await expect.poll(() => rows().count()).toBe(50)
    await page.fill('[data-testid=audit-from]', '2000-01-01')
    await page.fill('[data-testid=audit-to]', '2000-12-31')
    await page.locator('[data-testid=audit-none]').waitFor()
    expect(await text('[data-testid=audit-none]')).toBe('No entries match these filters.')
    await page.fill('[data-testid=audit-from]', '')
    await page.fill('[data-testid=audit-to]', '')
    await expect.poll(() => rows().count()).toBe(50)
  })

  it('verifies the chain and exports the filtered log as CSV', async () => {
    const total = (await list({})).total
    await page.click('[data-testid=audit-verify]')
    await page.locator('[data-testid=audit-intact]').waitFor()
    expect(await text('[data-testid=audit-intact]')).toBe(
      `✓ Chain intact: all ${total} entries verified — none was changed, added or removed.`,
    )
    await page.selectOption('[data-testid=audit-action]', 'label.set')
    await expect.poll(() => text('[data-testid=audit-shown]')).toBe(`Entries 1–50 of ${LABELS}`)
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid=audit-export]'),
    ])
    expect(download.suggestedFilename()).toMatch(/^audit-log-\d{4}-\d{2}-\d{2}\.csv$/)
    const csv = await readFile((await download.path())!, 'utf8')
    const table = parse(csv.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[]
    expect(table).toHaveLength(LABELS)
    expect(new Set(table.map((r) => r.action))).toEqual(new Set(['label.set']))
    expect(
      table.every((r) => r.project === 'Cardiology 心内科' && /^[0-9a-f]{64}$/.test(r.hash)),
    ).toBe(true)
    expect(await text('[data-testid=audit-exported]')).toBe(
      `${LABELS} entries exported to ${download.suggestedFilename()}.`,
    )
    await page.selectOption('[data-testid=audit-action]', '')
    await expect.poll(() => rows().count()).toBe(50)
    await screenshot(page, 'audit-en-01-intact')
  })

  it('names the first entry edited in the database behind its back', async () => {
    const imported = (await list({ actions: ['import'] })).entries[0]
    const db = new Database(join(app.home, 'workspace.sqlite'))
    try {
      db.prepare(`UPDATE audit_log SET details = replace(details, '160', '16') WHERE id = ?`).run(
        imported.id,
      )
    } finally {
      db.close()
    }
    await page.click('[data-testid=audit-next]')
    await page.click('[data-testid=audit-verify]')
    await page.locator('[data-testid=audit-broken]').waitFor()
    expect(await page.getAttribute('[data-testid=audit-broken]', 'data-entry')).toBe(
      String(imported.id),
    )
    expect(await text('[data-testid=audit-broken] strong')).toBe(
      `Chain broken at entry #${imported.id}.`,
    )
    expect(await text('[data-testid=audit-broken]')).toBe(
      `Chain broken at entry #${imported.id}.What the check found: entry #${imported.id} was changed after it was written.Something changed the log outside the app. Keep the workspace as it is and tell your data protection officer.`,
    )
    const flagged = page.locator(`[data-testid=audit-row][data-entry="${imported.id}"]`)
    expect(await flagged.getAttribute('class')).toBe('flagged')
    await screenshot(page, 'audit-en-02-broken')
  })

  it('reads the same log in 简体中文', async () => {
    await page.selectOption('[data-testid=language]', 'zh-CN')
    await page.click('[data-testid=audit-prev]')
    await expect.poll(() => text('.audit h2')).toBe('审计日志')
    expect(await text('[data-testid=nav-audit]')).toBe('审计日志')
    const first = rows().first()
    expect(await first.locator('[data-testid=audit-row-action]').textContent()).toBe('标注文本')
    expect(await first.locator('[data-testid=audit-row-details]').textContent()).toMatch(
      /^文本 #\d+ → (健康|疾病)$/,
    )
    expect(await text('[data-testid=audit-broken]')).toMatch(
      /^链在第 (\d+) 条记录处断开。校验发现：第 \1 条记录在写入后被修改。有人在应用之外改动了日志。/,
    )
    const d = (await list({ actions: ['import'] })).entries[0].details
    await page.selectOption('[data-testid=audit-action]', 'import')
    await expect.poll(() => rows().count()).toBe(1)
    // The edited entry shows what the database now says (16): verify is what tells it was changed.
    expect(await text('[data-testid=audit-row-details]')).toBe(
      `从 symptoms-zh-en.csv 导入 16 条文本（跳过重复 ${d.duplicates as number} 条，拒绝 ${d.rejected as number} 行）`,
    )
    await page.selectOption('[data-testid=audit-action]', '')
    await expect.poll(() => rows().count()).toBe(50)
    await screenshot(page, 'audit-zh-CN-01')
  })
})
