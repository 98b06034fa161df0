// Projects and their label sets on PostgreSQL: the same ProjectsRepository as the SQLite one
// (projects-repository.ts), with the q-level helpers other PostgreSQL repositories reuse.
import type { LabelDto, LabelSetKind, ProjectDto } from '../../../preload/contract/projects'
import { LABEL_COLORS } from '../limits'
import { toRecord, type ProjectRecord, type ProjectsRepository } from '../projects-repository'
import type { ProjectRow } from '../projects-repo'
import { writeAuditPg as pgWriteAudit } from './audit'
import { isPgUniqueViolation, type PgDatabase, type PgQueryable } from './pg-database'

const PROJECT_COLUMNS = 'id, name, kind, created_at'

export async function pgFindProject(
  q: PgQueryable,
  projectId: number,
  lock?: 'update' | 'no key update',
): Promise<ProjectRow | undefined> {
  // A check-and-write on a project (rename, delete, label set, import) locks the project's row,
  // so two clients' checks cannot both pass on the same state. NO KEY UPDATE where the key stays:
  // it does not block the foreign-key checks of label writes in the project (KEY SHARE).
  return q.row<ProjectRow>(
    `SELECT ${PROJECT_COLUMNS} FROM projects WHERE id = $1${lock ? ` FOR ${lock.toUpperCase()}` : ''}`,
    [projectId],
  )
}

async function findProjectByName(q: PgQueryable, name: string): Promise<ProjectRow | undefined> {
  return q.row<ProjectRow>(`SELECT ${PROJECT_COLUMNS} FROM projects WHERE name = $1`, [name])
}

export async function pgLabelsOf(q: PgQueryable, projectId: number): Promise<LabelDto[]> {
  return q.rows<LabelDto>(
    'SELECT id, name, position, color FROM labels WHERE project_id = $1 ORDER BY position',
    [projectId],
  )
}

/** Appends a label at the end of the project's set and returns its id. */
export async function pgInsertLabel(
  q: PgQueryable,
  projectId: number,
  name: string,
): Promise<number> {
  const { next } = (await q.row<{ next: number }>(
    'SELECT (COALESCE(MAX(position), 0) + 1)::int AS next FROM labels WHERE project_id = $1',
    [projectId],
  ))!
  const color = LABEL_COLORS[(next - 1) % LABEL_COLORS.length]
  const row = await q.row<{ id: number }>(
    'INSERT INTO labels (project_id, name, position, color) VALUES ($1, $2, $3, $4) RETURNING id',
    [projectId, name, next, color],
  )
  return row!.id
}

export async function pgTextCount(q: PgQueryable, projectId: number): Promise<number> {
  const row = await q.row<{ n: number }>(
    'SELECT COUNT(*)::int AS n FROM texts WHERE project_id = $1',
    [projectId],
  )
  return row!.n
}

interface ProjectCountsRow extends ProjectRow {
  text_count: number
  labelled_count: number
}

/** Projects (all, or the one `projectId`) with their counts, in id order. */
async function projectDtos(q: PgQueryable, projectId?: number): Promise<ProjectDto[]> {
  const where = projectId === undefined ? '' : 'WHERE p.id = $1'
  const params = projectId === undefined ? [] : [projectId]
  const rows = await q.rows<ProjectCountsRow>(
    `SELECT p.id, p.name, p.kind, p.created_at,
            (SELECT COUNT(*)::int FROM texts t WHERE t.project_id = p.id) AS text_count,
            (SELECT COUNT(*)::int FROM (SELECT DISTINCT al.text_id
               FROM labels l JOIN annotation_labels al ON al.label_id = l.id
              WHERE l.project_id = p.id) d) AS labelled_count
       FROM projects p ${where} ORDER BY p.id`,
    params,
  )
  if (rows.length === 0) return []
  const labels = await q.rows<LabelDto & { project_id: number }>(
    `SELECT project_id, id, name, position, color FROM labels
      WHERE project_id = ANY($1::int[]) ORDER BY project_id, position`,
    [rows.map((r) => r.id)],
  )
  const byProject = new Map<number, LabelDto[]>(rows.map((r) => [r.id, []]))
  for (const { project_id, ...label } of labels) byProject.get(project_id)?.push(label)
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    kind: row.kind,
    createdAt: row.created_at,
    textCount: row.text_count,
    labelledCount: row.labelled_count,
    labels: byProject.get(row.id) ?? [],
  }))
}

