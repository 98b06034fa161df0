// Starts the app for a browser test: the loopback bridge on a fresh workspace and headless
// Chromium on a fresh profile; collects every console error (CSP violations included).
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { CHROMIUM_OFFLINE_FLAGS } from '../../main/reports/render-pdf'
import { startBridge, type Bridge } from '../../main/web/bridge'
import type { CtsApi } from '../../preload/contract'

export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/e2e/', import.meta.url))
export const FIXTURES = fileURLToPath(new URL('../fixtures/e2e/', import.meta.url))
const RENDERER = fileURLToPath(new URL('../../out/renderer', import.meta.url))

/**
 * Chromium reports this for our CSP meta tag, which must carry frame-ancestors to match the header
 * the Electron session and the bridge send (where it does apply). Nothing else is ignored.
 */
const IGNORED_CONSOLE_ERRORS = [
  "The Content Security Policy directive 'frame-ancestors' is ignored when delivered via a <meta> element.",
]

export interface AppSession {
  bridge: Bridge
  /** The workspace folder the bridge serves (tests that edit the database directly). */
  home: string
  context: BrowserContext
  page: Page
  /** Console errors and uncaught page errors, in order. A passing test leaves this empty. */
  errors: string[]
  close(): Promise<void>
}

/**
 * `annotator`: the profile chosen before the page loads, so the first-start chooser does not
 * appear; by default the OS user, whom labels were recorded under before profiles existed. null:
 * choose none (the page opens with the profile chooser).
 */
export async function openApp(options: { annotator?: string | null } = {}): Promise<AppSession> {
  const home = await mkdtemp(join(tmpdir(), 'cts-e2e-home-'))
  const profile = await mkdtemp(join(tmpdir(), 'cts-e2e-profile-'))
  const bridge = await startBridge({ home, port: 0, rendererDir: RENDERER, log: () => {} })
  if (options.annotator !== null) {
    const { osUser } = await bridgeCall<{ osUser: string }>(bridge, 'annotators/list', {})
    await bridgeCall(bridge, 'annotators/use', { name: options.annotator ?? osUser })
  }
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_OFFLINE_FLAGS,
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    acceptDownloads: true,
  })
  const page = context.pages()[0] ?? (await context.newPage())
  page.setDefaultTimeout(10_000)
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error' && !IGNORED_CONSOLE_ERRORS.includes(message.text())) {
      errors.push(message.text())
    }
  })
  page.on('response', (response) => {
    if (response.status() >= 400)
      errors.push(`HTTP ${response.status()} ${new URL(response.url()).pathname}`)
  })
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`))
  await mkdir(ARTIFACTS, { recursive: true })
  await page.goto(bridge.url)
  return {
    bridge,
    home,
    context,
    page,
    errors,
    async close() {
      await context.close()
      await bridge.close()
      await rm(home, { recursive: true, force: true })
      await rm(profile, { recursive: true, force: true })
    },
  }
}

/** One contract call over the bridge's HTTP API, as a tool would make it (no page needed). */
async function bridgeCall<R>(bridge: Bridge, call: string, args: unknown): Promise<R> {
  const response = await fetch(`${bridge.origin}/api/call/${call}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bridge.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(args),
  })
  const envelope = (await response.json()) as
    { ok: true; value: R } | { ok: false; error: { message: string } }
  if (!envelope.ok) throw new Error(`${call}: ${envelope.error.message}`)
  return envelope.value
}

/**
 * Calls window.cts inside the page, i.e. through the bridge exactly as the UI does. `fn` must be
 * self-contained (it is sent as source); it runs as a DevTools expression, outside the page's CSP.
 */
export function callApi<A, R>(
  page: Page,
  fn: (cts: CtsApi, arg: A) => Promise<R>,
  arg: A,
): Promise<R> {
  return page.evaluate(`(${fn.toString()})(globalThis.cts, ${JSON.stringify(arg)})`) as Promise<R>
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) })
}
