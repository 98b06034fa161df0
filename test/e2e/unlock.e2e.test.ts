// Unlocking an encrypted workspace through the real UI (issue #15 point 2): the page opens on the
// unlock dialog (简体中文 and English) with nothing of the workspace behind it; a wrong passphrase
// shows the clear message and keeps it locked; the right one shows the projects, and the audit
// log records 'unlock'.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuditPageDto } from '../../preload/contract'
import { CHROMIUM_OFFLINE_FLAGS } from '../../main/reports/render-pdf'
import { boot } from '../../main/root/boot'
import { encryptWorkspaceAt, unlockWorkspace } from '../../main/root/workspace-admin'
import { forgetWorkspaceKeys, WRONG_PASSPHRASE } from '../../main/store/workspace-key'
import { startBridge, type Bridge } from '../../main/web/bridge'
import { callApi, screenshot } from './app-harness'

const RENDERER = fileURLToPath(new URL('../../out/renderer', import.meta.url))
const PASSPHRASE = 'ward round passphrase 查房口令'

let home: string
let profile: string
let bridge: Bridge
let context: BrowserContext
let page: Page
const errors: string[] = []

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'cts-e2e-unlock-'))
  profile = await mkdtemp(join(tmpdir(), 'cts-e2e-unlock-profile-'))
  // An encrypted workspace with one project and a chosen profile, then locked again.
  encryptWorkspaceAt(home, PASSPHRASE, 'setup', { cost: { N: 2 ** 12, r: 8, p: 1 } })
  unlockWorkspace(home, PASSPHRASE)
  const backend = await boot({ home, actor: 'setup' })
  await backend.dispatch('projects/create', { name: 'Oncology 肿瘤科', kind: 'binary' })
  await backend.dispatch('annotators/use', { name: 'Dr Li' })
  await backend.shutdown()
  forgetWorkspaceKeys()

  bridge = await startBridge({ home, port: 0, rendererDir: RENDERER, log: () => {} })
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_OFFLINE_FLAGS,
    viewport: { width: 1280, height: 800 },
    locale: 'zh-CN',
  })
  page = context.pages()[0] ?? (await context.newPage())
  page.setDefaultTimeout(10_000)
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes("'frame-ancestors' is ignored"))
      errors.push(m.text())
  })
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
  await page.goto(bridge.url)
})
afterAll(async () => {
  await context?.close()
  await bridge?.close()
  forgetWorkspaceKeys()
  await rm(home, { recursive: true, force: true })
  await rm(profile, { recursive: true, force: true })
})

const dialogTitle = () => page.locator('[role=dialog] h2')

describe('an encrypted workspace in the app', () => {
  it('opens on the unlock dialog, in 简体中文 and English, with nothing behind it', async () => {
    await page.evaluate(`localStorage.setItem('cts.locale', 'zh-CN')`)
    await page.reload()
    await expect.poll(() => dialogTitle().textContent()).toBe('解锁工作区')
    expect(await page.locator('[data-testid=projects-table]').count()).toBe(0)
    await page.evaluate(`localStorage.setItem('cts.locale', 'en')`)
    await page.reload()
    await expect.poll(() => dialogTitle().textContent()).toBe('Unlock the workspace')
    expect(await page.locator('[data-testid=projects-table]').count()).toBe(0)
    // It cannot be dismissed: no close button, Escape keeps it.
    expect(await page.locator('[role=dialog] button.close').count()).toBe(0)
    await page.keyboard.press('Escape')
    expect(await dialogTitle().count()).toBe(1)
    await screenshot(page, 'unlock-dialog')
  })

  it('keeps it locked on a wrong passphrase, with a clear message', async () => {
    await page.fill('[data-testid=unlock-passphrase]', 'not the passphrase')
    await page.click('[data-testid=unlock-submit]')
    await expect.poll(() => page.textContent('[data-testid=unlock-error]')).toBe(WRONG_PASSPHRASE)
    expect(await dialogTitle().count()).toBe(1)
  })

  it('unlocks with the right passphrase: the projects show and the audit log says so', async () => {
    await page.fill('[data-testid=unlock-passphrase]', PASSPHRASE)
    await page.click('[data-testid=unlock-submit]')
    await expect.poll(() => page.locator('[data-testid=projects-table]').count()).toBe(1)
    expect(await page.textContent('[data-testid=projects-table]')).toContain('Oncology 肿瘤科')
    expect(await page.locator('[data-testid=unlock-passphrase]').count()).toBe(0)
    const log = (await callApi(page, (cts, a) => cts.audit.list(a), {
      actions: ['unlock' as const],
    })) as AuditPageDto
    expect(log.total).toBe(1)
    expect(errors).toEqual([])
  })
})
