// SQL for projects and their label sets, and the mapping of rows to the contract's DTOs.
import type { Database } from 'better-sqlite3'
import type { LabelDto, LabelSetKind, ProjectDto } from '../../preload/contract/projects'
import { LABEL_COLORS } from './limits'

export interface ProjectRow {
  id: number
  name: string
  kind: LabelSetKind
  created_at: string
}

export function findProject(db: Database, projectId: number): ProjectRow | undefined {
  return db
    .prepare('SELECT id, name, kind, created_at FROM projects WHERE id = ?')
    .get(projectId) as ProjectRow | undefined
}

export function findProjectByName(db: Database, name: string): ProjectRow | undefined {
  return db.prepare('SELECT id, name, kind, created_at FROM projects WHERE name = ?').get(name) as
    ProjectRow | undefined
}

export function listProjectRows(db: Database): ProjectRow[] {
  return db
    .prepare('SELECT id, name, kind, created_at FROM projects ORDER BY id')
    .all() as ProjectRow[]
}

export function insertProject(db: Database, name: string, kind: LabelSetKind): number {
  const info = db
    .prepare('INSERT INTO projects (name, kind, created_at) VALUES (?, ?, ?)')
    .run(name, kind, new Date().toISOString())
  return Number(info.lastInsertRowid)
}

export function labelsOf(db: Database, projectId: number): LabelDto[] {
  return db
    .prepare('SELECT id, name, position, color FROM labels WHERE project_id = ? ORDER BY position')
    .all(projectId) as LabelDto[]
}

/** Appends a label at the end of the project's set and returns its id. */
export function insertLabel(db: Database, projectId: number, name: string): number {
  const { next } = db
    .prepare('SELECT COALESCE(MAX(position), 0) + 1 AS next FROM labels WHERE project_id = ?')
    .get(projectId) as { next: number }
  const color = LABEL_COLORS[(next - 1) % LABEL_COLORS.length]
  const info = db
    .prepare('INSERT INTO labels (project_id, name, position, color) VALUES (?, ?, ?, ?)')
    .run(projectId, name, next, color)
  return Number(info.lastInsertRowid)
}

export function textCount(db: Database, projectId: number): number {
  return (
    db.prepare('SELECT COUNT(*) AS n FROM texts WHERE project_id = ?').get(projectId) as {
      n: number
    }
  ).n
}

/** Texts of the project that carry at least one label. */
export function labelledCount(db: Database, projectId: number): number {
  const row = db
    .prepare(
      `SELECT COUNT(DISTINCT al.text_id) AS n
         FROM labels l JOIN annotation_labels al ON al.label_id = l.id
        WHERE l.project_id = ?`,
    )
    .get(projectId) as { n: number }
  return row.n
}

export function toProjectDto(db: Database, row: ProjectRow): ProjectDto {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    createdAt: row.created_at,
    textCount: textCount(db, row.id),
    labelledCount: labelledCount(db, row.id),
    labels: labelsOf(db, row.id),
  }
}
