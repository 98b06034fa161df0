// 'reports/export' over a hand-made finished run (its frozen dataset and test predictions): HTML to a
// path or as bytes, PDF through an injected printer, and clear errors for what cannot be reported.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { renderPdf } from '../../../main/reports/render-pdf'
import { ReportsService, type PdfPrinter } from '../../../main/services/reports-service'
import { RunsService } from '../../../main/services/runs-service'
import { openWorkspace, type Workspace } from '../../../main/store/workspace'
import { viaDispatch } from './call-helpers'

const open: { ws: Workspace; home: string }[] = []
afterEach(() => {
  for (const o of open.splice(0)) {
    o.ws.close()
    rmSync(o.home, { recursive: true, force: true })
  }
})

const labels = ['健康', '疾病']
const test = {
  texts: [
    '胸痛伴气短',
    'routine checkup normal',
    '咳嗽发热三天',
    'mild headache resolved',
    '体检正常',
  ],
  labels: [1, 0, 1, 0, 0],
}
const probs = [
  [0.1, 0.9],
  [0.8, 0.2],
  [0.6, 0.4],
  [0.3, 0.7],
  [0.95, 0.05],
]

async function setup(printPdf?: PdfPrinter) {
  const home = mkdtempSync(join(tmpdir(), 'cts-reports-'))
  const ws = openWorkspace(home)
  open.push({ ws, home })
  const runs = new RunsService(ws.repos, ws.runsDir)
  const runId = await runs.create({
    modelKind: 'baseline',
    baseModel: 'baseline',
    labels,
    config: { epochs: 3, duplicatesRemoved: 2 },
    dataHash: 'abc123',
    seed: 9,
  })
  const dataset = { train: { texts: ['a', 'b'], labels: [0, 1] }, test }
  runs.writeArtifact(runId, 'dataset.json', JSON.stringify(dataset))
  runs.writeArtifact(
    runId,
    'test-predictions.json',
    JSON.stringify({
      split: 'test',
      yTrue: test.labels,
      probs,
      textIds: [null, null, null, null, null],
    }),
  )
  await runs.finish(runId, { status: 'success', provider: 'cpu', trainSeconds: 1.5 })
  return { home, runs, runId, reports: new ReportsService(runs, { store: ws.repos, printPdf }) }
}

describe('ReportsService', () => {
  it('writes a self-contained HTML report to the chosen path, in the chosen language', async () => {
    const { home, runId, reports } = await setup()
    const path = join(home, 'out.html')
    const out = await reports
      .handlers()
      ['reports/export']({ runId, format: 'html', locale: 'zh-CN', path })
    const html = readFileSync(path, 'utf8')
    expect(out).toEqual({
      path,
      fileName: `run-${runId}-report-zh-CN.html`,
      bytes: Buffer.byteLength(html),
    })
    expect(html).toContain('<html lang="zh-CN">')
    expect(html).toContain(`模型评估报告 — 运行 #${runId}`)
    expect(html).toContain('abc123')
    expect(html).not.toMatch(/<script|src="http/)
    // Patient text stays out of the report: only counts and metrics.
    expect(html).not.toContain('胸痛伴气短')
  })

  it('returns the bytes when no path is given (the browser build)', async () => {
    const { runId, reports } = await setup()
    const out = await reports.export({ runId, format: 'html' })
    expect(out.fileName).toBe(`run-${runId}-report.html`)
    expect(out.path).toBeUndefined()
    const html = Buffer.from(out.contentBase64!, 'base64').toString('utf8')
    expect(out.bytes).toBe(Buffer.byteLength(html))
    expect(html).toContain(`Model evaluation report — Run #${runId}`)
  })

  it('prints PDF through the injected printer, with the same HTML', async () => {
    const printed: string[] = []
    const printer: PdfPrinter = async (html, outPath) => {
      printed.push(html)
      writeFileSync(outPath, `%PDF-fake ${html.length}`)
      return outPath
    }
    const { runId, reports } = await setup(printer)
    const out = await reports.export({
      runId,
      format: 'pdf',
      prevalence: 0.1,
      targetSensitivity: 0.95,
    })
    expect(printed).toHaveLength(1)
    expect(printed[0]).toContain(`Run #${runId}`)
    expect(Buffer.from(out.contentBase64!, 'base64').toString()).toBe(
      `%PDF-fake ${printed[0].length}`,
    )
    expect(out.fileName).toBe(`run-${runId}-report.pdf`)
  })

  it('says what is missing: no run, no test predictions, no Chromium', async () => {
    const { runs, runId, reports } = await setup((html, outPath) =>
      renderPdf(html, outPath, { candidates: [] }),
    )
    await expect(reports.export({ runId: 99, format: 'html' })).rejects.toMatchObject({
      code: 'not-found',
      message: 'Run 99 does not exist in this workspace.',
    })
    await expect(reports.export({ runId, format: 'pdf' })).rejects.toMatchObject({
      code: 'unsupported',
      message: expect.stringContaining('PDF export needs Chromium'),
    })
    const old = await runs.create({
      modelKind: 'baseline',
      baseModel: 'baseline',
      labels,
      config: {},
      dataHash: 'x',
      seed: 1,
    })
    await runs.finish(old, { status: 'success' })
    await expect(reports.export({ runId: old, format: 'html' })).rejects.toMatchObject({
      code: 'not-found',
      message: `Run ${old} was trained before test predictions were kept with each run; train it again to evaluate it.`,
    })
    await expect(
      viaDispatch(reports.handlers())['reports/export']({ runId, format: 'docx' as 'pdf' }),
    ).rejects.toMatchObject({ code: 'bad-input' })
  })
})
