// Studies (the auto recipe's searches) behind an asynchronous interface, and its SQLite
// implementation. The summary is the study service's own JSON; the store keeps it as it is.
import type { Database } from 'better-sqlite3'
import type { StudyStatus } from '../../preload/contract/studies'

/** A study as stored; `config` and `summary` are the JSON the study service wrote. */
export interface StudyRecord {
  id: number
  projectId: number | null
  status: StudyStatus
  config: unknown
  budgetSeconds: number
  error: { code: string; message: string } | null
  createdAt: string
  finishedAt: string | null
  winnerRunId: number | null
  summary: unknown
}

export interface NewStudy {
  projectId: number | null
  config: unknown
  budgetSeconds: number
  summary: unknown
}

export interface StudyEnd {
  status: Exclude<StudyStatus, 'running'>
  winnerRunId: number | null
  error: { code: string; message: string } | null
}

export interface StudiesRepository {
  /** Records a new 'auto' study (status 'running') and returns its id. */
  create(study: NewStudy): Promise<number>
  get(studyId: number): Promise<StudyRecord | undefined>
  /** All studies (or one project's), oldest first. */
  list(projectId?: number): Promise<StudyRecord[]>
  /** Back to 'running' (a resume): the end and its error are cleared. */
  reopen(studyId: number): Promise<void>
  saveSummary(studyId: number, summary: unknown): Promise<void>
  /** Records how a running study ended; a study that is not running is left as it is. */
  finish(studyId: number, end: StudyEnd): Promise<void>
}

export interface StudyRow {
  id: number
  project_id: number | null
  status: StudyStatus
  config_json: string
  budget_seconds: number
  error_json: string | null
  created_at: string
  finished_at: string | null
  winner_run_id: number | null
  summary_json: string | null
}

export class SqliteStudiesRepository implements StudiesRepository {
  constructor(private readonly db: Database) {}

  async create(s: NewStudy): Promise<number> {
    const info = this.db
      .prepare(
        `INSERT INTO studies (project_id, recipe, config_json, budget_seconds, status, created_at,
           summary_json) VALUES (?, 'auto', ?, ?, 'running', ?, ?)`,
      )
      .run(
        s.projectId,
        JSON.stringify(s.config),
        s.budgetSeconds,
        new Date().toISOString(),
        JSON.stringify(s.summary),
      )
    return Number(info.lastInsertRowid)
  }

  async get(studyId: number): Promise<StudyRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM studies WHERE id = ?').get(studyId) as
      StudyRow | undefined
    return row ? toStudyRecord(row) : undefined
  }

  async list(projectId?: number): Promise<StudyRecord[]> {
    const rows = (
      projectId === undefined
        ? this.db.prepare('SELECT * FROM studies ORDER BY id').all()
        : this.db.prepare('SELECT * FROM studies WHERE project_id = ? ORDER BY id').all(projectId)
    ) as StudyRow[]
    return rows.map(toStudyRecord)
  }

  async reopen(studyId: number): Promise<void> {
    this.db
      .prepare(
        "UPDATE studies SET status = 'running', finished_at = NULL, error_json = NULL WHERE id = ?",
      )
      .run(studyId)
  }

  async saveSummary(studyId: number, summary: unknown): Promise<void> {
    this.db
      .prepare('UPDATE studies SET summary_json = ? WHERE id = ?')
      .run(JSON.stringify(summary), studyId)
  }

  async finish(studyId: number, end: StudyEnd): Promise<void> {
    this.db
      .prepare(
        `UPDATE studies SET status = ?, winner_run_id = ?, error_json = ?, finished_at = ?
           WHERE id = ? AND status = 'running'`,
      )
      .run(
        end.status,
        end.winnerRunId,
        end.error ? JSON.stringify(end.error) : null,
        new Date().toISOString(),
        studyId,
      )
  }
}

export function toStudyRecord(r: StudyRow): StudyRecord {
  return {
    id: r.id,
    projectId: r.project_id,
    status: r.status,
    config: JSON.parse(r.config_json) as unknown,
    budgetSeconds: r.budget_seconds,
    error: r.error_json ? (JSON.parse(r.error_json) as { code: string; message: string }) : null,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    winnerRunId: r.winner_run_id,
    summary: r.summary_json ? (JSON.parse(r.summary_json) as unknown) : null,
  }
}
