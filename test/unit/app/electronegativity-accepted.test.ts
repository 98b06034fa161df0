// Why each finding in scripts/electronegativity-accepted.json is safe: the options Electronegativity
// cannot read (they come from a function or a constant) are recorded from a stand-in 'electron'.
import { readFileSync } from 'node:fs'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { CONTENT_SECURITY_POLICY } from '../../../main/app/security'

const created: { options: Record<string, unknown> }[] = []

vi.mock('electron', () => {
  class BrowserWindow {
    webContents = {
      on: () => {},
      setWindowOpenHandler: (handler: () => unknown) => (this.windowOpen = handler()),
      printToPDF: async () => new Uint8Array([37, 80, 68, 70, 45]),
    }
    windowOpen: unknown
    constructor(options: Record<string, unknown>) {
      created.push({ options })
    }
    once() {}
    loadURL = async () => {}
    loadFile = async () => {}
    destroy() {}
  }
  return { BrowserWindow }
})

beforeEach(() => {
  created.length = 0
})

describe('accepted Electronegativity findings', () => {
  it('the app window is context-isolated, sandboxed, without Node and without auxclick', async () => {
    const { createMainWindow } = await import('../../../main/app/window')
    const window = createMainWindow({ url: 'file:///app/index.html', preloadPath: '/app/p.cjs' })
    expect(created).toHaveLength(1)
    expect(created[0]!.options.webPreferences).toMatchObject({
      preload: '/app/p.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
    })
    expect((window as unknown as { windowOpen: unknown }).windowOpen).toEqual({ action: 'deny' })
  })

  it('the PDF print window is hidden, isolated, sandboxed and runs no script', async () => {
    const { renderPdfWithElectron } = await import('../../../main/app/print-pdf')
    const pdf = await renderPdfWithElectron('<p>Report 报告</p>')
    expect(Buffer.from(pdf).toString('latin1')).toBe('%PDF-')
    expect(created).toHaveLength(1)
    const options = created[0]!.options
    expect(options.show).toBe(false)
    expect(options.webPreferences).toMatchObject({
      javascript: false,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    })
    expect(options.webPreferences).not.toHaveProperty('preload')
  })

  it('every response of the app session carries the strict CSP', () => {
    // electron-main.ts sets exactly this constant on every response (onHeadersReceived); the
    // bundled main's test (electron-main.test.ts) records the header it sends.
    const main = readFileSync('main/app/electron-main.ts', 'utf8')
    expect(main).toContain("'Content-Security-Policy': [CONTENT_SECURITY_POLICY]")
    const directives = Object.fromEntries(
      CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]),
    )
    expect(directives['default-src']).toEqual(["'self'"])
    expect(directives['script-src']).toEqual(["'self'"])
    expect(directives['object-src']).toEqual(["'none'"])
    expect(directives['frame-ancestors']).toEqual(["'none'"])
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|\*/)
  })

  it('lists exactly the findings above, each with a reason', () => {
    const { findings } = JSON.parse(
      readFileSync('scripts/electronegativity-accepted.json', 'utf8'),
    ) as {
      findings: { check: string; file: string; reason: string; test: string }[]
    }
    const names = [
      'the app window is context-isolated, sandboxed, without Node and without auxclick',
      'the PDF print window is hidden, isolated, sandboxed and runs no script',
      'every response of the app session carries the strict CSP',
    ]
    for (const f of findings) {
      expect(f.reason.length).toBeGreaterThan(20)
      expect(names.map((n) => `test/unit/app/electronegativity-accepted.test.ts > ${n}`)).toContain(
        f.test,
      )
    }
    expect(findings.map((f) => `${f.check} ${f.file}`).sort()).toEqual([
      'AUXCLICK_JS_CHECK main/app/print-pdf.ts',
      'AUXCLICK_JS_CHECK main/app/window.ts',
      'CONTEXT_ISOLATION_JS_CHECK main/app/print-pdf.ts',
      'CONTEXT_ISOLATION_JS_CHECK main/app/window.ts',
      'CSP_GLOBAL_CHECK main/app/electron-main.ts',
      'SANDBOX_JS_CHECK main/app/print-pdf.ts',
      'SANDBOX_JS_CHECK main/app/window.ts',
    ])
  })
})
