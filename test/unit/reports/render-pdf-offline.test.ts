// A report whose HTML names remote images, a stylesheet and a font prints to PDF through the real
// Chromium with no connection off this computer: a wrapper records the flags renderPdf passes and
// adds a NetLog, which shows every request failing before any byte is sent. Nothing is served.
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  CHROMIUM_FLAGS,
  CHROMIUM_NO_NETWORK_FLAGS,
  findChromium,
  renderPdf,
} from '../../../main/reports/render-pdf'

const REMOTE = [
  'https://fonts.example.org/report-font.woff2',
  'https://cdn.example.com/report.css',
  'http://10.0.0.1/logo.png',
  'http://cts-canary.example/chart.png',
]

const HTML = `<!doctype html><html><head><meta charset="utf-8">
<style>@font-face { font-family: Remote; src: url(${REMOTE[0]}) } body { font-family: Remote, serif }</style>
<link rel="stylesheet" href="${REMOTE[1]}"></head>
<body><h1>Offline report 离线报告</h1><img src="${REMOTE[2]}"><img src="${REMOTE[3]}"></body></html>`

interface NetLog {
  constants: { logEventTypes: Record<string, number> }
  events: {
    type: number
    source: { id: number }
    phase: number
    params?: Record<string, unknown>
  }[]
}

describe('renderPdf without network', () => {
  it('prints a report that names remote resources, with no connection off this computer', async () => {
    const chromium = findChromium()
    if (!chromium) throw new Error('Chromium is missing: run scripts/setup.sh')
    const dir = mkdtempSync(join(tmpdir(), 'cts-pdf-offline-'))
    const argsFile = join(dir, 'args.txt')
    const netLog = join(dir, 'netlog.json')
    const wrapper = join(dir, 'chromium')
    writeFileSync(
      wrapper,
      `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\nexec '${chromium}' --log-net-log='${netLog}' "$@"\n`,
    )
    chmodSync(wrapper, 0o755)

    const started = Date.now()
    const pdf = await renderPdf(HTML, join(dir, 'report.pdf'), { candidates: [wrapper] })
    // Nothing waited on a network: failing requests end at once.
    expect(Date.now() - started).toBeLessThan(60_000)
    expect(readFileSync(pdf).subarray(0, 5).toString('latin1')).toBe('%PDF-')
    const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, '')
    expect(text).toContain('Offlinereport离线报告')

    // The flags renderPdf gave Chromium: all of the no-network ones.
    const args = readFileSync(argsFile, 'utf8').trim().split('\n')
    for (const flag of CHROMIUM_NO_NETWORK_FLAGS)
      expect([flag, args.includes(flag)]).toEqual([flag, true])
    expect(CHROMIUM_FLAGS).toEqual(expect.arrayContaining(CHROMIUM_NO_NETWORK_FLAGS))

    // What Chromium's network stack did.
    const log = JSON.parse(readFileSync(netLog, 'utf8')) as NetLog
    const name = Object.fromEntries(
      Object.entries(log.constants.logEventTypes).map(([k, v]) => [v, k]),
    )
    const events = log.events.map((e) => ({ ...e, name: name[e.type]! }))
    // Every TCP connection attempt went to loopback (the proxy that does not exist), none off it.
    const tcp = events.filter((e) => e.name === 'TCP_CONNECT_ATTEMPT' && e.params?.address)
    for (const e of tcp)
      expect(String(e.params!.address)).toMatch(/^(127\.\d+\.\d+\.\d+|\[::1\]):\d+$/)
    // No byte left through any socket (TCP or UDP), and nothing was answered.
    const sent = events.filter((e) => /BYTES_SENT/.test(e.name))
    expect(sent).toEqual([])
    // Each remote resource was asked for, and failed (proxy refused / name not resolved).
    const requests = new Map<number, string>()
    for (const e of events)
      if (e.name === 'URL_REQUEST_START_JOB' && typeof e.params?.url === 'string')
        requests.set(e.source.id, e.params.url)
    for (const url of REMOTE) {
      const ids = [...requests].filter(([, u]) => u === url).map(([id]) => id)
      expect([url, ids.length > 0]).toEqual([url, true])
      const ends = events.filter(
        (e) => ids.includes(e.source.id) && e.name === 'REQUEST_ALIVE' && e.phase === 2,
      )
      // Failed (a negative net error: proxy refused, name not resolved, aborted), never loaded;
      // at least one attempt at each ended with the proxy refused or the name not resolved.
      expect([url, ends.length > 0]).toEqual([url, true])
      const errors = ends.map((end) => end.params?.net_error as number)
      expect([url, errors.every((n) => n < 0)]).toEqual([url, true])
      expect([url, errors.some((n) => n === -130 || n === -105)]).toEqual([url, true])
    }
  }, 120_000)
})
