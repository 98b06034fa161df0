// Report HTML → PDF through headless Chromium (its own print engine, so the PDF looks like the
// HTML). Runs offline with a throw-away profile; a clear 'unsupported' error when no Chromium exists.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { copyFile, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { CtsError } from '../shared'

/** Where Chromium is looked for, in order, after the CTS_CHROMIUM environment variable. */
export const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
]

/**
 * No network for Chromium (issue 15, zero egress): anything that is not loopback goes to a proxy
 * that does not exist (127.0.0.1:9, refused), no name resolves but localhost and the loopback
 * addresses, and the background services (updates, sync, pings, prefetch, crash and metrics
 * reports) stay off. A report that names a remote image or font prints without it.
 */
export const CHROMIUM_NO_NETWORK_FLAGS = [
  '--proxy-server=127.0.0.1:9',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE [::1]',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-domain-reliability',
  '--disable-sync',
  '--no-pings',
  '--disable-quic',
  '--dns-prefetch-disable',
  '--disable-client-side-phishing-detection',
  '--disable-breakpad',
  '--metrics-recording-only',
  '--no-default-browser-check',
]

/**
 * Flags that keep headless Chromium offline and quiet; the browser tests launch it with the same
 * (the loopback bridge they open is allowed by CHROMIUM_NO_NETWORK_FLAGS).
 */
export const CHROMIUM_OFFLINE_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  ...CHROMIUM_NO_NETWORK_FLAGS,
]

/** What printing a report adds: no date, title or URL in the page margins. */
export const CHROMIUM_FLAGS = [...CHROMIUM_OFFLINE_FLAGS, '--no-pdf-header-footer']

export interface PdfOptions {
  /** Paths to try instead of CTS_CHROMIUM + CHROMIUM_CANDIDATES. */
  candidates?: string[]
  /** Give up after this many milliseconds (default 120 s). */
  timeoutMs?: number
}

export function findChromium(candidates?: string[]): string | null {
  const list = candidates ?? [process.env.CTS_CHROMIUM ?? '', ...CHROMIUM_CANDIDATES]
  return list.find((p) => p !== '' && existsSync(p)) ?? null
}

/**
 * Print `html` to a PDF at `outPath` (A4, as laid out by the report's @page rules). The file is
 * written whole or not at all (temp file + rename); an existing file at outPath is replaced.
 */
export async function renderPdf(
  html: string,
  outPath: string,
  options: PdfOptions = {},
): Promise<string> {
  const chromium = findChromium(options.candidates)
  if (!chromium) {
    throw new CtsError(
      'unsupported',
      'PDF export needs Chromium or Google Chrome, and neither was found on this computer. ' +
        'Install Chromium (or set CTS_CHROMIUM to its path), or export the HTML report and print it from a browser.',
    )
  }
  const work = await mkdtemp(join(tmpdir(), 'cts-pdf-'))
  try {
    const htmlPath = join(work, 'report.html')
    const pdfPath = join(work, 'report.pdf')
    await writeFile(htmlPath, html, 'utf8')
    const args = [
      ...CHROMIUM_FLAGS,
      `--user-data-dir=${join(work, 'profile')}`,
      `--print-to-pdf=${pdfPath}`,
      pathToFileURL(htmlPath).href,
    ]
    await new Promise<void>((resolve, reject) => {
      execFile(
        chromium,
        args,
        { timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024 },
        (err, _out, stderr) => {
          if (err) {
            const why = err.killed
              ? 'it did not finish in time'
              : `it exited with ${err.code ?? err.signal}`
            reject(
              new CtsError('internal', `Chromium could not print the report to PDF: ${why}.`, {
                stderr: String(stderr).slice(-2000),
              }),
            )
          } else resolve()
        },
      )
    })
    const head = existsSync(pdfPath)
      ? (await readFile(pdfPath)).subarray(0, 5).toString('latin1')
      : ''
    if (head !== '%PDF-') throw new CtsError('internal', 'Chromium finished but wrote no PDF file.')
    const tmpOut = join(dirname(outPath), `.${basename(outPath)}.${process.pid}.tmp`)
    await copyFile(pdfPath, tmpOut)
    await rename(tmpOut, outPath)
    return outPath
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}
