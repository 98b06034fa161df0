// Predictions with a trained run: one text with per-token attributions (answered here, from a
// per-run cached attribution session), a whole file as a 'predict-file' job in the job host, and
// exporting the run's model (folder on disk, or a zip's bytes for the browser build).
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, extname, join } from 'node:path'
import type { HandlersOf } from '../../preload/contract'
import { CtsError } from '../shared'
import type {
  ModelExportDto,
  PredictResults,
  TextPredictionDto,
} from '../../preload/contract/predict'
import type { RunDto } from '../../preload/contract/training'
import type { JobService } from '../jobs/job-service'
import type { PredictFileJobInput } from '../jobs/predict-file-job'
import { loadExplainer, type Explainer } from '../ml/infer/attributions'
import { recordedLicence } from '../ml/models/run-licence'
import { exportModelFolder, type ExportRunInfo } from '../ml/infer/model-export'
import { exportEnsembleFolder } from '../ml/infer/ensemble-export'
import type { Quantization } from '../ml/infer/quantize'
import { labelColumns } from '../ml/infer/ensemble-bundle'
import { ensembleConfig, type EnsembleRunConfig } from './ensemble-runs'
import type { RunsService } from './runs-service'
import type { AuditTrail } from './audit-service'

/** TextPredictionDto.method of an ensemble: it mixes two models' probabilities, no attributions. */
export const ENSEMBLE_METHOD = 'ensemble-no-attributions'

/** Runs whose attribution sessions stay open (a MiniLM one holds ~100 MB). */
const EXPLAINER_CACHE = 2

export type PredictCallName = keyof PredictResults
export type PredictHandlers = HandlersOf<PredictCallName>

/** The folder of a run that finished training; clear errors for unknown or unfinished runs. */
export async function trainedRunDir(runs: RunsService, runId: number): Promise<string> {
  const run = await runs.get(runId)
  if (run.status !== 'success') {
    throw new CtsError(
      'conflict',
      `Run ${runId} has no trained model (its status is ${run.status}).`,
    )
  }
  // On a team workspace the run may come from another computer: its files, checked (#17).
  return runs.localRunDir(runId)
}

/** The model card's facts from a run record. */
export function exportRunInfo(run: RunDto): ExportRunInfo {
  return {
    runId: run.id,
    baseModel: run.baseModel,
    licence: recordedLicence(run.config),
    dataHash: run.dataHash,
    seed: run.seed,
    provider: run.provider,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    // The licence has its own section in the card.
    hyperparameters: Object.fromEntries(
      Object.entries(run.config).filter(([k]) => k !== 'baseModelLicence'),
    ),
    test: run.test,
  }
}

export class PredictionsService {
  private readonly explainers = new Map<number, Promise<Explainer>>()

  constructor(
    private readonly runs: RunsService,
    private readonly jobs: Pick<JobService, 'start'>,
    /** The audit log: file predictions and model exports (issue #15 point 4); never text. */
    private readonly audit?: AuditTrail,
  ) {}

  async predictText(runId: number, text: string): Promise<TextPredictionDto> {
    if (!text.trim()) throw new CtsError('bad-input', 'Type or paste a text to predict.')
    const run = await this.runs.get(runId)
    const ensemble = ensembleConfig(run)
    const prediction = ensemble
      ? await this.predictEnsembleText(runId, ensemble, text)
      : await this.explainText(runId, text)
    // One typed text: counted, never stored.
    await this.audit?.record('predict', run.projectId, { runId, texts: 1, input: 'typed text' })
    return prediction
  }

  private async explainText(runId: number, text: string): Promise<TextPredictionDto> {
    const explainer = await this.explainer(runId)
    const e = await explainer.explain(text)
    return {
      runId,
      label: explainer.labels[e.labelIndex],
      probabilities: explainer.labels.map((label, i) => ({ label, p: e.probabilities[i] })),
      tokens: e.tokens,
      method: e.method,
      truncated: e.truncated,
    }
  }

  /**
   * An ensemble's prediction: its members' probabilities mixed by weight. Token attributions of a
   * mix of two models are not computed (each member's would explain a different score).
   */
  private async predictEnsembleText(
    runId: number,
    ensemble: EnsembleRunConfig,
    text: string,
  ): Promise<TextPredictionDto> {
    await trainedRunDir(this.runs, runId)
    const labels = (await this.runs.get(runId)).labels
    const k = labels.length
    const mixed = new Array<number>(k).fill(0)
    let truncated = false
    for (const m of ensemble.members) {
      const explainer = await this.explainer(m.runId)
      const e = await explainer.explain(text)
      const cols = labelColumns(explainer.labels, labels)
      for (let c = 0; c < k; c++) mixed[c] += m.weight * e.probabilities[cols[c]]
      truncated ||= e.truncated
    }
    const best = mixed.reduce((b, p, c) => (p > mixed[b] ? c : b), 0)
    return {
      runId,
      label: labels[best],
      probabilities: labels.map((label, c) => ({ label, p: mixed[c] })),
      tokens: [],
      method: ENSEMBLE_METHOD,
      truncated,
    }
  }

