// Projects and their label sets behind an async interface, and its SQLite implementation.
import type { Database } from 'better-sqlite3'
import type { LabelDto, LabelSetKind, ProjectDto } from '../../preload/contract/projects'
import { writeAudit } from './audit'
import {
  findProject,
  findProjectByName,
  insertLabel,
  insertProject,
  labelsOf,
  listProjectRows,
  textCount,
  toProjectDto,
  type ProjectRow,
} from './projects-repo'

/** A project without its counts and labels. */
export interface ProjectRecord {
  id: number
  name: string
  kind: LabelSetKind
  createdAt: string
}

export interface ProjectsRepository {
  /** Every project with counts and labels, in creation order. */
  list(): Promise<ProjectDto[]>
  /** One project with counts and labels; undefined when it does not exist. */
  get(projectId: number): Promise<ProjectDto | undefined>
  find(projectId: number): Promise<ProjectRecord | undefined>
  /** The project's labels in position order. */
  labels(projectId: number): Promise<LabelDto[]>
  /** Creates the project with its labels and audits it, atomically; 'name-taken' if not unique. */
  create(input: {
    name: string
    kind: LabelSetKind
    labels: string[]
    actor: string
  }): Promise<{ projectId: number } | 'name-taken'>
  /** Renames and audits, atomically. */
  rename(input: {
    projectId: number
    name: string
    actor: string
  }): Promise<'renamed' | 'unchanged' | 'not-found' | 'name-taken'>
  /**
   * Deletes the project (and everything in it) if it still has the name `name`, and audits it;
   * 'changed' when it was renamed or deleted meanwhile.
   */
  delete(input: { projectId: number; name: string; actor: string }): Promise<'deleted' | 'changed'>
  /**
   * Appends a label and audits it, if the project still has exactly `expectedCount` labels and
   * none named `name`; otherwise 'changed' (the caller re-reads and re-checks).
   */
  addLabel(input: {
    projectId: number
    name: string
    expectedCount: number
    actor: string
  }): Promise<{ labelId: number } | 'changed'>
}

export function toRecord(row: ProjectRow): ProjectRecord {
  return { id: row.id, name: row.name, kind: row.kind, createdAt: row.created_at }
}

export class SqliteProjectsRepository implements ProjectsRepository {
  constructor(private readonly db: Database) {}

  async list(): Promise<ProjectDto[]> {
    return listProjectRows(this.db).map((row) => toProjectDto(this.db, row))
  }

  async get(projectId: number): Promise<ProjectDto | undefined> {
    const row = findProject(this.db, projectId)
    return row && toProjectDto(this.db, row)
  }

  async find(projectId: number): Promise<ProjectRecord | undefined> {
    const row = findProject(this.db, projectId)
    return row && toRecord(row)
  }

  async labels(projectId: number): Promise<LabelDto[]> {
    return labelsOf(this.db, projectId)
  }

  async create(input: {
    name: string
    kind: LabelSetKind
    labels: string[]
    actor: string
  }): Promise<{ projectId: number } | 'name-taken'> {
    const { name, kind, labels, actor } = input
    return this.db
      .transaction((): { projectId: number } | 'name-taken' => {
        if (findProjectByName(this.db, name)) return 'name-taken'
        const projectId = insertProject(this.db, name, kind)
        for (const label of labels) insertLabel(this.db, projectId, label)
        writeAudit(this.db, actor, 'project.create', projectId, { name, kind, labels })
        return { projectId }
      })
      .immediate()
  }

  async rename(input: {
    projectId: number
    name: string
    actor: string
  }): Promise<'renamed' | 'unchanged' | 'not-found' | 'name-taken'> {
    const { projectId, name, actor } = input
    return this.db
      .transaction(() => {
        const row = findProject(this.db, projectId)
        if (!row) return 'not-found' as const
        if (row.name === name) return 'unchanged' as const
        if (findProjectByName(this.db, name)) return 'name-taken' as const
        this.db.prepare('UPDATE projects SET name = ? WHERE id = ?').run(name, projectId)
        writeAudit(this.db, actor, 'project.rename', projectId, { from: row.name, to: name })
        return 'renamed' as const
      })
      .immediate()
  }

  async delete(input: {
    projectId: number
    name: string
    actor: string
  }): Promise<'deleted' | 'changed'> {
    const { projectId, name, actor } = input
    return this.db
      .transaction(() => {
        const row = findProject(this.db, projectId)
        if (!row || row.name !== name) return 'changed' as const
        const texts = textCount(this.db, projectId)
        this.db.prepare('DELETE FROM projects WHERE id = ?').run(projectId)
        writeAudit(this.db, actor, 'project.delete', projectId, { name, texts })
        return 'deleted' as const
      })
      .immediate()
  }

  async addLabel(input: {
    projectId: number
    name: string
    expectedCount: number
    actor: string
  }): Promise<{ labelId: number } | 'changed'> {
    const { projectId, name, expectedCount, actor } = input
    return this.db
      .transaction((): { labelId: number } | 'changed' => {
        if (!findProject(this.db, projectId)) return 'changed'
        const existing = labelsOf(this.db, projectId)
        if (existing.length !== expectedCount || existing.some((l) => l.name === name))
          return 'changed'
        const labelId = insertLabel(this.db, projectId, name)
        writeAudit(this.db, actor, 'label.add', projectId, { labelId, name })
        return { labelId }
      })
      .immediate()
  }
}