/** A unique violation of the project name: another client took the name meanwhile. */
function isNameTaken(err: unknown): boolean {
  return isPgUniqueViolation(err, 'projects_name_key')
}

export class PgProjectsRepository implements ProjectsRepository {
  constructor(private readonly db: PgDatabase) {}

  async list(): Promise<ProjectDto[]> {
    return projectDtos(this.db)
  }

  async get(projectId: number): Promise<ProjectDto | undefined> {
    return (await projectDtos(this.db, projectId))[0]
  }

  async find(projectId: number): Promise<ProjectRecord | undefined> {
    const row = await pgFindProject(this.db, projectId)
    return row && toRecord(row)
  }

  async labels(projectId: number): Promise<LabelDto[]> {
    return pgLabelsOf(this.db, projectId)
  }

  async create(input: {
    name: string
    kind: LabelSetKind
    labels: string[]
    actor: string
  }): Promise<{ projectId: number } | 'name-taken'> {
    const { name, kind, labels, actor } = input
    try {
      return await this.db.tx(async (q): Promise<{ projectId: number } | 'name-taken'> => {
        if (await findProjectByName(q, name)) return 'name-taken'
        const row = await q.row<{ id: number }>(
          'INSERT INTO projects (name, kind, created_at) VALUES ($1, $2, $3) RETURNING id',
          [name, kind, new Date().toISOString()],
        )
        const projectId = row!.id
        for (const label of labels) await pgInsertLabel(q, projectId, label)
        await pgWriteAudit(q, actor, 'project.create', projectId, { name, kind, labels })
        return { projectId }
      })
    } catch (err) {
      if (isNameTaken(err)) return 'name-taken'
      throw err
    }
  }

  async rename(input: {
    projectId: number
    name: string
    actor: string
  }): Promise<'renamed' | 'unchanged' | 'not-found' | 'name-taken'> {
    const { projectId, name, actor } = input
    try {
      return await this.db.tx(async (q) => {
        const row = await pgFindProject(q, projectId, 'update')
        if (!row) return 'not-found' as const
        if (row.name === name) return 'unchanged' as const
        if (await findProjectByName(q, name)) return 'name-taken' as const
        await q.run('UPDATE projects SET name = $1 WHERE id = $2', [name, projectId])
        await pgWriteAudit(q, actor, 'project.rename', projectId, { from: row.name, to: name })
        return 'renamed' as const
      })
    } catch (err) {
      if (isNameTaken(err)) return 'name-taken'
      throw err
    }
  }

  async delete(input: {
    projectId: number
    name: string
    actor: string
  }): Promise<'deleted' | 'changed'> {
    const { projectId, name, actor } = input
    return this.db.tx(async (q) => {
      const row = await pgFindProject(q, projectId, 'update')
      if (!row || row.name !== name) return 'changed' as const
      const texts = await pgTextCount(q, projectId)
      await q.run('DELETE FROM projects WHERE id = $1', [projectId])
      await pgWriteAudit(q, actor, 'project.delete', projectId, { name, texts })
      return 'deleted' as const
    })
  }

  async addLabel(input: {
    projectId: number
    name: string
    expectedCount: number
    actor: string
  }): Promise<{ labelId: number } | 'changed'> {
    const { projectId, name, expectedCount, actor } = input
    return this.db.tx(async (q): Promise<{ labelId: number } | 'changed'> => {
      if (!(await pgFindProject(q, projectId, 'no key update'))) return 'changed'
      const existing = await pgLabelsOf(q, projectId)
      if (existing.length !== expectedCount || existing.some((l) => l.name === name))
        return 'changed'
      const labelId = await pgInsertLabel(q, projectId, name)
      await pgWriteAudit(q, actor, 'label.add', projectId, { labelId, name })
      return { labelId }
    })
  }
}
