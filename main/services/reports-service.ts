// 'reports/export': a run's evaluation report as self-contained HTML or as PDF, written to a path
// (desktop) or returned as bytes (browser). PDF printing is injected: Chromium in the CLI and the
// web bridge, the window's printToPDF in the Electron app.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { HandlersOf } from '../../preload/contract'
import type { CvResultDto } from '../../preload/contract/cv'
import {
  type ReportExportDto,
  type ReportFormat,
  type ReportLocaleDto,
} from '../../preload/contract/reports'
import type { DeidOptions } from '../../preload/contract/deid'
import { checkDeidOptions } from '../data/deid'
import { writeFileAtomic } from '../shared/atomic-file'
import type { Repositories } from '../store/repositories'
import { buildReportModel } from '../reports/report-model'
import { renderReportHtml } from '../reports/render-html'
import { renderPdf } from '../reports/render-pdf'
import { reportInputFromRun } from '../reports/run-artifacts'
import { positiveIndex, readEvaluationInputs } from './evaluation-service'
import type { RunsService } from './runs-service'
import type { AuditTrail } from './audit-service'
import { DeidMasker } from './deid-masker'

/** Prints report HTML to a PDF file at outPath and resolves with that path. */
export type PdfPrinter = (html: string, outPath: string) => Promise<string>

export interface ReportRequest {
  runId: number
  format: ReportFormat
  locale?: ReportLocaleDto
  prevalence?: number
  targetSensitivity?: number
  positiveLabel?: string
  /** Write the file here; without it the bytes come back base64-encoded. */
  path?: string
  /** Fixed generation time (reproducible output in tests). */
  generatedAt?: string
  /** Mask PHI in the report's free text (project name, label names, intended use, limitations). */
  deidentify?: DeidOptions
}

/** The report with its user-written text de-identified (issue #15); figures are unchanged. */
function deidentifyModel<M extends ReturnType<typeof buildReportModel>>(
  m: M,
  options: DeidOptions,
): M {
  const masker = new DeidMasker(options)
  return {
    ...m,
    projectName: m.projectName === null ? null : masker.mask(m.projectName),
    dataset: { ...m.dataset, labels: m.dataset.labels.map((l) => masker.mask(l)) },
    intendedUse: m.intendedUse === null ? null : masker.mask(m.intendedUse),
    limitations: m.limitations.map((l) => masker.mask(l)),
  }
}

export interface ReportsServiceOptions {
  /** For the project's name in the report header. */
  store?: Pick<Repositories, 'projects'>
  /** Default: headless Chromium (reports/render-pdf). */
  printPdf?: PdfPrinter
  /** The project's newest finished cross-validation, for the report's section (cv-service). */
  crossValidation?: (projectId: number) => Promise<CvResultDto | null> | CvResultDto | null
  /** The audit log: each report written or downloaded (issue #15 point 4); never text. */
  audit?: AuditTrail
}

export class ReportsService {
  constructor(
    private readonly runs: RunsService,
    private readonly options: ReportsServiceOptions = {},
  ) {}

  /** The report as an HTML string. */
  async html(req: Omit<ReportRequest, 'format' | 'path'>): Promise<string> {
    // A bad pattern fails before the run is read.
    if (req.deidentify) checkDeidOptions(req.deidentify)
    const inputs = await readEvaluationInputs(this.runs, req.runId)
    const { run } = inputs
    const projectName =
      run.projectId !== null && this.options.store
        ? ((await this.options.store.projects.find(run.projectId))?.name ?? null)
        : null
    const crossValidation =
      run.projectId !== null
        ? ((await this.options.crossValidation?.(run.projectId)) ?? null)
        : null
    const model = buildReportModel(
      reportInputFromRun(run, inputs.datasetJson, inputs.predictionsJson, {
        locale: req.locale ?? 'en',
        projectName,
        positiveLabel: positiveIndex(run.labels, req.positiveLabel),
        prevalence: req.prevalence,
        targetSensitivity: req.targetSensitivity,
        crossValidation,
        ...(req.generatedAt ? { generatedAt: req.generatedAt } : {}),
      }),
    )
    return renderReportHtml(req.deidentify ? deidentifyModel(model, req.deidentify) : model)
  }

  async export(req: ReportRequest): Promise<ReportExportDto> {
    const done = await this.write(req)
    const run = await this.runs.get(req.runId)
    await this.options.audit?.record('report', run.projectId, {
      runId: req.runId,
      format: req.format,
      locale: req.locale ?? 'en',
      fileName: done.fileName,
      bytes: done.bytes,
      deidentified: req.deidentify !== undefined,
    })
    return done
  }

  private async write(req: ReportRequest): Promise<ReportExportDto> {
    const html = await this.html(req)
    const fileName = `run-${req.runId}-report${req.locale === 'zh-CN' ? '-zh-CN' : ''}.${req.format}`
    const print = this.options.printPdf ?? ((h: string, out: string) => renderPdf(h, out))
    if (req.path) {
      const path = resolve(req.path)
      if (req.format === 'html') writeFileAtomic(path, html)
      else await print(html, path)
      const bytes = (await readFile(path)).length
      return { path, fileName, bytes }
    }
    if (req.format === 'html') {
      const data = Buffer.from(html, 'utf8')
      return { fileName, contentBase64: data.toString('base64'), bytes: data.length }
    }
    const work = await mkdtemp(join(tmpdir(), 'cts-report-'))
    try {
      const out = await print(html, join(work, fileName))
      const data = await readFile(out)
      return { fileName, contentBase64: data.toString('base64'), bytes: data.length }
    } finally {
      await rm(work, { recursive: true, force: true })
    }
  }

  /** Contract handlers (arguments already validated at dispatch). */
  handlers(): HandlersOf<'reports/export'> {
    return {
      'reports/export': async (a) => this.export(a),
    }
  }
}
