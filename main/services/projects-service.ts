// Projects and their label sets: create from a template, rename, delete, add labels.
import { CtsError } from '../shared'
import type { LabelSetKind, ProjectDto } from '../../preload/contract/projects'
import { MAX_LABELS_PER_PROJECT } from '../store/limits'
import type { ProjectRecord } from '../store/projects-repository'
import type { Repositories } from '../store/repositories'

/** The binary template: healthy, then disease (position 1 and 2, hotkeys 1 and 2). */
export const BINARY_TEMPLATE_LABELS = ['健康', '疾病'] as const

export class ProjectsService {
  constructor(
    private readonly repos: Pick<Repositories, 'projects'>,
    private readonly actor: string,
  ) {}

  async list(): Promise<ProjectDto[]> {
    return this.repos.projects.list()
  }

  async get(projectId: number): Promise<ProjectDto> {
    const project = await this.repos.projects.get(projectId)
    if (!project) throw notFound(projectId)
    return project
  }

  /** The project, or a not-found error a user can act on. */
  async require(projectId: number): Promise<ProjectRecord> {
    const row = await this.repos.projects.find(projectId)
    if (!row) throw notFound(projectId)
    return row
  }

  async create(args: { name: string; kind: LabelSetKind; labels?: string[] }): Promise<ProjectDto> {
    const name = args.name.trim()
    const labels = templateLabels(args.kind, args.labels)
    const created = await this.repos.projects.create({
      name,
      kind: args.kind,
      labels,
      actor: this.actor,
    })
    if (created === 'name-taken') throw nameTaken(name)
    return this.get(created.projectId)
  }

  async rename(projectId: number, newName: string): Promise<ProjectDto> {
    const name = newName.trim()
    const outcome = await this.repos.projects.rename({ projectId, name, actor: this.actor })
    if (outcome === 'not-found') throw notFound(projectId)
    if (outcome === 'name-taken') throw nameTaken(name)
    return this.get(projectId)
  }

  /** Deletes the project and everything in it; the user must type its name to confirm. */
  async delete(projectId: number, confirmName: string): Promise<{ deleted: true }> {
    // The name is checked again as the project is deleted: a rename in between means re-checking.
    for (;;) {
      const row = await this.require(projectId)
      if (confirmName.trim() !== row.name) {
        throw new CtsError(
          'bad-input',
          `To delete the project, type its name exactly: "${row.name}".`,
        )
      }
      const outcome = await this.repos.projects.delete({
        projectId,
        name: row.name,
        actor: this.actor,
      })
      if (outcome === 'deleted') return { deleted: true }
    }
  }

  async addLabel(projectId: number, labelName: string): Promise<ProjectDto> {
    const name = labelName.trim()
    // The checks hold at the write: a label added in between makes the repository answer 'changed'.
    for (;;) {
      const row = await this.require(projectId)
      const existing = await this.repos.projects.labels(projectId)
      if (existing.some((l) => l.name === name)) {
        throw new CtsError('conflict', `The project already has a label named "${name}".`)
      }
      assertRoomForLabels(row.kind, existing.length, 1)
      const added = await this.repos.projects.addLabel({
        projectId,
        name,
        expectedCount: existing.length,
        actor: this.actor,
      })
      if (added !== 'changed') return this.get(projectId)
    }
  }
}

function notFound(projectId: number): CtsError {
  return new CtsError(
    'not-found',
    `Project ${projectId} does not exist (it may have been deleted).`,
  )
}

function nameTaken(name: string): CtsError {
  return new CtsError('conflict', `A project named "${name}" already exists. Choose another name.`)
}

/** The starting label set: the binary template (or exactly two given names), else `labels`. */
export function templateLabels(kind: LabelSetKind, labels: string[] | undefined): string[] {
  const names = (labels ?? []).map((l) => l.trim())
  const unique = [...new Set(names)]
  if (unique.length !== names.length)
    throw new CtsError('bad-input', 'Each label name may appear only once.')
  if (kind === 'binary') {
    if (names.length === 0) return [...BINARY_TEMPLATE_LABELS]
    if (names.length !== 2) {
      throw new CtsError(
        'bad-input',
        `A binary project has exactly two labels; ${names.length} were given.`,
      )
    }
    return names
  }
  assertRoomForLabels(kind, 0, names.length)
  return names
}

/** Binary projects keep exactly two labels; every project stays within the label limit. */
export function assertRoomForLabels(kind: LabelSetKind, have: number, adding: number): void {
  if (kind === 'binary' && have + adding > 2) {
    throw new CtsError(
      'bad-input',
      'A binary project has exactly two labels. Create a multi-class project for more.',
    )
  }
  if (have + adding > MAX_LABELS_PER_PROJECT) {
    throw new CtsError('bad-input', `A project can hold at most ${MAX_LABELS_PER_PROJECT} labels.`)
  }
}
