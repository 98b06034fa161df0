// The model in the loop (issue #11): counts label writes, retrains the TF-IDF baseline in a
// 'loop-train' job once enough new labels arrived (debounced, one job at a time, cancellable),
// stores its suggestions apart from the labels, and estimates its quality on the audit sample only.
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { CtsError } from '../shared'
import type { HandlersOf, ValidArgs } from '../../preload/contract'
import type {
  AuditEstimateDto,
  LoopModelDto,
  LoopStatusDto,
  SuggestionDto,
} from '../../preload/contract/loop'
import type { JobService } from '../jobs/job-service'
import type { LoopTrainJobInput } from '../jobs/loop-train-job'
import { pickRandom } from '../ml/active/strategies'
import { BASELINE_DEFAULTS } from '../ml/train/defaults'
import type { LoopModelRow, LoopSettingsRow } from '../store/loop-repository'
import type { Repositories } from '../store/repositories'
import { requireLeadHere } from './annotators-service'
import { auditEstimate } from './loop-estimate'
import type { ProjectsService } from './projects-service'

/** A project that never changed its loop settings has these. */
export const LOOP_DEFAULTS: Readonly<LoopSettingsRow> = {
  enabled: true,
  threshold: 10,
  showSuggestions: true,
  auditRate: 0.1,
  mixEvery: 10,
}

export const LOOP_MODEL_NAME = 'in-loop baseline'

export interface LoopOptions {
  /** Quiet time after a label before a due retrain starts (default 2 s). */
  debounceMs?: number
  /** Longest a due retrain waits for labelling to pause (default 10 s). */
  maxWaitMs?: number
  /** Distinct n-grams read per text (default: the baseline's training default). */
  maxFeatures?: number
}

export type LoopCallName = 'loop/status' | 'loop/settings' | 'loop/suggestion' | 'loop/retrain'

/** The latest in-loop model's probabilities (class order = labelIds), for the queue's orders. */
export interface LoopProbabilities {
  model: LoopModelDto
  labelIds: number[]
  rows: Map<number, Float64Array>
}

interface RunningRetrain {
  projectId: number
  /** Null while the job is being prepared (snapshot read, not yet started). */
  jobId: string | null
}

const modelDto = (m: LoopModelRow): LoopModelDto => ({
  name: m.name,
  trainedOnLabels: m.trainedOnLabels,
  trainedAt: m.completedAt ?? m.createdAt,
})

/** loop/status where the model in the loop is off for this session (see offHere): nothing of it. */
const offStatus = (projectId: number, s: LoopSettingsRow): LoopStatusDto => ({
  projectId,
  enabled: false,
  threshold: s.threshold,
  showSuggestions: s.showSuggestions,
  auditRate: s.auditRate,
  mixEvery: s.mixEvery,
  training: false,
  jobId: null,
  model: null,
  newLabelsSinceModel: 0,
  audit: { sampleSize: 0, labelled: 0, estimate: null },
  suggestionAgreement: { compared: 0, equal: 0 },
})

/** The audit draw's seed: per project, and per draw (later imports get their own). */
const auditSeed = (projectId: number, drawnThrough: number) =>
  (Math.imul(projectId, 0x9e3779b1) ^ drawnThrough) >>> 0

export class LoopService {
  private readonly debounceMs: number
  private readonly maxWaitMs: number
  private readonly maxFeatures: number
  private readonly timers = new Map<
    number,
    { first: number; timer: ReturnType<typeof setTimeout> }
  >()
  /** Projects that got labels while a retrain ran: checked again when it ends. */
  private readonly due = new Set<number>()
  private readonly pending = new Set<Promise<unknown>>()
  private running: RunningRetrain | null = null
  private readonly estimates = new Map<number, { key: string; value: AuditEstimateDto | null }>()
  private closed = false

  constructor(
    private readonly repos: Pick<Repositories, 'loop' | 'texts' | 'projects' | 'annotators'>,
    private readonly projects: ProjectsService,
    private readonly jobs: Pick<JobService, 'start'>,
    private readonly workDir: string,
    options: LoopOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? 2000
    this.maxWaitMs = options.maxWaitMs ?? 10_000
    this.maxFeatures = options.maxFeatures ?? BASELINE_DEFAULTS.maxLength
  }

