// PredictionsService over a real workspace and job host: a single text with attributions, a whole
// file as a 'predict-file' job (CSV to a path, XLSX as bytes; formula-safe), and model export as a
// folder or a zip — with clinician-readable errors for unknown and unfinished runs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ExcelJS from 'exceljs'
import JSZip from 'jszip'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobProgressDto } from '../../../preload/contract/jobs'
import type { PredictFileResultDto } from '../../../preload/contract/predict'
import { ForkHost } from '../../../main/jobs/fork-host'
import { JobService } from '../../../main/jobs/job-service'
import { loadClassifierBundle } from '../../../main/ml/infer/classifier-bundle'
import { PredictionsService } from '../../../main/services/predictions-service'
import { RunsService } from '../../../main/services/runs-service'
import { openWorkspace, type Workspace } from '../../../main/store/workspace'
import { writeBaselineBundle } from '../ml/infer/bundles'
import { viaDispatch } from './call-helpers'

const entry = fileURLToPath(new URL('../../../main/jobs/job-entry.ts', import.meta.url))
const inputCsv = fileURLToPath(new URL('../../fixtures/predict/texts.csv', import.meta.url))
const LABELS = ['健康', '疾病']

let home: string
let ws: Workspace
let runs: RunsService
let service: PredictionsService
let runId: number
let runningId: number
const finished = new Map<string, (s: JobProgressDto) => void>()
const finals = new Map<string, JobProgressDto>()

function jobDone(jobId: string): Promise<JobProgressDto> {
  const known = finals.get(jobId)
  if (known) return Promise.resolve(known)
  return new Promise((resolve) => finished.set(jobId, resolve))
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'cts-predictions-'))
  ws = openWorkspace(home)
  runs = new RunsService(ws.repos, ws.runsDir)
  const jobs = new JobService({
    host: new ForkHost({ entry }),
    publish: (_e, s) => {
      if (s.status === 'running') return
      finals.set(s.jobId, s)
      finished.get(s.jobId)?.(s)
    },
  })
  service = new PredictionsService(runs, jobs)
  const newRun = () =>
    runs.create({
      modelKind: 'baseline',
      baseModel: 'baseline',
      labels: LABELS,
      config: { epochs: 3 },
      dataHash: 'sha256:feed',
      seed: 9,
    })
  runId = await newRun()
  writeBaselineBundle({ seed: 9, dir: runs.runDir(runId) })
  await runs.finish(runId, { status: 'success', provider: 'cpu', trainSeconds: 1 })
  runningId = await newRun()
})
afterAll(async () => {
  await service.dispose()
  ws.close()
  rmSync(home, { recursive: true, force: true })
})

describe('predict/text', () => {
  it('returns the label, probabilities in label order and located token scores', async () => {
    const text = 'Fever and cough, 患者发热'
    const r = await viaDispatch(service.handlers())['predict/text']({ runId, text })
    expect(r.probabilities.map((p) => p.label)).toEqual(LABELS)
    const model = await loadClassifierBundle(runs.runDir(runId))
    const p = await model.predict([text])
    await model.release()
    r.probabilities.forEach((q, i) => expect(Math.abs(q.p - p[i])).toBeLessThan(1e-6))
    expect(r.label).toBe(LABELS[p[1] > p[0] ? 1 : 0])
    expect(r.tokens.map((t) => t.token)).toEqual(['Fever', 'and', 'cough', '患', '者', '发', '热'])
    for (const t of r.tokens) expect(text.slice(t.start, t.end)).toBe(t.token)
    expect(r).toMatchObject({ runId, method: 'gradient-x-input', truncated: false })
  })

  it('refuses unknown runs, unfinished runs and empty texts with messages', async () => {
    const h = viaDispatch(service.handlers())
    await expect(h['predict/text']({ runId: 999, text: 'x' })).rejects.toMatchObject({
      code: 'not-found',
      message: 'Run 999 does not exist in this workspace.',
    })
    await expect(h['predict/text']({ runId: runningId, text: 'x' })).rejects.toMatchObject({
      code: 'conflict',
      message: `Run ${runningId} has no trained model (its status is running).`,
    })
    await expect(h['predict/text']({ runId, text: '   ' })).rejects.toMatchObject({
      code: 'bad-input',
    })
  })
})

