// Projects and their label sets: create from a template, rename, delete, add labels.
import type { Database } from 'better-sqlite3'
import { CtsError } from '../../preload/contract/common'
import type { LabelSetKind, ProjectDto } from '../../preload/contract/projects'
import { writeAudit } from '../store/audit'
import { MAX_LABELS_PER_PROJECT } from '../store/limits'
import {
  findProject,
  findProjectByName,
  insertLabel,
  insertProject,
  labelsOf,
  listProjectRows,
  toProjectDto,
  type ProjectRow,
} from '../store/projects-repo'

/** The binary template: healthy, then disease (position 1 and 2, hotkeys 1 and 2). */
export const BINARY_TEMPLATE_LABELS = ['健康', '疾病'] as const

export class ProjectsService {
  constructor(
    private readonly db: Database,
    private readonly actor: string,
  ) {}

  list(): ProjectDto[] {
    return listProjectRows(this.db).map((row) => toProjectDto(this.db, row))
  }

  get(projectId: number): ProjectDto {
    return toProjectDto(this.db, this.require(projectId))
  }

  /** The project row, or a not-found error a user can act on. */
  require(projectId: number): ProjectRow {
    const row = findProject(this.db, projectId)
    if (!row)
      throw new CtsError(
        'not-found',
        `Project ${projectId} does not exist (it may have been deleted).`,
      )
    return row
  }

  create(args: { name: string; kind: LabelSetKind; labels?: string[] }): ProjectDto {
    const name = args.name.trim()
    const labels = templateLabels(args.kind, args.labels)
    const id = this.db
      .transaction(() => {
        this.assertNameFree(name)
        const projectId = insertProject(this.db, name, args.kind)
        for (const label of labels) insertLabel(this.db, projectId, label)
        writeAudit(this.db, this.actor, 'project.create', projectId, {
          name,
          kind: args.kind,
          labels,
        })
        return projectId
      })
      .immediate()
    return this.get(id)
  }

  rename(projectId: number, newName: string): ProjectDto {
    const name = newName.trim()
    this.db
      .transaction(() => {
        const row = this.require(projectId)
        if (row.name === name) return
        this.assertNameFree(name)
        this.db.prepare('UPDATE projects SET name = ? WHERE id = ?').run(name, projectId)
        writeAudit(this.db, this.actor, 'project.rename', projectId, { from: row.name, to: name })
      })
      .immediate()
    return this.get(projectId)
  }

  /** Deletes the project and everything in it; the user must type its name to confirm. */
  delete(projectId: number, confirmName: string): { deleted: true } {
    this.db
      .transaction(() => {
        const row = this.require(projectId)
        if (confirmName.trim() !== row.name) {
          throw new CtsError(
            'bad-input',
            `To delete the project, type its name exactly: "${row.name}".`,
          )
        }
        const texts = (
          this.db
            .prepare('SELECT COUNT(*) AS n FROM texts WHERE project_id = ?')
            .get(projectId) as { n: number }
        ).n
        this.db.prepare('DELETE FROM projects WHERE id = ?').run(projectId)
        writeAudit(this.db, this.actor, 'project.delete', projectId, { name: row.name, texts })
      })
      .immediate()
    return { deleted: true }
  }

  addLabel(projectId: number, labelName: string): ProjectDto {
    const name = labelName.trim()
    this.db
      .transaction(() => {
        const row = this.require(projectId)
        const existing = labelsOf(this.db, projectId)
        if (existing.some((l) => l.name === name)) {
          throw new CtsError('conflict', `The project already has a label named "${name}".`)
        }
        assertRoomForLabels(row.kind, existing.length, 1)
        const labelId = insertLabel(this.db, projectId, name)
        writeAudit(this.db, this.actor, 'label.add', projectId, { labelId, name })
      })
      .immediate()
    return this.get(projectId)
  }

  private assertNameFree(name: string): void {
    if (findProjectByName(this.db, name)) {
      throw new CtsError(
        'conflict',
        `A project named "${name}" already exists. Choose another name.`,
      )
    }
  }
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
