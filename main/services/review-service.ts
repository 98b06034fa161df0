// Label-error review (issue #11 point 5): out-of-fold probabilities over the labelled texts ranked
// by confident learning's self-confidence, and the keep / relabel decisions on what it flags.
import type { ValidArgs } from '../../preload/contract'
import type { LoopResults, ReviewItemDto } from '../../preload/contract/loop'
import { findLabelIssues, selfConfidence } from '../ml/active/confident-learning'
import { outOfFoldProbabilities } from '../ml/active/out-of-fold'
import { CtsError } from '../shared'
import type { Repositories } from '../store/repositories'
import type { LabelsService } from './labels-service'
import type { ProjectsService } from './projects-service'

/** Folds of the out-of-fold fits when the caller names none (the contract's default too). */
export const DEFAULT_REVIEW_FOLDS = 5

/** Out-of-fold probabilities for one project's labelled texts: the k fits behind a review. */
export type OutOfFoldFn = (
  texts: string[],
  labels: number[],
  classes: number,
  o: { k: number },
) => Promise<{ probs: ArrayLike<number>[]; k: number }>

/** One flagged text: a likely label error, most likely first. */
export interface ReviewCandidate {
  textId: number
  text: string
  /** Label ids by class index (the project's label order). */
  given: number
  predicted: number
  probs: ArrayLike<number>
  selfConfidence: number
}

/** The review ranking of a project at one state of its labels (before decisions are applied). */
export interface ReviewRanking {
  /** Labelled texts scored (single-labelled, not skipped). */
  labelled: number
  folds: number
  /** The project's label ids in class-index order. */
  labelIds: number[]
  flagged: ReviewCandidate[]
}

export class ReviewService {
  /** One ranking per project, for the labels it was computed on (k fits: worth keeping). */
  private readonly cache = new Map<number, { key: string; ranking: Promise<ReviewRanking> }>()

  constructor(
    private readonly repos: Pick<Repositories, 'queue' | 'texts' | 'projects'>,
    private readonly projects: ProjectsService,
    private readonly labels: LabelsService,
    private readonly actor: string,
    private readonly outOfFold: OutOfFoldFn = outOfFoldProbabilities,
  ) {}

  /**
   * The project's likely label errors (confident learning on k-fold out-of-fold probabilities),
   * ranked by self-confidence, lowest first. Recomputed only when the labels or k change.
   */
  async ranking(projectId: number, k = DEFAULT_REVIEW_FOLDS): Promise<ReviewRanking> {
    const project = await this.projects.require(projectId)
    if (project.kind === 'multilabel') {
      throw new CtsError(
        'bad-input',
        'Label review needs one label per text; this project takes several labels per text.',
      )
    }
    const { rows } = await this.repos.texts.singleLabelled(projectId)
    const labelIds = (await this.repos.projects.labels(projectId)).map((l) => l.id)
    const key = `${k}|${labelIds.length}|${rows.map((r) => `${r.id}:${r.label}`).join(',')}`
    const cached = this.cache.get(projectId)
    if (cached?.key === key) return cached.ranking
    const ranking = this.compute(rows, labelIds, k)
    this.cache.set(projectId, { key, ranking })
    // A failed computation is not kept: the next call tries again.
    ranking.catch(() => {
      if (this.cache.get(projectId)?.ranking === ranking) this.cache.delete(projectId)
    })
    return ranking
  }

  /** The review queue: flagged texts not reviewed since their labels last changed. */
  async list(args: ValidArgs<'review/list'>): Promise<LoopResults['review/list']> {
    const ranking = await this.ranking(args.projectId, args.k)
    const reviewed = new Set(await this.repos.queue.reviewed(args.projectId))
    const items: ReviewItemDto[] = ranking.flagged
      .filter((c) => !reviewed.has(c.textId))
      .slice(0, args.limit)
      .map((c, i) => ({
        textId: c.textId,
        text: c.text,
        rank: i + 1,
        givenLabelIds: [ranking.labelIds[c.given]],
        predictedLabelId: ranking.labelIds[c.predicted],
        probabilityGiven: c.probs[c.given],
        probabilityPredicted: c.probs[c.predicted],
      }))
    return { items, labelled: ranking.labelled, folds: ranking.folds }
  }

  /**
   * Keep: the label stays, and the decision is audit-logged ('review.keep') so the text leaves the
   * queue until its labels change. Relabel: the labels service sets the new labels (audited as
   * any label change), then the decision is recorded ('review.relabel').
   */
  async decide(args: ValidArgs<'review/decide'>): Promise<LoopResults['review/decide']> {
    const text = await this.repos.texts.find(args.textId)
    if (!text) throw new CtsError('not-found', `Text ${args.textId} does not exist.`)
    if (args.decision === 'keep') {
      if (args.labelIds !== undefined) {
        throw new CtsError('bad-input', 'Keep leaves the labels as they are: give no labelIds.')
      }
      if (text.labelIds.length === 0) {
        throw new CtsError('bad-input', `Text ${args.textId} has no label to keep.`)
      }
    } else {
      if (!args.labelIds?.length) {
        throw new CtsError('bad-input', 'Relabel needs the new label: choose a label.')
      }
      await this.labels.set({ textId: args.textId, labelIds: args.labelIds })
    }
    const done = await this.repos.queue.decide({
      projectId: text.projectId,
      textId: args.textId,
      decision: args.decision,
      actor: this.actor,
      details:
        args.decision === 'keep'
          ? { labelIds: text.labelIds }
          : { from: text.labelIds, labelIds: [...args.labelIds!].sort((a, b) => a - b) },
    })
    if (!done) throw new CtsError('not-found', `Text ${args.textId} does not exist.`)
    return { textId: args.textId, decision: args.decision }
  }

  private async compute(
    rows: { id: number; text: string; label: number }[],
    labelIds: number[],
    k: number,
  ): Promise<ReviewRanking> {
    const labels = rows.map((r) => r.label)
    const oof = await this.outOfFold(
      rows.map((r) => r.text),
      labels,
      labelIds.length,
      { k },
    )
    const sc = selfConfidence(labels, oof.probs)
    const flagged = findLabelIssues(labels, oof.probs).map((i) => ({
      textId: rows[i].id,
      text: rows[i].text,
      given: labels[i],
      predicted: argmax(oof.probs[i]),
      probs: oof.probs[i],
      selfConfidence: sc[i],
    }))
    return { labelled: rows.length, folds: oof.k, labelIds, flagged }
  }
}

/** Index of the largest probability (first on ties). */
function argmax(p: ArrayLike<number>): number {
  let best = 0
  for (let j = 1; j < p.length; j++) if (p[j] > p[best]) best = j
  return best
}
