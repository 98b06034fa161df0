// Runs: one row per training run (config, labels, data hash, seed, provider, status, timings,
// metrics) plus per-epoch rows; artifacts in <home>/runs/<id>/, written atomically, never overwritten.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { Database } from 'better-sqlite3'
import { CtsError } from '../../preload/contract/common'
import type {
  EvaluationDto,
  MetricsRowDto,
  ModelKind,
  RunComparisonDto,
  RunDto,
  RunEpochDto,
  RunStatus,
} from '../../preload/contract/training'
import { writeNewFileAtomic } from '../ml/train/atomic-file'
import { writeAudit } from '../store/audit'

/** Run-folder artifact: texts per label and split, duplicates removed (no text). */
export const DATASET_SUMMARY_ARTIFACT = 'dataset-summary.json'

/** Run-folder artifact: the train job's input, with the exact texts of each split (resume, audit). */
export const DATASET_ARTIFACT = 'dataset.json'

export interface NewRun {
  projectId?: number | null
  /** The study this run is a candidate of (schema 4). */
  studyId?: number
  modelKind: ModelKind
  baseModel: string
  labels: string[]
  config: Record<string, unknown>
  dataHash: string
  seed: number
}

export interface RunOutcome {
  status: Exclude<RunStatus, 'running'>
  provider?: string | null
  error?: { code: string; message: string } | null
  trainSeconds?: number | null
  evalSeconds?: number | null
  test?: EvaluationDto | null
  /** From the train job's result (1-based epoch kept; whether early stopping ended it). */
  bestEpoch?: number | null
  stoppedEarly?: boolean | null
}

interface RunRow {
  id: number
  project_id: number | null
  model_kind: ModelKind
  base_model: string
  config_json: string
  labels_json: string
  data_hash: string
  seed: number
  provider: string | null
  status: RunStatus
  error_json: string | null
  created_at: string
  finished_at: string | null
  train_seconds: number | null
  eval_seconds: number | null
  metrics_json: string | null
  study_id?: number | null
  best_epoch: number | null
  stopped_early: number | null
}

export class RunsService {
  constructor(
    private readonly db: Database,
    private readonly runsDir: string,
  ) {}

  /** Record a new run (status 'running') and create its artifact folder. */
  create(run: NewRun): number {
    // study_id only when given: a workspace opened at an older schema (tests) has no such column.
    const study = run.studyId !== undefined ? ['study_id, ', '?, ', [run.studyId]] : ['', '', []]
    const info = this.db
      .prepare(
        `INSERT INTO runs (${study[0]}project_id, model_kind, base_model, config_json, labels_json,
           data_hash, seed, status, created_at) VALUES (${study[1]}?, ?, ?, ?, ?, ?, ?, 'running', ?)`,
      )
      .run(
        ...(study[2] as number[]),
        run.projectId ?? null,
        run.modelKind,
        run.baseModel,
        JSON.stringify(run.config),
        JSON.stringify(run.labels),
        run.dataHash,
        run.seed,
        new Date().toISOString(),
      )
    const id = Number(info.lastInsertRowid)
    const dir = this.runDir(id)
    // A folder left by a deleted database must not be reused: runs are never overwritten.
    if (existsSync(dir)) {
      throw new CtsError(
        'conflict',
        `The run folder ${dir} already exists; it was not overwritten.`,
      )
    }
    mkdirSync(dir, { recursive: true })
    return id
  }

  /**
   * A study's winner is scored on test after it finished (its candidates never are): record that
   * score, once.
   */
  setTest(runId: number, test: EvaluationDto, evalSeconds: number): void {
    const changed = this.db
      .prepare(
        `UPDATE runs SET metrics_json = ?, eval_seconds = COALESCE(eval_seconds, 0) + ?
           WHERE id = ? AND status = 'success' AND metrics_json IS NULL`,
      )
      .run(JSON.stringify(test), evalSeconds, runId).changes
    if (changed === 0)
      throw new CtsError('conflict', `Run ${runId} already has a test score (or did not finish).`)
  }

  runDir(runId: number): string {
    return join(this.runsDir, String(runId))
  }