  /**
   * Called after every label write (LabelsService's hook). Never waits and never throws: the
   * count check runs after a quiet `debounceMs` (at most `maxWaitMs` after the first label).
   */
  labelled(projectId: number): void {
    if (this.closed) return
    const now = Date.now()
    const t = this.timers.get(projectId)
    if (t) clearTimeout(t.timer)
    const first = t?.first ?? now
    const wait = Math.max(0, Math.min(this.debounceMs, first + this.maxWaitMs - now))
    const timer = setTimeout(() => {
      this.timers.delete(projectId)
      this.track(this.check(projectId))
    }, wait)
    timer.unref?.()
    this.timers.set(projectId, { first, timer })
  }

  async settings(projectId: number): Promise<LoopSettingsRow> {
    const stored = (await this.repos.loop.settings(projectId)) ?? { ...LOOP_DEFAULTS }
    // An annotator's session never trains, draws the audit sample or shows suggestions (offHere).
    return (await this.offHere()) ? { ...stored, enabled: false } : stored
  }

  /**
   * True in an annotator's session of a team workspace: the model in the loop is the leads' (it
   * trains on every annotator's labels, writes the shared audit sample and records what it
   * showed), so here it stays off — no retrain, no audit texts, no suggestions, no model order.
   */
  async offHere(): Promise<boolean> {
    return (await this.repos.annotators.loginIdentity()) !== null
  }

  /** The audit sample's text ids (drawn first if texts arrived since the last draw). */
  async auditTextIds(projectId: number): Promise<number[]> {
    await this.ensureAudit(projectId)
    return this.repos.loop.auditTextIds(projectId)
  }

  async status(projectId: number): Promise<LoopStatusDto> {
    await this.projects.require(projectId)
    const s = await this.settings(projectId)
    if (await this.offHere()) return offStatus(projectId, s)
    if (s.enabled) await this.ensureAudit(projectId)
    const model = await this.repos.loop.latestModel(projectId)
    const counts = await this.repos.loop.auditCounts(projectId)
    const running = this.running?.projectId === projectId ? this.running : null
    return {
      projectId,
      enabled: s.enabled,
      threshold: s.threshold,
      showSuggestions: s.showSuggestions,
      auditRate: s.auditRate,
      mixEvery: s.mixEvery,
      training: running !== null,
      jobId: running?.jobId ?? null,
      model: model ? modelDto(model) : null,
      newLabelsSinceModel: await this.repos.loop.newLabelsSince(projectId, model?.historyId ?? 0),
      audit: { ...counts, estimate: model ? await this.estimate(projectId, model) : null },
      suggestionAgreement: await this.repos.loop.agreement(projectId),
    }
  }

  async updateSettings(args: ValidArgs<'loop/settings'>): Promise<LoopStatusDto> {
    const { projectId, ...patch } = args
    await this.projects.require(projectId)
    await this.refuseHere()
    const current = await this.settings(projectId)
    // A lower audit rate applies to texts drawn from later: texts already in the sample stay
    // there (and out of training), so the estimate never mixes trained-on texts in.
    const next: LoopSettingsRow = {
      enabled: patch.enabled ?? current.enabled,
      threshold: patch.threshold ?? current.threshold,
      showSuggestions: patch.showSuggestions ?? current.showSuggestions,
      auditRate: patch.auditRate ?? current.auditRate,
      mixEvery: patch.mixEvery ?? current.mixEvery,
    }
    await this.repos.loop.saveSettings(projectId, next)
    // A lower threshold (or turning the loop on) may make a retrain due now.
    if (next.enabled) this.labelled(projectId)
    return this.status(projectId)
  }

