// "Encrypt this workspace" through the real UI (issue #15 point 2): offered at first start (off by
// default) and from the top bar; a mismatched passphrase is refused with a clear message; after
// encrypting, the app goes on unlocked; the next start asks for the passphrase (a wrong one is
// refused), and the right one shows the projects again.
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuditPageDto } from '../../preload/contract'
import { CHROMIUM_OFFLINE_FLAGS } from '../../main/reports/render-pdf'
import { boot } from '../../main/root/boot'
import { forgetWorkspaceKeys, KEY_FILE, WRONG_PASSPHRASE } from '../../main/store/workspace-key'
import { startBridge, type Bridge } from '../../main/web/bridge'
import { callApi, screenshot } from './app-harness'

const RENDERER = fileURLToPath(new URL('../../out/renderer', import.meta.url))
const PASSPHRASE = 'ward round passphrase 查房口令'

let home: string
let fresh: string
let profile: string
let bridge: Bridge | undefined
let context: BrowserContext
let page: Page
const errors: string[] = []

async function startApp(at: string): Promise<void> {
  await bridge?.close()
  bridge = await startBridge({ home: at, port: 0, rendererDir: RENDERER, log: () => {} })
  await page.goto(bridge.url)
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'cts-e2e-encrypt-'))
  fresh = await mkdtemp(join(tmpdir(), 'cts-e2e-encrypt-fresh-'))
  profile = await mkdtemp(join(tmpdir(), 'cts-e2e-encrypt-profile-'))
  // A plain workspace with one project and a chosen profile.
  const backend = await boot({ home, actor: 'setup' })
  await backend.dispatch('projects/create', { name: 'Oncology 肿瘤科', kind: 'binary' })
  await backend.dispatch('annotators/use', { name: 'Dr Li' })
  await backend.shutdown()

  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_OFFLINE_FLAGS,
    viewport: { width: 1280, height: 800 },
    locale: 'en',
  })
  page = context.pages()[0] ?? (await context.newPage())
  page.setDefaultTimeout(15_000)
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes("'frame-ancestors' is ignored"))
      errors.push(m.text())
  })
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
})
afterAll(async () => {
  await context?.close()
  await bridge?.close()
  forgetWorkspaceKeys()
  for (const d of [home, fresh, profile]) await rm(d, { recursive: true, force: true })
})

const dialogTitle = () => page.locator('[role=dialog] h2')

describe('encrypting a workspace in the app', () => {
  it('offers it at first start, off by default, with the warning; ticking it encrypts the new workspace', async () => {
    await startApp(fresh)
    await page.evaluate(`localStorage.setItem('cts.locale', 'zh-CN')`)
    await page.reload()
    await expect.poll(() => page.locator('[data-testid=encrypt-option]').count()).toBe(1)
    expect(await page.isChecked('[data-testid=encrypt-option]')).toBe(false)
    expect(await page.locator('[data-testid=encrypt-passphrase]').count()).toBe(0)
    await page.check('[data-testid=encrypt-option]')
    expect(await page.textContent('[data-testid=encrypt-warning]')).toContain('无法找回')
    await page.fill('[data-testid=profile-name]', 'Dr Zhang 张医生')
    await page.fill('[data-testid=encrypt-passphrase]', PASSPHRASE)
    await page.fill('[data-testid=encrypt-confirm]', 'ward round')
    await page.click('[data-testid=profile-save]')
    await expect.poll(() => page.textContent('[role=alert]')).toBe('两次输入的口令不一致。')
    await page.fill('[data-testid=encrypt-confirm]', PASSPHRASE)
    await screenshot(page, 'encrypt-first-start-zh')
    await page.click('[data-testid=profile-save]')
    await expect.poll(() => page.locator('[data-testid=encrypted-badge]').count()).toBe(1)
    // The chooser encrypts first and then uses the new profile: the badge can show a moment before the name.
    await expect
      .poll(() => page.textContent('[data-testid=profile-current]'))
      .toBe('Dr Zhang 张医生')
    expect(existsSync(join(fresh, KEY_FILE))).toBe(true)
    await page.evaluate(`localStorage.setItem('cts.locale', 'en')`)
  })

  it('encrypts an existing workspace from the top bar and goes on unlocked', async () => {
    forgetWorkspaceKeys()
    await startApp(home)
    await expect.poll(() => page.locator('[data-testid=projects-table]').count()).toBe(1)
    expect(await page.locator('[data-testid=encrypted-badge]').count()).toBe(0)
    await page.click('[data-testid=encrypt-open]')
    await expect.poll(() => dialogTitle().textContent()).toBe('Encrypt this workspace')
    expect(await page.textContent('[data-testid=encrypt-warning]')).toContain(
      'there is no way to recover it',
    )
    await page.fill('[data-testid=encrypt-passphrase]', 'short')
    await page.fill('[data-testid=encrypt-confirm]', 'short')
    await page.click('[data-testid=encrypt-submit]')
    await expect
      .poll(() => page.textContent('[data-testid=encrypt-error]'))
      .toBe('The passphrase is too short: use at least 8 characters.')
    await page.fill('[data-testid=encrypt-passphrase]', PASSPHRASE)
    await page.fill('[data-testid=encrypt-confirm]', PASSPHRASE + 'x')
    await page.click('[data-testid=encrypt-submit]')
    await expect
      .poll(() => page.textContent('[data-testid=encrypt-error]'))
      .toBe('The two passphrases are not the same.')
    await page.fill('[data-testid=encrypt-confirm]', PASSPHRASE)
    await screenshot(page, 'encrypt-dialog')
    await page.click('[data-testid=encrypt-submit]')
    await expect.poll(() => page.locator('[data-testid=encrypted-badge]').count()).toBe(1)
    expect(await dialogTitle().count()).toBe(0)
    expect(existsSync(join(home, KEY_FILE))).toBe(true)
    expect(await page.textContent('[data-testid=projects-table]')).toContain('Oncology 肿瘤科')
    const log = (await callApi(page, (cts, a) => cts.audit.list(a), {
      actions: ['workspace.encrypt' as const],
    })) as AuditPageDto
    expect(log.entries.map((e) => e.actor)).toEqual(['Dr Li'])
    await screenshot(page, 'encrypt-done')
  })

  it('asks for the passphrase at the next start: a wrong one is refused, the right one opens it', async () => {
    // A new start of the app: a new backend, no key in memory.
    forgetWorkspaceKeys()
    await startApp(home)
    await expect.poll(() => dialogTitle().textContent()).toBe('Unlock the workspace')
    expect(await page.locator('[data-testid=projects-table]').count()).toBe(0)
    await page.fill('[data-testid=unlock-passphrase]', 'not the passphrase')
    await page.click('[data-testid=unlock-submit]')
    await expect.poll(() => page.textContent('[data-testid=unlock-error]')).toBe(WRONG_PASSPHRASE)
    await screenshot(page, 'encrypt-reopen-wrong')
    await page.fill('[data-testid=unlock-passphrase]', PASSPHRASE)
    await page.click('[data-testid=unlock-submit]')
    await expect.poll(() => page.locator('[data-testid=projects-table]').count()).toBe(1)
    expect(await page.textContent('[data-testid=projects-table]')).toContain('Oncology 肿瘤科')
    expect(await page.locator('[data-testid=encrypted-badge]').count()).toBe(1)
    expect(await page.locator('[data-testid=encrypt-open]').count()).toBe(0)
    await screenshot(page, 'encrypt-reopen-unlocked')
    expect(errors).toEqual([])
  })
})
