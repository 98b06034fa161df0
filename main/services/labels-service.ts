// Labelling: set a text's labels, skip, undo/redo over the project's history, counts. Every
// call returns only after its transaction has committed (synchronous=FULL: on disk).
import { CtsError } from '../shared'
import type { AnnotationDto, LabelStatsDto } from '../../preload/contract/labels'
import type { Repositories } from '../store/repositories'
import type { ProjectsService } from './projects-service'

export class LabelsService {
  constructor(
    private readonly repos: Pick<Repositories, 'annotations' | 'projects' | 'texts'>,
    private readonly projects: ProjectsService,
    private readonly actor: string,
    /** Told after every committed label change (the model in the loop counts them); never awaited. */
    private readonly onLabelled: (projectId: number) => void = () => {},
  ) {}

  /**
   * Replaces the text's label set. Single-label projects take one label (or none, to clear);
   * multi-label projects any subset of their labels. Setting the labels a text already has
   * changes nothing and returns its current revision.
   */
  async set(args: {
    textId: number
    labelIds: number[]
    annotator?: string
  }): Promise<AnnotationDto> {
    const annotator = args.annotator?.trim() || this.actor
    const projectId = await this.requireTextProject(args.textId)
    const labelIds = await this.validLabelIds(projectId, args.labelIds)
    const done = await this.repos.annotations.set({
      projectId,
      textId: args.textId,
      labelIds,
      annotator,
    })
    // The text left the workspace (its project was deleted) between the checks and the write.
    if (!done) throw textNotFound(args.textId)
    this.onLabelled(projectId)
    return done
  }

  /** Marks a text as skipped: counted in stats and offered last by texts/next; not a label. */
  async skip(textId: number): Promise<{ textId: number }> {
    const projectId = await this.requireTextProject(textId)
    const skipped = await this.repos.annotations.skip({ projectId, textId, actor: this.actor })
    if (!skipped) throw textNotFound(textId)
    return { textId }
  }

  /** Reverts the project's latest label change that is not undone yet; null when there is none. */
  async undo(projectId: number): Promise<AnnotationDto | null> {
    return this.step(projectId, 'undo')
  }

  /** Re-applies the most recently undone change; null when there is none (or a new change cleared it). */
  async redo(projectId: number): Promise<AnnotationDto | null> {
    return this.step(projectId, 'redo')
  }

  async stats(projectId: number): Promise<LabelStatsDto> {
    await this.projects.require(projectId)
    return this.repos.annotations.stats(projectId)
  }

  private async step(projectId: number, action: 'undo' | 'redo'): Promise<AnnotationDto | null> {
    await this.projects.require(projectId)
    const done = await this.repos.annotations.step({ projectId, action, actor: this.actor })
    if (done) this.onLabelled(projectId)
    return done
  }

  private async requireTextProject(textId: number): Promise<number> {
    const projectId = await this.repos.texts.projectOf(textId)
    if (projectId === undefined) throw textNotFound(textId)
    return projectId
  }

  /** The label ids, sorted, after checking they belong to the project and fit its kind. */
  private async validLabelIds(projectId: number, labelIds: number[]): Promise<number[]> {
    const ids = [...labelIds].sort((a, b) => a - b)
    if (new Set(ids).size !== ids.length)
      throw new CtsError('bad-input', 'A label was given more than once.')
    // Labels are never removed from a project and its kind never changes, so these checks
    // still hold when the write commits.
    const own = new Set((await this.repos.projects.labels(projectId)).map((l) => l.id))
    const foreign = ids.filter((id) => !own.has(id))
    if (foreign.length > 0) {
      throw new CtsError(
        'bad-input',
        `Label ${foreign.join(', ')} does not belong to this text's project.`,
      )
    }
    const kind = (await this.projects.require(projectId)).kind
    if (kind !== 'multilabel' && ids.length > 1) {
      throw new CtsError(
        'bad-input',
        'This project takes one label per text. Choose a single label.',
      )
    }
    return ids
  }
}

function textNotFound(textId: number): CtsError {
  return new CtsError('not-found', `Text ${textId} does not exist.`)
}
