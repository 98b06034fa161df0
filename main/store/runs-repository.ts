// Training runs and their epochs behind an asynchronous interface (the services await it), and
// its SQLite implementation (synchronous inside; a server database would be a second one).
import type { Database } from 'better-sqlite3'
import type { LabelProvenanceDto } from '../../preload/contract/agreement'
import type {
  EvaluationDto,
  ModelKind,
  RunDto,
  RunEpochDto,
  RunLabelSnapshotDto,
  RunStatus,
} from '../../preload/contract/training'
import { writeAudit } from './audit'

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
  /** Labels' provenance when the data was snapshotted (project runs); null or absent otherwise. */
  labelProvenance?: LabelProvenanceDto | null
  /** Where in the project's label history the data was read (project runs); absent otherwise. */
  labelSnapshot?: RunLabelSnapshotDto | null
}

/**
 * The key under which config_json keeps a run's label provenance: the run's recorded JSON holds it
 * without a schema change, and toDto lifts it out so `config` stays the training settings.
 */
export const LABEL_PROVENANCE_KEY = 'labelProvenance'

/** The key under which config_json keeps the run's label snapshot (lifted out like provenance). */
export const LABEL_SNAPSHOT_KEY = 'labelSnapshot'

/** config_json as stored: the training settings, with provenance and snapshot under their keys. */
export function runConfigJson(run: NewRun): string {
  return JSON.stringify({
    ...run.config,
    ...(run.labelProvenance ? { [LABEL_PROVENANCE_KEY]: run.labelProvenance } : {}),
    ...(run.labelSnapshot ? { [LABEL_SNAPSHOT_KEY]: run.labelSnapshot } : {}),
  })
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

/** What the audit log keeps of a deleted run (written with the deletion, atomically). */
export interface RunDeletion {
  actor: string
  projectId: number | null
  details: Record<string, unknown>
}

export interface RunsRepository {
  /** Records a new run (status 'running') and returns its id. */
  create(run: NewRun): Promise<number>
  /** False when the run is not a finished success without test metrics (nothing written). */
  setTest(runId: number, test: EvaluationDto, evalSeconds: number): Promise<boolean>
  addEpoch(runId: number, epoch: RunEpochDto): Promise<void>
  /** False when the run is not running (its outcome is already recorded; nothing written). */
  finish(runId: number, outcome: RunOutcome): Promise<boolean>
  /** Back to 'running' (a resume after a crash). */
  reopen(runId: number): Promise<void>
  /** The run with its epochs, or undefined when there is no such run. */
  get(runId: number): Promise<RunDto | undefined>
  /** All runs (or one project's), oldest first. */
  list(projectId?: number): Promise<RunDto[]>
  /** Every ensemble run's id and config, oldest first. */
  ensembleConfigs(): Promise<{ id: number; config: Record<string, unknown> }[]>
  /** Deletes the run and its epochs and appends the audit entry, in one transaction. */
  delete(runId: number, audit: RunDeletion): Promise<void>
}

export interface RunRow {
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

export interface EpochRow {
  epoch: number
  train_loss: number
  dev_json: string | null
  learning_rate: number | null
  seconds: number
}

/** A new run's values: project_id, model_kind … seed, created_at (status is 'running'). */
export function newRunValues(run: NewRun): unknown[] {
  return [
    run.projectId ?? null,
    run.modelKind,
    run.baseModel,
    runConfigJson(run),
    JSON.stringify(run.labels),
    run.dataHash,
    run.seed,
    new Date().toISOString(),
  ]
}

/** run_epochs' values in column order (run_id, epoch, … seconds), on either backend. */
export function epochValues(runId: number, e: RunEpochDto): unknown[] {
  return [
    runId,
    e.epoch,
    e.train_loss,
    e.dev?.macro_f1 ?? null,
    e.dev?.accuracy ?? null,
    e.dev ? JSON.stringify(e.dev) : null,
    e.learning_rate,
    e.seconds,
  ]
}

/** A finished run's values: status, provider, error … stopped_early, then the run id. */
export function finishValues(runId: number, o: RunOutcome): unknown[] {
  return [
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
  ]
}

export function ensembleConfigOf(r: { id: number; config_json: string }): {
  id: number
  config: Record<string, unknown>
} {
  return { id: r.id, config: JSON.parse(r.config_json) as Record<string, unknown> }
}

export class SqliteRunsRepository implements RunsRepository {
  constructor(private readonly db: Database) {}

  async create(run: NewRun): Promise<number> {
    // study_id only when given: a workspace opened at an older schema (tests) has no such column.
    const study = run.studyId !== undefined ? ['study_id, ', '?, ', [run.studyId]] : ['', '', []]
    const info = this.db
      .prepare(
        `INSERT INTO runs (${study[0]}project_id, model_kind, base_model, config_json, labels_json,
           data_hash, seed, status, created_at) VALUES (${study[1]}?, ?, ?, ?, ?, ?, ?, 'running', ?)`,
      )
      .run(...(study[2] as number[]), ...newRunValues(run))
    return Number(info.lastInsertRowid)
  }

  async setTest(runId: number, test: EvaluationDto, evalSeconds: number): Promise<boolean> {
    const changed = this.db
      .prepare(
        `UPDATE runs SET metrics_json = ?, eval_seconds = COALESCE(eval_seconds, 0) + ?
           WHERE id = ? AND status = 'success' AND metrics_json IS NULL`,
      )
      .run(JSON.stringify(test), evalSeconds, runId).changes
    return changed > 0
  }

  async addEpoch(runId: number, e: RunEpochDto): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO run_epochs (run_id, epoch, train_loss, dev_macro_f1, dev_accuracy, dev_json,
           learning_rate, seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(...epochValues(runId, e))
  }

  async finish(runId: number, o: RunOutcome): Promise<boolean> {
    const changed = this.db
      .prepare(
        `UPDATE runs SET status = ?, provider = COALESCE(?, provider), error_json = ?, finished_at = ?,
           train_seconds = ?, eval_seconds = ?, metrics_json = ?, best_epoch = ?, stopped_early = ?
           WHERE id = ? AND status = 'running'`,
      )
      .run(...finishValues(runId, o)).changes
    return changed > 0
  }

  async reopen(runId: number): Promise<void> {
    this.db
      .prepare(
        `UPDATE runs SET status = 'running', error_json = NULL, finished_at = NULL, best_epoch = NULL,
           stopped_early = NULL WHERE id = ?`,
      )
      .run(runId)
  }

  async get(runId: number): Promise<RunDto | undefined> {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(runId) as RunRow | undefined
    return row ? this.toDto(row) : undefined
  }

  async list(projectId?: number): Promise<RunDto[]> {
    const rows = (
      projectId === undefined
        ? this.db.prepare('SELECT * FROM runs ORDER BY id').all()
        : this.db.prepare('SELECT * FROM runs WHERE project_id = ? ORDER BY id').all(projectId)
    ) as RunRow[]
    return rows.map((r) => this.toDto(r))
  }

  async ensembleConfigs(): Promise<{ id: number; config: Record<string, unknown> }[]> {
    return (
      this.db
        .prepare("SELECT id, config_json FROM runs WHERE model_kind = 'ensemble' ORDER BY id")
        .all() as { id: number; config_json: string }[]
    ).map(ensembleConfigOf)
  }

  async delete(runId: number, audit: RunDeletion): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM run_epochs WHERE run_id = ?').run(runId)
      this.db.prepare('DELETE FROM runs WHERE id = ?').run(runId)
      writeAudit(this.db, audit.actor, 'run.delete', audit.projectId, audit.details)
    })()
  }

  private toDto(r: RunRow): RunDto {
    return toRunDto(
      r,
      this.db
        .prepare('SELECT * FROM run_epochs WHERE run_id = ? ORDER BY epoch')
        .all(r.id) as EpochRow[],
    )
  }
}

/** The run and its epochs (in epoch order) as the services see them, on either backend. */
export function toRunDto(r: RunRow, epochRows: readonly EpochRow[]): RunDto {
  const epochs = epochRows.map((e) => ({
    epoch: e.epoch,
    train_loss: e.train_loss,
    learning_rate: e.learning_rate ?? 0,
    seconds: e.seconds,
    ...(e.dev_json ? { dev: JSON.parse(e.dev_json) as EvaluationDto } : {}),
  }))
  // Runs recorded before issue #12 (and runs from files) have no provenance: null.
  const {
    [LABEL_PROVENANCE_KEY]: provenance,
    [LABEL_SNAPSHOT_KEY]: snapshot,
    ...config
  } = JSON.parse(r.config_json) as Record<string, unknown>
  return {
    id: r.id,
    projectId: r.project_id,
    modelKind: r.model_kind,
    baseModel: r.base_model,
    labels: JSON.parse(r.labels_json) as string[],
    config,
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
    labelProvenance: (provenance as LabelProvenanceDto | undefined) ?? null,
    // Only project runs recorded since issue #17 have one (older DTOs stay exactly as they were).
    ...(snapshot ? { labelSnapshot: snapshot as RunLabelSnapshotDto } : {}),
  }
}