  /**
   * The latest suggestion for a text, recorded as shown when the text has no label yet. Null when
   * the project hides suggestions, for audit texts (a suggestion would anchor the label the
   * estimate is measured against), or when no model has scored the text.
   */
  async suggestion(textId: number): Promise<SuggestionDto | null> {
    const projectId = await this.repos.texts.projectOf(textId)
    if (projectId === undefined) throw new CtsError('not-found', `Text ${textId} does not exist.`)
    const s = await this.settings(projectId)
    if (!s.enabled || !s.showSuggestions) return null
    if (await this.repos.loop.isAudit(textId)) return null
    const stored = await this.repos.loop.suggestion(textId)
    if (!stored) return null
    const model = await this.repos.loop.model(stored.modelId)
    if (!model) return null
    // Every label of the project: one added after the model was trained gets probability 0.
    const known = new Set(stored.labels.map((l) => l.labelId))
    const added = (await this.repos.projects.labels(projectId))
      .filter((l) => !known.has(l.id))
      .map((l) => ({ labelId: l.id, probability: 0 }))
    const labels = [...stored.labels, ...added]
    await this.repos.loop.recordShown({
      projectId,
      textId,
      modelId: model.id,
      labelId: labels[0].labelId,
      probability: labels[0].probability,
    })
    return { textId, labels, model: modelDto(model) }
  }

  /** Starts a retrain now, whatever the count; null when one is already running. */
  async retrain(projectId: number): Promise<{ jobId: string | null }> {
    await this.projects.require(projectId)
    await this.refuseHere()
    const jobId = await this.start(projectId, true)
    return { jobId }
  }

  async probabilities(projectId: number): Promise<LoopProbabilities | null> {
    if (await this.offHere()) return null
    const model = await this.repos.loop.latestModel(projectId)
    if (!model) return null
    const rows = new Map<number, Float64Array>()
    const column = new Map(model.labelIds.map((id, c) => [id, c]))
    for (const s of await this.repos.loop.suggestionsOf(model.id)) {
      const p = new Float64Array(model.labelIds.length)
      for (const l of s.labels) {
        const c = column.get(l.labelId)
        if (c !== undefined) p[c] = l.probability
      }
      rows.set(s.textId, p)
    }
    return { model: modelDto(model), labelIds: model.labelIds, rows }
  }

  handlers(): HandlersOf<LoopCallName> {
    return {
      'loop/status': async ({ projectId }) => this.status(projectId),
      'loop/settings': async (a) => this.updateSettings(a),
      'loop/suggestion': async ({ textId }) => this.suggestion(textId),
      'loop/retrain': async ({ projectId }) => this.retrain(projectId),
    }
  }

  /** Resolves once no check is scheduled, no retrain runs and its suggestions are stored. */
  async idle(): Promise<void> {
    while (this.timers.size > 0 || this.pending.size > 0 || this.running) {
      await Promise.allSettled([...this.pending])
      if (this.timers.size > 0 || (this.running && this.pending.size === 0))
        await new Promise((r) => setTimeout(r, 5))
    }
  }

  /** Stops scheduling (shutdown); the job service stops a running job. */
  dispose(): void {
    this.closed = true
    for (const t of this.timers.values()) clearTimeout(t.timer)
    this.timers.clear()
  }

  /** Changing or retraining the leads' model is refused in an annotator's session. */
  private async refuseHere(): Promise<void> {
    await requireLeadHere(
      this.repos,
      'the model in the loop is set up and retrained by the team’s leads',
    )
  }

  private track(p: Promise<unknown>): void {
    // Background work must never surface as an unhandled rejection (the workspace may close).
    const safe = p.catch(() => {})
    this.pending.add(safe)
    void safe.finally(() => this.pending.delete(safe))
  }

  private async ensureAudit(projectId: number): Promise<void> {
    const { auditRate } = await this.settings(projectId)
    await this.repos.loop.drawAudit(projectId, LOOP_DEFAULTS, (candidates, through) => {
      const k = Math.round(auditRate * candidates.length)
      return pickRandom(candidates.length, k, auditSeed(projectId, through))
        .map((i) => candidates[i])
        .sort((a, b) => a - b)
    })
  }

  /** Starts a retrain when the project has at least `threshold` new labels since its model. */
  private async check(projectId: number): Promise<void> {
    if (this.closed) return
    const s = await this.settings(projectId)
    if (!s.enabled) return
    if (this.running) {
      this.due.add(projectId)
      return
    }
    const model = await this.repos.loop.latestModel(projectId)
    const fresh = await this.repos.loop.newLabelsSince(projectId, model?.historyId ?? 0)
    if (fresh >= s.threshold) await this.start(projectId, false)
  }