  /** Starts the 'predict-file' job; its result (PredictFileResultDto) arrives in 'jobs/progress'. */
  async predictFile(args: {
    runId: number
    file: PredictFileJobInput['file']
    textColumn?: string
    format: 'csv' | 'xlsx'
    path?: string
    quantize?: Quantization
  }): Promise<{ jobId: string }> {
    const bundleDir = await trainedRunDir(this.runs, args.runId)
    if ('path' in args.file && !(existsSync(args.file.path) && statSync(args.file.path).isFile())) {
      const must = `must be a file to read texts from; there is no file ${args.file.path}.`
      throw new CtsError('bad-input', `The input file ${must}`, {
        issues: [{ path: ['file'], message: must, fromSchema: false }],
      })
    }
    const source = 'path' in args.file ? basename(args.file.path) : args.file.name
    const stem = basename(source, extname(source)) || 'texts'
    const input: PredictFileJobInput = {
      bundleDir,
      file: args.file,
      textColumn: args.textColumn,
      format: args.format,
      outPath: args.path,
      quantize: args.quantize,
      fileName: args.path
        ? basename(args.path)
        : `${stem}-run${args.runId}-predictions.${args.format}`,
    }
    const run = await this.runs.get(args.runId)
    const { jobId, done } = this.jobs.start('predict-file', input)
    // Recorded when the file is written: how many texts, from which file, into which file.
    void done
      .then(async (final) => {
        if (final.status !== 'success' || !this.audit) return
        await this.audit.record('predict', run.projectId, {
          runId: args.runId,
          texts: final.result.rows,
          skipped: final.result.skipped,
          input: source,
          output: input.fileName,
          format: args.format,
        })
      })
      // Only when the workspace closed under a finishing job (shutdown): nothing left to write to.
      .catch(() => undefined)
    return { jobId }
  }

  /** Export to `path` (a new folder), or, without one, return the export zipped. */
  async exportModel(
    runId: number,
    path?: string,
    quantize?: Quantization,
    triton?: boolean,
  ): Promise<ModelExportDto> {
    const bundleDir = await trainedRunDir(this.runs, runId)
    const run = await this.runs.get(runId)
    const info = exportRunInfo(run)
    const ensemble = ensembleConfig(run)
    if (ensemble && triton)
      throw new CtsError(
        'bad-input',
        `Run ${runId} is an ensemble, whose probabilities are mixed outside one ONNX model; export each member run with the Triton layout instead (${ensemble.members.map((m) => `run ${m.runId}`).join(', ')}).`,
      )
    const members: ExportRunInfo[] = []
    for (const m of ensemble?.members ?? [])
      members.push(exportRunInfo(await this.runs.get(m.runId)))
    // An ensemble: each member's export in its own folder, and how to mix them.
    const write = (out: string) =>
      ensemble
        ? exportEnsembleFolder(bundleDir, out, info, members)
        : exportModelFolder(bundleDir, out, info, { quantize, triton })
    const audited = (fileName: string, files: string[]) =>
      this.audit?.record('model.export', run.projectId, {
        runId,
        model: run.baseModel,
        modelKind: run.modelKind,
        fileName,
        files: files.length,
      })
    if (path) {
      const files = write(path)
      await audited(basename(path), files)
      return { runId, path, files, fileName: basename(path) }
    }
    const temp = mkdtempSync(join(tmpdir(), 'cts-export-'))
    try {
      const folder = join(temp, `run-${runId}-model`)
      const files = write(folder)
      const { default: JSZip } = await import('jszip')
      const zip = new JSZip()
      for (const f of files) zip.file(`run-${runId}-model/${f}`, readFileSync(join(folder, f)))
      const bytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' })
      await audited(`run-${runId}-model.zip`, files)
      return {
        runId,
        files,
        fileName: `run-${runId}-model.zip`,
        contentBase64: bytes.toString('base64'),
      }
    } finally {
      rmSync(temp, { recursive: true, force: true })
    }
  }

  /** Contract handlers (arguments already validated at dispatch). */
  handlers(): PredictHandlers {
    return {
      'predict/text': async ({ runId, text }) => this.predictText(runId, text),
      'predict/file': async (a) => this.predictFile(a),
      'runs/exportModel': async ({ runId, path, quantize, triton }) => {
        return this.exportModel(runId, path, quantize, triton)
      },
    }
  }

  /** Closes every cached attribution session. */
  async dispose(): Promise<void> {
    const open = [...this.explainers.values()]
    this.explainers.clear()
    await Promise.all(open.map((p) => p.then((e) => e.release()).catch(() => undefined)))
  }

  private explainer(runId: number): Promise<Explainer> {
    const cached = this.explainers.get(runId)
    if (cached) {
      // Most recently used last.
      this.explainers.delete(runId)
      this.explainers.set(runId, cached)
      return cached
    }
    const loading = trainedRunDir(this.runs, runId)
      .then((dir) => loadExplainer(dir))
      .catch((err: unknown) => {
        this.explainers.delete(runId)
        if (err instanceof CtsError) throw err
        // The loader's messages name files and formats, never texts.
        throw new CtsError(
          'unsupported',
          `The model of run ${runId} cannot be explained: ${(err as Error).message}`,
        )
      })
    this.explainers.set(runId, loading)
    while (this.explainers.size > EXPLAINER_CACHE) {
      const [oldest, p] = this.explainers.entries().next().value as [number, Promise<Explainer>]
      this.explainers.delete(oldest)
      void p.then((e) => e.release()).catch(() => undefined)
    }
    return loading
  }
}