describe('predict/file (job)', () => {
  it('writes a formula-safe CSV with one probability column per label', async () => {
    const out = join(home, 'predictions.csv')
    const { jobId } = await viaDispatch(service.handlers())['predict/file']({
      runId,
      file: { path: inputCsv },
      format: 'csv',
      path: out,
    })
    const final = await jobDone(jobId)
    expect(final.status).toBe('success')
    const result = final.result as PredictFileResultDto
    expect(result).toMatchObject({ rows: 5, skipped: 1, path: out, fileName: 'predictions.csv' })
    const lines = readFileSync(out, 'utf8')
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n')
    expect(lines[0]).toBe('text,label,p_健康,p_疾病')
    expect(lines).toHaveLength(6)
    expect(lines[4]).toMatch(/^"'=HYPERLINK\(""http:\/\/x""\) 胸痛",(健康|疾病),/)
    const model = await loadClassifierBundle(runs.runDir(runId))
    const p = await model.predict(['Patient has fever and cough since Monday'])
    await model.release()
    const first = lines[1].split(',')
    expect(Number(first[2])).toBeCloseTo(p[0], 6)
    expect(Number(first[3])).toBeCloseTo(p[1], 6)
  }, 30_000)

  it('returns an XLSX as bytes when no path is given', async () => {
    const contentBase64 = readFileSync(inputCsv).toString('base64')
    const { jobId } = await viaDispatch(service.handlers())['predict/file']({
      runId,
      file: { name: 'ward-notes.csv', contentBase64 },
      textColumn: 'text',
      format: 'xlsx',
    })
    const final = await jobDone(jobId)
    const result = final.result as PredictFileResultDto
    expect(result.fileName).toBe(`ward-notes-run${runId}-predictions.xlsx`)
    const book = new ExcelJS.Workbook()
    // exceljs' own Buffer typing predates Node's generic Buffer; the bytes are what matter.
    await book.xlsx.load(Buffer.from(result.contentBase64!, 'base64') as unknown as ExcelJS.Buffer)
    const sheet = book.getWorksheet('Predictions')!
    expect(sheet.getRow(1).values).toEqual([undefined, 'text', 'label', 'p_健康', 'p_疾病'])
    expect(sheet.rowCount).toBe(6)
    expect(sheet.getCell('A5').value).toBe(`'=HYPERLINK("http://x") 胸痛`)
    expect(typeof sheet.getCell('C2').value).toBe('number')
  }, 30_000)

  it('ends the job with an error naming the columns when the text column is wrong', async () => {
    const { jobId } = await viaDispatch(service.handlers())['predict/file']({
      runId,
      file: { path: inputCsv },
      textColumn: 'notes',
      format: 'csv',
    })
    const final = await jobDone(jobId)
    expect(final.status).toBe('error')
    expect(final.error?.message).toBe(
      '"notes" is not a column of this file. Its columns are: id, text.',
    )
  }, 30_000)
})

describe('runs/exportModel', () => {
  it('writes a folder, or returns the same files zipped', async () => {
    const h = viaDispatch(service.handlers())
    const path = join(home, 'exported')
    const r = await h['runs/exportModel']({ runId, path })
    expect(r.files).toEqual([
      'MODEL_CARD.md',
      'featurizer.json',
      'inference.json',
      'labels.json',
      'model.onnx',
    ])
    expect(readFileSync(join(path, 'MODEL_CARD.md'), 'utf8')).toContain('`sha256:feed`')
    const z = await h['runs/exportModel']({ runId })
    expect(z.fileName).toBe(`run-${runId}-model.zip`)
    const zip = await JSZip.loadAsync(Buffer.from(z.contentBase64!, 'base64'))
    expect(
      Object.keys(zip.files)
        .filter((f) => !zip.files[f].dir)
        .sort(),
    ).toEqual(r.files.map((f) => `run-${runId}-model/${f}`))
    const onnx = await zip.file(`run-${runId}-model/model.onnx`)!.async('nodebuffer')
    expect(onnx.equals(readFileSync(join(path, 'model.onnx')))).toBe(true)
    await expect(h['runs/exportModel']({ runId, path })).rejects.toMatchObject({ code: 'conflict' })
  })
})
