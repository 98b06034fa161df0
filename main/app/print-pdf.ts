// Report HTML → PDF in the desktop app with Electron's own print engine (webContents.printToPDF),
// so a packaged app needs no separate Chromium. Main renders on the backend's request (the
// backend writes the file, whole or not at all).
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BrowserWindow } from 'electron'

/** A window that is never shown and runs no script: the report is static HTML and SVG. */
const PRINT_WINDOW = {
  show: false,
  width: 794,
  height: 1123,
  webPreferences: {
    javascript: false,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    webSecurity: true,
    spellcheck: false,
  },
} as const

/**
 * Renders `html` to PDF bytes (A4, the report's @page rules win, backgrounds kept). The HTML goes
 * through a temp file (a data: URL would cap its size).
 */
export async function renderPdfWithElectron(html: string): Promise<Uint8Array> {
  const work = await mkdtemp(join(tmpdir(), 'cts-pdf-'))
  const window = new BrowserWindow(PRINT_WINDOW)
  try {
    const htmlPath = join(work, 'report.html')
    await writeFile(htmlPath, html, 'utf8')
    await window.loadFile(htmlPath)
    return await window.webContents.printToPDF({
      pageSize: 'A4',
      printBackground: true,
      preferCSSPageSize: true,
    })
  } finally {
    window.destroy()
    await rm(work, { recursive: true, force: true })
  }
}