  addEpoch(runId: number, e: RunEpochDto): void {
    this.db
      .prepare(
        `INSERT INTO run_epochs (run_id, epoch, train_loss, dev_macro_f1, dev_accuracy, dev_json,
           learning_rate, seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        runId,
        e.epoch,
        e.train_loss,
        e.dev?.macro_f1 ?? null,
        e.dev?.accuracy ?? null,
        e.dev ? JSON.stringify(e.dev) : null,
        e.learning_rate,
        e.seconds,
      )
  }

  finish(runId: number, o: RunOutcome): void {
    const changed = this.db
      .prepare(
        `UPDATE runs SET status = ?, provider = COALESCE(?, provider), error_json = ?, finished_at = ?,
           train_seconds = ?, eval_seconds = ?, metrics_json = ?, best_epoch = ?, stopped_early = ?
           WHERE id = ? AND status = 'running'`,
      )
      .run(
        o.status,
        o.provider ?? null,
        o.error ? JSON.stringify(o.error) : null,
        new Date().toISOString(),
        o.trainSeconds ?? null,
        o.evalSeconds ?? null,
        o.test ? JSON.stringify(o.test) : null,
        o.bestEpoch ?? null,
        o.stoppedEarly === undefined || o.stoppedEarly === null ? null : Number(o.stoppedEarly),
        runId,
      ).changes
    if (changed === 0)
      throw new CtsError(
        'conflict',
        `Run ${runId} is not running; its outcome is already recorded.`,
      )
  }

  /** Back to 'running' for a resume after a crash. */
  reopen(runId: number): void {
    this.db
      .prepare(
        `UPDATE runs SET status = 'running', error_json = NULL, finished_at = NULL, best_epoch = NULL,
           stopped_early = NULL WHERE id = ?`,
      )
      .run(runId)
  }

  get(runId: number): RunDto {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(runId) as RunRow | undefined
    if (!row) throw new CtsError('not-found', `Run ${runId} does not exist in this workspace.`)
    return this.toDto(row)
  }

  list(projectId?: number): RunDto[] {
    const rows = (
      projectId === undefined
        ? this.db.prepare('SELECT * FROM runs ORDER BY id').all()
        : this.db.prepare('SELECT * FROM runs WHERE project_id = ? ORDER BY id').all(projectId)
    ) as RunRow[]
    return rows.map((r) => this.toDto(r))
  }

  /** Write an artifact atomically; an existing artifact is never replaced. */
  writeArtifact(runId: number, name: string, data: Uint8Array | string): string {
    if (basename(name) !== name)
      throw new CtsError('bad-input', `Artifact name ${name} must be a plain file name.`)
    const path = join(this.runDir(runId), name)
    if (existsSync(path))
      throw new CtsError('conflict', `Run ${runId} already has ${name}; it was not overwritten.`)
    writeNewFileAtomic(path, data)
    return path
  }

  readArtifact(runId: number, name: string): Buffer {
    const path = join(this.runDir(runId), name)
    if (!existsSync(path)) throw new CtsError('not-found', `Run ${runId} has no ${name}.`)
    return readFileSync(path)
  }

  /**
   * Test metrics of two or more runs side by side, and each run's differences to the first.
   * Runs must share one label set (in any order) and have finished with test metrics.
   */
  compare(runIds: number[]): RunComparisonDto {
    if (new Set(runIds).size !== runIds.length)
      throw new CtsError('bad-input', 'Choose different runs to compare: a run was listed twice.')
    const runs = runIds.map((id) => this.get(id))
    const labels = runs[0].labels
    for (const r of runs) {
      const same = r.labels.length === labels.length && r.labels.every((l) => labels.includes(l))
      if (!same) {
        throw new CtsError(
          'bad-input',
          `Runs ${runs[0].id} and ${r.id} have different labels (${labels.join(', ')} vs ` +
            `${r.labels.join(', ')}); only runs with the same labels can be compared.`,
        )
      }
      if (!r.test) {
        throw new CtsError(
          'bad-input',
          `Run ${r.id} has no test metrics (it ended: ${r.status}); compare finished runs only.`,
        )
      }
    }
    const metrics: MetricsRowDto[] = runs.map((r) => ({
      runId: r.id,
      accuracy: r.test!.accuracy,
      macro_f1: r.test!.macro_f1,
      weighted_f1: r.test!.weighted_f1,
      per_class_f1: Object.fromEntries(labels.map((l) => [l, r.test!.per_class[l]?.f1 ?? 0])),
    }))
    const base = metrics[0]
    const differences = metrics.map((m) => ({
      runId: m.runId,
      accuracy: m.accuracy - base.accuracy,
      macro_f1: m.macro_f1 - base.macro_f1,
      weighted_f1: m.weighted_f1 - base.weighted_f1,
      per_class_f1: Object.fromEntries(
        labels.map((l) => [l, m.per_class_f1[l] - base.per_class_f1[l]]),
      ),
    }))
    const sameData = runs.every((r) => r.dataHash === runs[0].dataHash)
    return { labels, runs, metrics, differences, sameData }
  }

  /** Delete a run's record, epochs and folder; the audit log keeps who deleted what, when. */
  delete(runId: number, actor: string): { deleted: number } {
    const run = this.get(runId)
    // An ensemble predicts with its members' models: they go only after the ensemble.
    const users = (
      this.db
        .prepare("SELECT id, config_json FROM runs WHERE model_kind = 'ensemble' ORDER BY id")
        .all() as { id: number; config_json: string }[]
    ).filter((r) =>
      (
        JSON.parse(r.config_json) as { ensemble?: { members?: { runId: number }[] } }
      ).ensemble?.members?.some((m) => m.runId === runId),
    )
    if (users.length > 0) {
      const ids = users.map((u) => u.id).join(', ')
      const runsOf = users.length === 1 ? `run ${ids}` : `runs ${ids}`
      throw new CtsError(
        'conflict',
        `Run ${runId} is a member of ensemble ${runsOf}, which ${users.length === 1 ? 'predicts' : 'predict'} with its model; delete ${runsOf} first.`,
      )
    }
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM run_epochs WHERE run_id = ?').run(runId)
      this.db.prepare('DELETE FROM runs WHERE id = ?').run(runId)
      writeAudit(this.db, actor, 'run.delete', run.projectId, {
        runId,
        baseModel: run.baseModel,
        status: run.status,
        dataHash: run.dataHash,
      })
    })()
    rmSync(this.runDir(runId), { recursive: true, force: true })
    return { deleted: runId }
  }

  private toDto(r: RunRow): RunDto {
    const epochs = (
      this.db.prepare('SELECT * FROM run_epochs WHERE run_id = ? ORDER BY epoch').all(r.id) as {
        epoch: number
        train_loss: number
        dev_json: string | null
        learning_rate: number | null
        seconds: number
      }[]
    ).map((e) => ({
      epoch: e.epoch,
      train_loss: e.train_loss,
      learning_rate: e.learning_rate ?? 0,
      seconds: e.seconds,
      ...(e.dev_json ? { dev: JSON.parse(e.dev_json) as EvaluationDto } : {}),
    }))
    return {
      id: r.id,
      projectId: r.project_id,
      modelKind: r.model_kind,
      baseModel: r.base_model,
      labels: JSON.parse(r.labels_json) as string[],
      config: JSON.parse(r.config_json) as Record<string, unknown>,
      dataHash: r.data_hash,
      seed: r.seed,
      provider: r.provider,
      status: r.status,
      error: r.error_json ? (JSON.parse(r.error_json) as { code: string; message: string }) : null,
      createdAt: r.created_at,
      finishedAt: r.finished_at,
      trainSeconds: r.train_seconds,
      evalSeconds: r.eval_seconds,
      test: r.metrics_json ? (JSON.parse(r.metrics_json) as EvaluationDto) : null,
      epochs,
      bestEpoch: r.best_epoch,
      stoppedEarly: r.stopped_early === null ? null : r.stopped_early === 1,
      ...(r.study_id ? { studyId: r.study_id } : {}),
    }
  }
}
