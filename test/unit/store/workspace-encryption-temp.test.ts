// Temporary work folders of an encrypted workspace (issue #15 point 2): with TMPDIR pointed at a
// fresh folder, a prediction of a file, a report (HTML and PDF through headless Chromium), exports
// of the texts and a model export leave none of 100 imported texts in TMPDIR or in the workspace
// (byte search), and no work folder of theirs behind.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobProgressDto } from '../../../preload/contract/jobs'
import type { PredictFileResultDto } from '../../../preload/contract/predict'
import { ForkHost } from '../../../main/jobs/fork-host'
import { findChromium } from '../../../main/reports/render-pdf'
import { boot, type Backend } from '../../../main/root/boot'
import { encryptWorkspaceAt, unlockWorkspace } from '../../../main/root/workspace-admin'
import { forgetWorkspaceKeys } from '../../../main/store/workspace-key'

const entry = fileURLToPath(new URL('../../../main/jobs/job-entry.ts', import.meta.url))
const PASSPHRASE = 'temporary folders 临时目录'
const LABELS = ['urgent 紧急', 'routine 常规']
const TEXTS = Array.from({ length: 100 }, (_, i) =>
  i % 2 === 0
    ? `Patient ${i} reports chest pain radiating to the left arm, marker TMP-${5000 + i}.`
    : `患者${i}号主诉反复咳嗽三周，伴低热，临时标记${6000 + i}。`,
)
const csvOf = (rows: string[][]) =>
  rows.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\r\n') + '\r\n'

let base: string
let tmp: string
let home: string
let backend: Backend
let savedTmp: string | undefined
const finals = new Map<string, JobProgressDto>()
const waiting = new Map<string, (s: JobProgressDto) => void>()

function jobDone(jobId: string): Promise<JobProgressDto> {
  const known = finals.get(jobId)
  if (known) return Promise.resolve(known)
  return new Promise((resolve) => waiting.set(jobId, resolve))
}

function allFiles(root: string): string[] {
  if (!existsSync(root)) return []
  return readdirSync(root, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? allFiles(join(root, e.name)) : e.isFile() ? [join(root, e.name)] : [],
  )
}
function textsFoundIn(root: string): string[] {
  const blobs = allFiles(root).map((f) => readFileSync(f))
  return TEXTS.filter((t) => blobs.some((b) => b.includes(Buffer.from(t, 'utf8'))))
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'cts-enc-temp-'))
  home = join(base, 'home')
  tmp = join(base, 'tmp')
  mkdirSync(tmp)
  // Before anything starts: job processes forked later inherit it.
  savedTmp = process.env.TMPDIR
  process.env.TMPDIR = tmp
  encryptWorkspaceAt(home, PASSPHRASE, 'tester', { cost: { N: 2 ** 12, r: 8, p: 1 } })
  unlockWorkspace(home, PASSPHRASE)
  backend = await boot({
    home,
    actor: 'tester',
    jobHost: new ForkHost({ entry }),
    publish: (event, payload) => {
      if (event !== 'jobs/progress') return
      const s = payload as JobProgressDto
      if (s.status === 'running') return
      finals.set(s.jobId, s)
      waiting.get(s.jobId)?.(s)
    },
  })
})
afterAll(async () => {
  await backend?.shutdown()
  forgetWorkspaceKeys()
  if (savedTmp === undefined) delete process.env.TMPDIR
  else process.env.TMPDIR = savedTmp
  rmSync(base, { recursive: true, force: true })
})

describe('temporary work folders of an encrypted workspace', () => {
  it('hold none of 100 texts after predict, report (HTML + PDF), exports and a model export', async () => {
    expect(tmpdir()).toBe(tmp)
    const h = backend.handlers
    const project = await h['projects/create']({
      name: 'Temp folders 临时',
      kind: 'binary',
      labels: LABELS,
    })
    const labelled = csvOf([['text', 'label'], ...TEXTS.map((t, i) => [t, LABELS[i % 2]!])])
    const imported = await h['datasets/import']({
      projectId: project.id,
      file: { name: 'notes.csv', contentBase64: Buffer.from(labelled).toString('base64') },
      mapping: { text: 'text', label: 'label' },
    })
    expect(imported).toMatchObject({ imported: 100 })

    const { jobId: trainJob, runId } = await h['training/start']({
      projectId: project.id,
      config: { model: 'baseline', epochs: 2, seed: 3, device: 'cpu' },
    })
    expect((await jobDone(trainJob)).status).toBe('success')
    // The run is marked finished just after the job's last event.
    const deadline = Date.now() + 30_000
    while ((await h['runs/get']({ runId })).status !== 'success' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50))

    // A prediction of a whole file, returned as bytes (the job writes it in a temp folder first).
    const input = Buffer.from(csvOf([['text'], ...TEXTS.map((t) => [t])])).toString('base64')
    for (const format of ['csv', 'xlsx'] as const) {
      const { jobId } = await h['predict/file']({
        runId,
        file: { name: 'ward.csv', contentBase64: input },
        textColumn: 'text',
        format,
      })
      const done = await jobDone(jobId)
      expect(done.status).toBe('success')
      expect((done.result as PredictFileResultDto).rows).toBe(100)
    }

    // The report, HTML and PDF (headless Chromium prints it from a work folder).
    expect(findChromium()).not.toBeNull()
    for (const format of ['html', 'pdf'] as const) {
      const r = await h['reports/export']({ runId, format, locale: 'en' })
      expect(r.bytes).toBeGreaterThan(1000)
    }

    for (const format of ['csv', 'xlsx', 'jsonl'] as const) {
      const r = await h['exports/texts']({ projectId: project.id, format })
      expect(r.rows).toBe(100)
    }
    const model = await h['runs/exportModel']({ runId })
    expect(model.fileName).toBe(`run-${runId}-model.zip`)

    // Nothing left behind: no work folder of ours, and not one text in TMPDIR or the workspace.
    // (tsx-N is the test runner's compile cache of the job process's TypeScript: source code.)
    expect(readdirSync(tmp).filter((n) => !/^tsx-\d+$/.test(n))).toEqual([])
    expect(textsFoundIn(tmp)).toEqual([])
    expect(textsFoundIn(home)).toEqual([])
    // The search can find them: the import file's texts are in the CSV we made above.
    expect(Buffer.from(labelled).includes(Buffer.from(TEXTS[1]!, 'utf8'))).toBe(true)
  }, 180_000)
})
