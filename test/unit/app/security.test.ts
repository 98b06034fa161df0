// The window's security settings, pinned: preferences, CSP (also in the renderer's index.html),
// navigation, new windows and permissions.
import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  CONTENT_SECURITY_POLICY,
  denyPermission,
  denyWindowOpen,
  isAllowedDownload,
  isAllowedNavigation,
  safeDownloadName,
  secureWebPreferences,
} from '../../../main/app/security'

const EXPECTED_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; " +
  "frame-ancestors 'none'"

function cspMeta(html: string): string | undefined {
  const tag = html.match(/<meta[^>]+http-equiv=["']Content-Security-Policy["'][^>]*>/i)?.[0]
  return tag?.match(/content=(["'])(.*?)\1/i)?.[2]
}

describe('secureWebPreferences', () => {
  it('isolates and sandboxes the page and keeps Node out of it', () => {
    expect(secureWebPreferences('/app/out/preload/index.cjs')).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    })
  })
})

describe('CONTENT_SECURITY_POLICY', () => {
  it('is the agreed policy: scripts only from the app, no eval, no objects, no framing', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(EXPECTED_CSP)
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval')
    expect(CONTENT_SECURITY_POLICY.match(/script-src ([^;]*)/)?.[1]).toBe("'self'")
  })

  it('is the same string in renderer/index.html', () => {
    expect(cspMeta(readFileSync('renderer/index.html', 'utf8'))).toBe(CONTENT_SECURITY_POLICY)
  })

  it('is the same string in the built out/renderer/index.html when it has been built', () => {
    const built = 'out/renderer/index.html'
    const html = existsSync(built) ? readFileSync(built, 'utf8') : undefined
    // Without a build there is nothing to compare; the source file above is always checked.
    if (html !== undefined) expect(cspMeta(html)).toBe(CONTENT_SECURITY_POLICY)
    expect(html === undefined || !html.includes('unsafe-eval')).toBe(true)
  })
})

describe('isAllowedNavigation', () => {
  const fileApp = 'file:///opt/cts/resources/app.asar/out/renderer/index.html'
  it.each([
    [`${fileApp}`, fileApp, true],
    [`${fileApp}#/projects/3`, fileApp, true],
    [`${fileApp}?x=1`, fileApp, true],
    ['file:///etc/passwd', fileApp, false],
    ['file:///opt/cts/resources/app.asar/out/renderer/other.html', fileApp, false],
    ['https://example.com/', fileApp, false],
    ['http://localhost:5173/#/labels', 'http://localhost:5173', true],
    ['http://localhost:5174/', 'http://localhost:5173', false],
    ['http://localhost.evil.com:5173/', 'http://localhost:5173', false],
    ['javascript:alert(1)', 'http://localhost:5173', false],
    ['not a url', fileApp, false],
  ])('%s under %s → %s', (url, app, allowed) => {
    expect(isAllowedNavigation(url, app)).toBe(allowed)
  })
})

describe('window and permission guards', () => {
  it('denies every new window', () => {
    expect(denyWindowOpen()).toEqual({ action: 'deny' })
  })

  it('denies permission requests (callback) and checks (return value)', () => {
    const answers: boolean[] = []
    expect(denyPermission({}, 'media', (granted: boolean) => answers.push(granted))).toBe(false)
    expect(denyPermission({}, 'geolocation', 'file://')).toBe(false)
    expect(answers).toEqual([false])
  })
})

describe('download guard', () => {
  const dev = 'http://localhost:5173'
  const built = 'file:///opt/cts/out/renderer/index.html'

  it("accepts only blob: URLs made by the app page's own origin, in the app window", () => {
    expect(isAllowedDownload('blob:http://localhost:5173/9a1b', dev, true)).toBe(true)
    expect(isAllowedDownload('blob:file:///9a1b', built, true)).toBe(true)
    expect(isAllowedDownload('blob:file:///9a1b', built, false)).toBe(false)
    expect(isAllowedDownload('blob:http://localhost:5174/9a1b', dev, true)).toBe(false)
    expect(isAllowedDownload('blob:https://evil.example/9a1b', built, true)).toBe(false)
    expect(isAllowedDownload('blob:null/9a1b', built, true)).toBe(false)
    expect(isAllowedDownload('http://localhost:5173/report.pdf', dev, true)).toBe(false)
    expect(isAllowedDownload('file:///etc/passwd', built, true)).toBe(false)
    expect(isAllowedDownload('data:text/csv,a', built, true)).toBe(false)
  })

  it('offers a plain file name: no folders, no control characters', () => {
    expect(safeDownloadName('run-3-报告.pdf')).toBe('run-3-报告.pdf')
    expect(safeDownloadName('..\\..\\evil.bat')).toBe('evil.bat')
    expect(safeDownloadName('a/b/pred\u0007ictions.csv\n')).toBe('predictions.csv')
    expect(safeDownloadName('..')).toBe('download')
    expect(safeDownloadName('')).toBe('download')
  })
})
