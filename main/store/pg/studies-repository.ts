// The auto recipe's studies on PostgreSQL: the same StudiesRepository as SQLite, the same JSON kept.
import {
  toStudyRecord,
  type NewStudy,
  type StudiesRepository,
  type StudyEnd,
  type StudyRecord,
  type StudyRow,
} from '../studies-repository'
import type { PgDatabase } from './pg-database'

export class PgStudiesRepository implements StudiesRepository {
  constructor(private readonly db: PgDatabase) {}

  async create(s: NewStudy): Promise<number> {
    const row = await this.db.row<{ id: number }>(
      `INSERT INTO studies (project_id, recipe, config_json, budget_seconds, status, created_at,
         summary_json) VALUES ($1, 'auto', $2, $3, 'running', $4, $5) RETURNING id`,
      [
        s.projectId,
        JSON.stringify(s.config),
        s.budgetSeconds,
        new Date().toISOString(),
        JSON.stringify(s.summary),
      ],
    )
    return row!.id
  }

  async get(studyId: number): Promise<StudyRecord | undefined> {
    const row = await this.db.row<StudyRow>('SELECT * FROM studies WHERE id = $1', [studyId])
    return row ? toStudyRecord(row) : undefined
  }

  async list(projectId?: number): Promise<StudyRecord[]> {
    const rows =
      projectId === undefined
        ? await this.db.rows<StudyRow>('SELECT * FROM studies ORDER BY id')
        : await this.db.rows<StudyRow>('SELECT * FROM studies WHERE project_id = $1 ORDER BY id', [
            projectId,
          ])
    return rows.map(toStudyRecord)
  }

  async reopen(studyId: number): Promise<void> {
    await this.db.run(
      "UPDATE studies SET status = 'running', finished_at = NULL, error_json = NULL WHERE id = $1",
      [studyId],
    )
  }

  async saveSummary(studyId: number, summary: unknown): Promise<void> {
    await this.db.run('UPDATE studies SET summary_json = $1 WHERE id = $2', [
      JSON.stringify(summary),
      studyId,
    ])
  }

  async finish(studyId: number, end: StudyEnd): Promise<void> {
    await this.db.run(
      `UPDATE studies SET status = $1, winner_run_id = $2, error_json = $3, finished_at = $4
         WHERE id = $5 AND status = 'running'`,
      [
        end.status,
        end.winnerRunId,
        end.error ? JSON.stringify(end.error) : null,
        new Date().toISOString(),
        studyId,
      ],
    )
  }
}
