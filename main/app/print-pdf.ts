// Report HTML → PDF in the desktop app with Electron's own print engine (webContents.printToPDF),
// so a packaged app needs no separate Chromium. Handed to the reports service as its PdfPrinter.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BrowserWindow } from 'electron'
import { writeFileAtomic } from '../ml/train/atomic-file'
import type { PdfPrinter } from '../services/reports-service'

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
 * Prints `html` to `outPath` (A4, the report's @page rules win, backgrounds kept). The HTML goes
 * through a temp file (a data: URL would cap its size); the PDF is written whole or not at all.
 */
export const printPdfWithElectron: PdfPrinter = async (html, outPath) => {
  const work = await mkdtemp(join(tmpdir(), 'cts-pdf-'))
  const window = new BrowserWindow(PRINT_WINDOW)
  try {
    const htmlPath = join(work, 'report.html')
    await writeFile(htmlPath, html, 'utf8')
    await window.loadFile(htmlPath)
    const pdf = await window.webContents.printToPDF({
      pageSize: 'A4',
      printBackground: true,
      preferCSSPageSize: true,
    })
    writeFileAtomic(outPath, pdf)
    return outPath
  } finally {
    window.destroy()
    await rm(work, { recursive: true, force: true })
  }
}
