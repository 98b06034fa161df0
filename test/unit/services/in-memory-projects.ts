// A second, non-SQLite implementation of ProjectsRepository (plain maps), for the test that
// shows the projects service depends only on the repository interface.
import type { LabelDto, LabelSetKind, ProjectDto } from '../../../preload/contract/projects'
import { LABEL_COLORS } from '../../../main/store/limits'
import type { ProjectRecord, ProjectsRepository } from '../../../main/store/projects-repository'

export interface MemoryAuditEntry {
  actor: string
  action: string
  projectId: number
  details: Record<string, unknown>
}

export class InMemoryProjectsRepository implements ProjectsRepository {
  private readonly projects = new Map<number, ProjectRecord>()
  private readonly labelSets = new Map<number, LabelDto[]>()
  private nextProjectId = 1
  private nextLabelId = 1
  readonly audit: MemoryAuditEntry[] = []

  async list(): Promise<ProjectDto[]> {
    return [...this.projects.values()].map((p) => this.dto(p))
  }

  async get(projectId: number): Promise<ProjectDto | undefined> {
    const p = this.projects.get(projectId)
    return p && this.dto(p)
  }

  async find(projectId: number): Promise<ProjectRecord | undefined> {
    const p = this.projects.get(projectId)
    return p && { ...p }
  }

  async labels(projectId: number): Promise<LabelDto[]> {
    return (this.labelSets.get(projectId) ?? []).map((l) => ({ ...l }))
  }

  async create(input: {
    name: string
    kind: LabelSetKind
    labels: string[]
    actor: string
  }): Promise<{ projectId: number } | 'name-taken'> {
    if (this.byName(input.name)) return 'name-taken'
    const id = this.nextProjectId++
    this.projects.set(id, { id, name: input.name, kind: input.kind, createdAt: 'now' })
    this.labelSets.set(id, [])
    for (const name of input.labels) this.appendLabel(id, name)
    this.audit.push({
      actor: input.actor,
      action: 'project.create',
      projectId: id,
      details: { name: input.name, kind: input.kind, labels: input.labels },
    })
    return { projectId: id }
  }

  async rename(input: {
    projectId: number
    name: string
    actor: string
  }): Promise<'renamed' | 'unchanged' | 'not-found' | 'name-taken'> {
    const p = this.projects.get(input.projectId)
    if (!p) return 'not-found'
    if (p.name === input.name) return 'unchanged'
    if (this.byName(input.name)) return 'name-taken'
    this.audit.push({
      actor: input.actor,
      action: 'project.rename',
      projectId: p.id,
      details: { from: p.name, to: input.name },
    })
    p.name = input.name
    return 'renamed'
  }

  async delete(input: {
    projectId: number
    name: string
    actor: string
  }): Promise<'deleted' | 'changed'> {
    const p = this.projects.get(input.projectId)
    if (!p || p.name !== input.name) return 'changed'
    this.projects.delete(p.id)
    this.labelSets.delete(p.id)
    this.audit.push({
      actor: input.actor,
      action: 'project.delete',
      projectId: p.id,
      details: { name: p.name, texts: 0 },
    })
    return 'deleted'
  }

  async addLabel(input: {
    projectId: number
    name: string
    expectedCount: number
    actor: string
  }): Promise<{ labelId: number } | 'changed'> {
    const set = this.labelSets.get(input.projectId)
    if (!set || set.length !== input.expectedCount || set.some((l) => l.name === input.name))
      return 'changed'
    const labelId = this.appendLabel(input.projectId, input.name)
    this.audit.push({
      actor: input.actor,
      action: 'label.add',
      projectId: input.projectId,
      details: { labelId, name: input.name },
    })
    return { labelId }
  }

  private byName(name: string): ProjectRecord | undefined {
    return [...this.projects.values()].find((p) => p.name === name)
  }

  private appendLabel(projectId: number, name: string): number {
    const set = this.labelSets.get(projectId)!
    const position = set.length + 1
    const id = this.nextLabelId++
    set.push({ id, name, position, color: LABEL_COLORS[(position - 1) % LABEL_COLORS.length] })
    return id
  }

  private dto(p: ProjectRecord): ProjectDto {
    return {
      ...p,
      textCount: 0,
      labelledCount: 0,
      labels: (this.labelSets.get(p.id) ?? []).map((l) => ({ ...l })),
    }
  }
}
