// Adjudication (issue #12 point 5): an adjudicator's decision becomes the text's gold label, and
// can be taken back (the gold label then comes from the annotators again). The store writes and
// audit-logs both, with the previous decision, and re-resolves the text.
import type { DisagreementDto } from '../../preload/contract/agreement'
import type { HandlersOf } from '../../preload/contract'
import { CtsError } from '../shared'
import type { Repositories } from '../store/repositories'
import type { AgreementService } from './agreement-service'
import { checkedLabelIds, textNotFound } from './label-ids'
import type { ProjectsService } from './projects-service'

export class AdjudicationService {
  constructor(
    private readonly repos: Pick<Repositories, 'annotators' | 'projects' | 'texts'>,
    private readonly projects: ProjectsService,
    private readonly agreement: AgreementService,
    /** Who decides when no profile is chosen (the OS user). */
    private readonly actor: string,
  ) {}

  handlers(): HandlersOf<'adjudication/set' | 'adjudication/revert'> {
    return {
      'adjudication/set': async (a) => this.set(a),
      'adjudication/revert': async (a) => this.revert(a),
    }
  }

  /**
   * Decides the text's gold labels (the adjudicator: as given, else the current profile). No labels is a
   * decision too: the text then has no gold label and training leaves it out.
   */
  async set(args: {
    textId: number
    labelIds: number[]
    note?: string
    projectId?: number
    adjudicator?: string
  }): Promise<DisagreementDto> {
    const projectId = await this.requireTextProject(args.textId, args.projectId)
    const labelIds = await checkedLabelIds(
      this.repos,
      this.projects,
      projectId,
      args.labelIds,
      'Choose a single label for the decision.',
    )
    const done = await this.repos.annotators.adjudicate({
      projectId,
      textId: args.textId,
      labelIds,
      adjudicator: await this.adjudicator(args.adjudicator),
      note: args.note ? args.note : null,
    })
    if (!done) throw textNotFound(args.textId)
    return this.agreement.disagreement(projectId, args.textId)
  }

  /** Takes the decision back: the gold label is the annotators' (majority, tie policy) again. */
  async revert(args: {
    textId: number
    projectId?: number
    adjudicator?: string
  }): Promise<DisagreementDto> {
    const projectId = await this.requireTextProject(args.textId, args.projectId)
    const done = await this.repos.annotators.revertAdjudication({
      projectId,
      textId: args.textId,
      actor: await this.adjudicator(args.adjudicator),
    })
    if (!done) {
      throw new CtsError(
        'not-found',
        `Text ${args.textId} has no adjudication to revert: its gold label already comes from its annotators.`,
      )
    }
    return this.agreement.disagreement(projectId, args.textId)
  }

  private async adjudicator(given?: string): Promise<string> {
    return given?.trim() || ((await this.repos.annotators.current()) ?? this.actor)
  }

  /** The text's project; when `expected` is given, the text must be in it. */
  private async requireTextProject(textId: number, expected?: number): Promise<number> {
    const projectId = await this.repos.texts.projectOf(textId)
    if (projectId === undefined) throw textNotFound(textId)
    if (expected !== undefined && projectId !== expected) {
      const name = (await this.projects.require(expected)).name
      throw new CtsError('not-found', `Text ${textId} is not in project "${name}".`)
    }
    return projectId
  }
}
