// `cts report`: a tiny baseline run trained from the bilingual fixture, its report written as HTML
// and as PDF (headless Chromium), the PDF's text checked with pdftotext; a missing run exits 2.
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { failingCts, REPO_ROOT, runCts } from './cts-process'

const exec = promisify(execFile)
const fixture = join(REPO_ROOT, 'test/fixtures/train/bilingual-health.csv')
const home = mkdtempSync(join(tmpdir(), 'cts-report-cli-'))
afterAll(() => rmSync(home, { recursive: true, force: true }))

const cts = (args: string[]) => runCts(home, args)
const failing = (args: string[]) => failingCts(home, args)

let runId: number
beforeAll(async () => {
  const { stdout } = await cts([
    'train',
    '--train',
    fixture,
    '--model',
    'baseline',
    '--epochs',
    '2',
    '--batch-size',
    '8',
    '--seed',
    '3',
    '--device',
    'cpu',
    '--json',
  ])
  runId = JSON.parse(stdout).run_id
}, 120_000)

describe('cts report', () => {
  it('writes the HTML report with the run id and label names', async () => {
    const out = join(home, 'report.html')
    const { stdout } = await cts(['report', '--run', String(runId), '--out', out, '--json'])
    const html = readFileSync(out, 'utf8')
    expect(JSON.parse(stdout)).toEqual({ path: out, bytes: Buffer.byteLength(html) })
    expect(html).toContain(`Run #${runId}`)
    expect(html).toContain('健康')
    expect(html).toContain('疾病')
  })

  it('prints the PDF through Chromium; its text names the run and the labels, in Chinese', async () => {
    const out = join(home, 'report.pdf')
    const { stdout } = await cts([
      'report',
      '--run',
      String(runId),
      '--out',
      out,
      '--locale',
      'zh-CN',
    ])
    expect(stdout).toMatch(
      new RegExp(`^Report for run ${runId} written to ${out} \\(\\d+ bytes\\)\\.`),
    )
    expect(readFileSync(out).subarray(0, 5).toString('latin1')).toBe('%PDF-')
    const { stdout: text } = await exec('pdftotext', ['-layout', out, '-'])
    expect(text).toContain('模型评估报告')
    expect(text).toMatch(new RegExp(`#\\s*${runId}\\b`))
    expect(text).toContain('健康')
    expect(text).toContain('疾病')
  }, 120_000)

  it('exits 2 with a clear message for a missing run or a wrong file type', async () => {
    const missing = await failing(['report', '--run', '99', '--out', join(home, 'x.html')])
    expect(missing).toEqual({
      code: 2,
      stderr: 'Error: Run 99 does not exist in this workspace.\n',
    })
    expect(existsSync(join(home, 'x.html'))).toBe(false)
    const docx = await failing(['report', '--run', String(runId), '--out', join(home, 'x.docx')])
    expect(docx.code).toBe(2)
    expect(docx.stderr).toContain('--out must end in .html or .pdf')
  })
})
