// Labelling: set an annotator's labels on a text, skip, undo/redo over that annotator's history,
// counts. Every call returns only after its transaction has committed (synchronous=FULL: on disk).
import type { AnnotationDto, LabelStatsDto } from '../../preload/contract/labels'
import type { Repositories } from '../store/repositories'
import { currentAnnotator, textNotFoundHere } from './annotators-service'
import { checkedLabelIds, textNotFound } from './label-ids'
import type { ProjectsService } from './projects-service'

export class LabelsService {
  constructor(
    private readonly repos: Pick<Repositories, 'annotations' | 'annotators' | 'projects' | 'texts'>,
    private readonly projects: ProjectsService,
    private readonly actor: string,
    /** Told after every committed label change (the model in the loop counts them); never awaited. */
    private readonly onLabelled: (projectId: number) => void = () => {},
  ) {}

  /**
   * Replaces the annotator's own label set on the text (default annotator: the current profile,
   * else the OS user); other annotators' labels stay as they are. Single-label projects take one
   * label (or none, to clear); multi-label projects any subset of their labels. Setting the labels
   * the annotator already has changes nothing and returns the current revision.
   */
  async set(args: {
    textId: number
    labelIds: number[]
    annotator?: string
  }): Promise<AnnotationDto> {
    const annotator = await this.annotatorOr(args.annotator)
    const projectId = await this.requireTextProject(args.textId)
    const labelIds = await checkedLabelIds(this.repos, this.projects, projectId, args.labelIds)
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

  /**
   * Reverts the annotator's latest label change in the project that is not undone yet (default
   * annotator as for set); null when there is none. Other annotators' changes are not touched.
   */
  async undo(projectId: number, annotator?: string): Promise<AnnotationDto | null> {
    return this.step(projectId, 'undo', annotator)
  }

  /**
   * Re-applies the annotator's most recently undone change; null when there is none (or a new
   * change of theirs cleared it).
   */
  async redo(projectId: number, annotator?: string): Promise<AnnotationDto | null> {
    return this.step(projectId, 'redo', annotator)
  }

  async stats(projectId: number): Promise<LabelStatsDto> {
    await this.projects.require(projectId)
    return this.repos.annotations.stats(projectId)
  }

  private async step(
    projectId: number,
    action: 'undo' | 'redo',
    annotatorArg: string | undefined,
  ): Promise<AnnotationDto | null> {
    await this.projects.require(projectId)
    const annotator = await this.annotatorOr(annotatorArg)
    const done = await this.repos.annotations.step({
      projectId,
      action,
      actor: annotator,
      annotator,
    })
    if (done) this.onLabelled(projectId)
    return done
  }

  /** The explicit annotator, else the current profile, else the OS user. */
  private async annotatorOr(explicit: string | undefined): Promise<string> {
    return explicit?.trim() || currentAnnotator(this.repos, this.actor)
  }

  private async requireTextProject(textId: number): Promise<number> {
    const projectId = await this.repos.texts.projectOf(textId)
    if (projectId === undefined) throw await textNotFoundHere(this.repos, textId)
    return projectId
  }
}