  /** Prepares and starts one retrain; null when one is running (or nothing to train on, automatic). */
  private async start(projectId: number, manual: boolean): Promise<string | null> {
    if (this.running) {
      if (!manual) this.due.add(projectId)
      return null
    }
    const running: RunningRetrain = { projectId, jobId: null }
    this.running = running
    try {
      await this.ensureAudit(projectId)
      const snap = await this.repos.loop.trainingSnapshot(projectId)
      const column = new Map(snap.labelIds.map((id, c) => [id, c]))
      if (snap.train.length === 0 || snap.labelIds.length < 2) {
        if (!manual) {
          this.running = null
          return null
        }
        throw new CtsError(
          'bad-input',
          snap.labelIds.length < 2
            ? 'The model needs at least two labels in the project’s label set: add a label first.'
            : 'There is nothing to train on yet: label some texts outside the audit sample first.',
        )
      }
      mkdirSync(this.workDir, { recursive: true })
      const input: LoopTrainJobInput = {
        numClasses: snap.labelIds.length,
        train: {
          texts: snap.train.map((r) => r.text),
          labels: snap.train.map((r) => column.get(r.labelId)!),
        },
        score: { texts: snap.score.map((r) => r.text) },
        maxFeatures: this.maxFeatures,
        seed: 42,
        probabilitiesFile: join(this.workDir, `${randomUUID()}.f32`),
      }
      const job = this.jobs.start('loop-train', input)
      running.jobId = job.jobId
      const meta = {
        projectId,
        historyId: snap.historyId,
        labelIds: snap.labelIds,
        textIds: snap.score.map((r) => r.textId),
        file: input.probabilitiesFile,
      }
      this.track(
        job.done.then(async (final) => {
          try {
            if (final.status === 'success') await this.store(meta, final.result)
          } finally {
            rmSync(meta.file, { force: true })
            this.running = null
            if (final.status === 'cancelled') this.due.delete(projectId)
            this.afterRetrain()
          }
        }),
      )
      return job.jobId
    } catch (e) {
      this.running = null
      throw e
    }
  }

  /** The next due project's check, now that the one job slot is free. */
  private afterRetrain(): void {
    if (this.closed) return
    const next = [...this.due]
    this.due.clear()
    for (const projectId of next) this.track(this.check(projectId))
  }

  /** Records the model and its suggestions (chunked writes), then makes it the latest. */
  private async store(
    meta: {
      projectId: number
      historyId: number
      labelIds: number[]
      textIds: number[]
      file: string
    },
    result: { trainedOn: number; numClasses: number; trainSeconds: number; scored: number },
  ): Promise<void> {
    const k = result.numClasses
    const bytes = readFileSync(meta.file)
    const probs = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
    if (probs.length !== meta.textIds.length * k) {
      throw new CtsError('internal', 'The in-loop model returned probabilities of the wrong size.')
    }
    const modelId = await this.repos.loop.addModel({
      projectId: meta.projectId,
      name: LOOP_MODEL_NAME,
      trainedOnLabels: result.trainedOn,
      historyId: meta.historyId,
      labelIds: meta.labelIds,
      trainSeconds: result.trainSeconds,
    })
    const rows = meta.textIds.map((textId, i) => ({
      textId,
      labels: meta.labelIds
        .map((labelId, c) => ({ labelId, probability: round6(probs[i * k + c]) }))
        .sort((a, b) => b.probability - a.probability || a.labelId - b.labelId),
    }))
    await this.repos.loop.writeSuggestions(meta.projectId, modelId, rows)
    await this.repos.loop.completeModel(modelId)
  }

  /** The audit estimate, recomputed only when the model or an audit label changed (status polls). */
  private async estimate(projectId: number, model: LoopModelRow) {
    const pairs = await this.repos.loop.auditPairs(projectId, model.id)
    const key = `${model.id}:${pairs.map((p) => `${p.textId}=${p.labelId}`).join(',')}`
    const cached = this.estimates.get(projectId)
    if (cached?.key === key) return cached.value
    const value = auditEstimate(
      pairs.map((p) => p.labelId),
      pairs.map((p) => p.labels[0].labelId),
    )
    this.estimates.set(projectId, { key, value })
    return value
  }
}

/** Probabilities are float32 from the job: six decimals keep what they carry, and the JSON short. */
const round6 = (x: number) => Math.round(x * 1e6) / 1e6
