// Training runs and their epochs on PostgreSQL: the same RunsRepository as SQLite. Run ids come
// from the identity column's sequence, which never hands out a deleted run's id again.
import type { EvaluationDto, RunDto, RunEpochDto } from '../../../preload/contract/training'
import {
  ensembleConfigOf,
  epochValues,
  finishValues,
  newRunValues,
  toRunDto,
  type EpochRow,
  type NewRun,
  type RunDeletion,
  type RunOutcome,
  type RunRow,
  type RunsRepository,
} from '../runs-repository'
import { writeAuditPg } from './audit'
import type { PgDatabase, PgQueryable } from './pg-database'

export class PgRunsRepository implements RunsRepository {
  constructor(private readonly db: PgDatabase) {}

  async create(run: NewRun): Promise<number> {
    // study_id only when given, as on SQLite (a run that is no study's candidate keeps NULL).
    const study = run.studyId !== undefined
    const values = [...newRunValues(run), ...(study ? [run.studyId] : [])]
    const row = await this.db.row<{ id: number }>(
      `INSERT INTO runs (project_id, model_kind, base_model, config_json, labels_json, data_hash,
         seed, status, created_at${study ? ', study_id' : ''})
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'running', $8${study ? ', $9' : ''}) RETURNING id`,
      values,
    )
    return row!.id
  }

  async setTest(runId: number, test: EvaluationDto, evalSeconds: number): Promise<boolean> {
    const { rowCount } = await this.db.run(
      `UPDATE runs SET metrics_json = $1, eval_seconds = COALESCE(eval_seconds, 0) + $2
         WHERE id = $3 AND status = 'success' AND metrics_json IS NULL`,
      [JSON.stringify(test), evalSeconds, runId],
    )
    return rowCount > 0
  }

  async addEpoch(runId: number, e: RunEpochDto): Promise<void> {
    await this.db.run(
      `INSERT INTO run_epochs (run_id, epoch, train_loss, dev_macro_f1, dev_accuracy, dev_json,
         learning_rate, seconds) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      epochValues(runId, e),
    )
  }

  async finish(runId: number, o: RunOutcome): Promise<boolean> {
    const { rowCount } = await this.db.run(
      `UPDATE runs SET status = $1, provider = COALESCE($2, provider), error_json = $3,
         finished_at = $4, train_seconds = $5, eval_seconds = $6, metrics_json = $7,
         best_epoch = $8, stopped_early = $9
         WHERE id = $10 AND status = 'running'`,
      finishValues(runId, o),
    )
    return rowCount > 0
  }

  async reopen(runId: number): Promise<void> {
    await this.db.run(
      `UPDATE runs SET status = 'running', error_json = NULL, finished_at = NULL,
         best_epoch = NULL, stopped_early = NULL WHERE id = $1`,
      [runId],
    )
  }

  async get(runId: number): Promise<RunDto | undefined> {
    return (await this.read('WHERE id = $1', [runId]))[0]
  }

  async list(projectId?: number): Promise<RunDto[]> {
    return projectId === undefined
      ? this.read('', [])
      : this.read('WHERE project_id = $1', [projectId])
  }

  async ensembleConfigs(): Promise<{ id: number; config: Record<string, unknown> }[]> {
    const rows = await this.db.rows<{ id: number; config_json: string }>(
      "SELECT id, config_json FROM runs WHERE model_kind = 'ensemble' ORDER BY id",
    )
    return rows.map(ensembleConfigOf)
  }

  async delete(runId: number, audit: RunDeletion): Promise<void> {
    await this.db.tx(async (q) => {
      await q.run('DELETE FROM run_epochs WHERE run_id = $1', [runId])
      await q.run('DELETE FROM runs WHERE id = $1', [runId])
      await writeAuditPg(q, audit.actor, 'run.delete', audit.projectId, audit.details)
    })
  }

  /** The runs `where` selects, oldest first, with their epochs: one snapshot, two statements. */
  private read(where: string, params: unknown[]): Promise<RunDto[]> {
    return this.db.tx(
      async (q: PgQueryable) => {
        const runs = await q.rows<RunRow>(`SELECT * FROM runs ${where} ORDER BY id`, params)
        if (runs.length === 0) return []
        const epochs = await q.rows<EpochRow & { run_id: number }>(
          'SELECT * FROM run_epochs WHERE run_id = ANY($1::int[]) ORDER BY run_id, epoch',
          [runs.map((r) => r.id)],
        )
        const byRun = new Map<number, EpochRow[]>()
        for (const e of epochs) {
          const list = byRun.get(e.run_id) ?? []
          list.push(e)
          byRun.set(e.run_id, list)
        }
        return runs.map((r) => toRunDto(r, byRun.get(r.id) ?? []))
      },
      { isolation: 'repeatable read' },
    )
  }
}
