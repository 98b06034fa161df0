// The labelling queue's orders (issue #11 point 3): which text to label next by uncertainty,
// diversity, seeded random or "most likely mislabelled", with the audit sample mixed in.
//
// - uncertainty: smallest margin p1 − p2 under the in-loop model's stored probabilities (LOOP's
//   suggestions). Before that model exists the queue falls back to random and says so
//   (reason.fallbackFrom = 'uncertainty'); texts the model has not scored come after the scored.
// - diversity: k-centre greedy (main/ml/active) over the texts' hashed TF-IDF vectors: the text
//   farthest (cosine) from everything labelled. Distances are kept per project and updated with
//   each new label (queue-diversity.ts), so a call costs O(texts × dim), not O(texts × labelled ×
//   dim); the first call on a project computes the vectors (about 2 s for 3,000 short notes).
// - random: a seeded permutation of the project's texts (seed = the project id), stable across
//   calls while the project's texts stay the same.
// - mislabelled: the top of the label review (review-service.ts) among LABELLED texts.
// Audit-sample texts are served only by the mix-in — every mixEvery-th served text is an unlabelled
// audit text, in a seeded random order — never by the orders above: uncertainty would otherwise
// pick the hard audit texts first and the labelled part of the sample would not be random.
import type { ValidArgs } from '../../preload/contract'
import type { DatasetsResults, QueuedTextDto } from '../../preload/contract/datasets'
import type { NextReasonDto, QueueOrder } from '../../preload/contract/loop'
import { pickRandom, uncertaintyScore } from '../ml/active/strategies'
import type { QueueTextState } from '../store/queue-repository'
import type { Repositories } from '../store/repositories'
import { doneBy, projectAssignment } from './annotation-assignment'
import type { DatasetsService } from './datasets-service'
import { DiversityIndex } from './queue-diversity'
import type { LoopService } from './loop-service'
import type { ProjectsService } from './projects-service'
import type { ReviewService } from './review-service'

/** What the queue needs from the model in the loop (LOOP's service, adapted in boot.ts). */
export interface LoopQueueSource {
  /** Which in-loop model is the latest (a cheap read, on every call); null before any model. */
  modelVersion(projectId: number): Promise<string | null>
  /**
   * That model's stored probabilities for the project's texts, read only when `modelVersion`
   * changed; `labelIds` is the column order of every row.
   */
  probabilities(projectId: number): Promise<{
    version: string
    labelIds: number[]
    byText: Map<number, ArrayLike<number>>
  } | null>
  /**
   * The project's audit sample (never trained on) and the mix-in rate: an unlabelled audit text
   * every `mixEvery`-th served text. Null while the loop is off (no sample, no mix-in).
   */
  audit(projectId: number): Promise<{ textIds: number[]; mixEvery: number } | null>
}

/** No model in the loop: no probabilities, no audit sample. */
export const noLoop: LoopQueueSource = {
  modelVersion: async () => null,
  probabilities: async () => null,
  audit: async () => null,
}

/** The model in the loop (LoopService and its repository) as the queue's source. */
export function loopQueueSource(
  loop: Pick<LoopService, 'probabilities' | 'settings' | 'auditTextIds'>,
  repos: Pick<Repositories, 'loop'>,
): LoopQueueSource {
  return {
    modelVersion: async (projectId) => {
      const model = await repos.loop.latestModel(projectId)
      return model ? String(model.id) : null
    },
    probabilities: async (projectId) => {
      // The version is read first: a model completed in between is only newer data under it.
      const model = await repos.loop.latestModel(projectId)
      const p = await loop.probabilities(projectId)
      return model && p ? { version: String(model.id), labelIds: p.labelIds, byText: p.rows } : null
    },
    audit: async (projectId) => {
      const settings = await loop.settings(projectId)
      if (!settings.enabled) return null
      return { textIds: await loop.auditTextIds(projectId), mixEvery: settings.mixEvery }
    },
  }
}

type NextArgs = ValidArgs<'texts/next'>
type NextResult = DatasetsResults['texts/next']

/**
 * One annotator's side of the queue (texts/next with `annotator`): the texts in their share (null:
 * every text, no team) and the texts they are done with (see doneBy).
 */
interface AnnotatorView {
  share: Set<number> | null
  labelled: Set<number>
}

export class QueueService {
  /** Served texts per project (non-sequential orders): the audit mix-in counts these. */
  private readonly served = new Map<number, number>()
  private readonly margins = new Map<number, { version: string; margin: Map<number, number> }>()
  private readonly permutations = new Map<number, { key: string; order: number[] }>()
  private readonly diversity = new Map<number, DiversityIndex>()
  /** Per project, the diversity call in progress: its kept distances are updated one at a time. */
  private readonly diversityTurn = new Map<number, Promise<unknown>>()

  constructor(
    private readonly repos: Pick<Repositories, 'annotators' | 'queue' | 'texts'>,
    private readonly projects: ProjectsService,
    private readonly datasets: DatasetsService,
    private readonly review: ReviewService,
    private readonly loop: LoopQueueSource = noLoop,
  ) {}

  /**
   * `texts/next`: today's sequential next unless another order is asked. With `annotator`, only
   * texts in their share, and "unlabelled" means not labelled by them.
   */
  async next(args: NextArgs): Promise<NextResult> {
    const n = args.n ?? 1
    const view =
      args.annotator === undefined ? null : await this.viewOf(args.projectId, args.annotator)
    if (args.order === undefined || args.order === 'sequential') {
      const nextAfter = (afterTextId: number | undefined) =>
        view
          ? this.sequentialFor(args, view, afterTextId)
          : this.datasets.next({ ...args, afterTextId })
      const first = await nextAfter(args.afterTextId)
      if (args.order === undefined && n === 1) return first
      const reason: NextReasonDto = { order: 'sequential' }
      if (n === 1) return { ...first, reason }
      return { ...first, reason, queue: await this.sequential(nextAfter, first.textId, n, reason) }
    }
    await this.projects.require(args.projectId)
    const queue = await this.queue(args.projectId, args.order, n, args.afterTextId, view)
    const total = await this.repos.texts.count(args.projectId)
    const head = queue[0]
    const position = head ? await this.repos.texts.positionOf(args.projectId, head.textId) : 0
    return {
      textId: head?.textId ?? null,
      position,
      total,
      ...(head ? { reason: head.reason } : {}),
      ...(n > 1 ? { queue } : {}),
    }
  }

  /**
   * The first n texts of the order's queue (audit texts mixed in), `afterTextId` left out; with an
   * annotator's view, only their share and "labelled" by them.
   */
  async queue(
    projectId: number,
    order: Exclude<QueueOrder, 'sequential'>,
    n: number,
    afterTextId?: number,
    view: AnnotatorView | null = null,
  ): Promise<QueuedTextDto[]> {
    if (order === 'mislabelled') {
      const flagged = await this.mislabelled(projectId, view?.share ? Infinity : n, afterTextId)
      return view?.share ? flagged.filter((q) => view.share!.has(q.textId)).slice(0, n) : flagged
    }
    // The full states stay the key of the cached permutation and diversity vectors.
    const states = await this.repos.queue.states(projectId)
    const sample = await this.loop.audit(projectId)
    const audit = new Set(sample?.textIds ?? [])
    const open = (s: QueueTextState, skipped: boolean) =>
      !labelledIn(s, view) &&
      s.skipped === skipped &&
      s.id !== afterTextId &&
      !audit.has(s.id) &&
      inShareOf(s.id, view)
    const fresh = states.filter((s) => open(s, false)).map((s) => s.id)
    const picks = await this.ranked(projectId, order, fresh, states, n)
    // Skipped texts only when the others have run out, as in the sequential order.
    if (picks.length < n) {
      const skipped = states.filter((s) => open(s, true)).map((s) => s.id)
      picks.push(...(await this.ranked(projectId, order, skipped, states, n - picks.length)))
    }
    return this.mixAudit(
      projectId,
      picks,
      states,
      audit,
      sample?.mixEvery ?? null,
      n,
      afterTextId,
      view,
    )
  }

  /**
   * The annotator's share (by the project's assignment) and the texts they are done with
   * (doneBy: their own label, or the gold label of a text nobody must label twice).
   */
  private async viewOf(projectId: number, annotator: string): Promise<AnnotatorView> {
    await this.projects.require(projectId)
    const name = annotator.trim()
    const [settings, texts, states] = await Promise.all([
      this.repos.annotators.settings(projectId),
      this.repos.annotators.textHashes(projectId),
      this.repos.queue.states(projectId),
    ])
    const assigned = settings.team.length === 0 ? null : projectAssignment(texts, settings)
    const share = assigned
      ? new Set(texts.filter((t) => assigned.get(t.id)!.annotators.includes(name)).map((t) => t.id))
      : null
    const own = await this.repos.annotators.ownLabels(
      projectId,
      name,
      texts.map((t) => t.id),
    )
    const gold = new Set(states.filter((s) => s.labelled).map((s) => s.id))
    const labelled = new Set(
      texts
        .filter((t) => doneBy(own.get(t.id), gold.has(t.id), assigned?.get(t.id)!.overlap ?? false))
        .map((t) => t.id),
    )
    return { share, labelled }
  }

  /**
   * The sequential next for an annotator, as texts-repo's nextText over their share: after
   * `afterTextId` in id order, wrapping; unlabelled (by them) and not skipped first, then
   * unlabelled skipped, then (unless unlabelledOnly) any text of their share.
   */
  private async sequentialFor(
    args: NextArgs,
    view: AnnotatorView,
    afterTextId: number | undefined,
  ): Promise<{ textId: number | null; position: number; total: number }> {
    const states = (await this.repos.queue.states(args.projectId)).filter((s) =>
      inShareOf(s.id, view),
    )
    const after = afterTextId ?? 0
    const tiers: ((s: QueueTextState) => boolean)[] = [
      (s) => !view.labelled.has(s.id) && !s.skipped,
      (s) => !view.labelled.has(s.id) && s.skipped,
    ]
    if (!args.unlabelledOnly) tiers.push(() => true)
    let textId: number | null = null
    for (const tier of tiers) {
      const found =
        states.find((s) => s.id > after && tier(s)) ?? states.find((s) => s.id <= after && tier(s))
      if (found) {
        textId = found.id
        break
      }
    }
    const total = await this.repos.texts.count(args.projectId)
    return {
      textId,
      position: textId === null ? 0 : await this.repos.texts.positionOf(args.projectId, textId),
      total,
    }
  }

  private async ranked(
    projectId: number,
    order: 'uncertainty' | 'diversity' | 'random',
    candidates: number[],
    states: QueueTextState[],
    n: number,
  ): Promise<QueuedTextDto[]> {
    if (order === 'uncertainty') {
      const margins = await this.marginsOf(projectId)
      if (margins === null) {
        return this.random(projectId, candidates, states, n).map((q) => ({
          ...q,
          reason: { order: 'random', fallbackFrom: 'uncertainty' },
        }))
      }
      const scored = candidates.filter((id) => margins.has(id))
      const unscored = new Set(candidates.filter((id) => !margins.has(id)))
      // Smallest margin first; ties keep the candidates' order (stable sort).
      scored.sort((a, b) => margins.get(a)! - margins.get(b)!)
      const head: QueuedTextDto[] = scored.slice(0, n).map((textId) => ({
        textId,
        reason: { order: 'uncertainty', value: margins.get(textId)! },
      }))
      if (head.length >= n || unscored.size === 0) return head
      const rest = this.random(projectId, [...unscored], states, n - head.length)
      return [
        ...head,
        ...rest.map((q) => ({
          ...q,
          reason: { order: 'random' as const, fallbackFrom: 'uncertainty' as const },
        })),
      ]
    }
    if (order === 'diversity') return this.diverse(projectId, candidates, states, n)
    return this.random(projectId, candidates, states, n)
  }

  /** Margin p1 − p2 of every scored text under the current in-loop model (cached per version). */
  private async marginsOf(projectId: number): Promise<Map<number, number> | null> {
    const version = await this.loop.modelVersion(projectId)
    if (version === null) return null
    const cached = this.margins.get(projectId)
    if (cached?.version === version) return cached.margin
    const p = await this.loop.probabilities(projectId)
    if (p === null) return null
    const margin = new Map<number, number>()
    for (const [id, row] of p.byText) margin.set(id, -uncertaintyScore(row, 'margin'))
    this.margins.set(projectId, { version: p.version, margin })
    return margin
  }

  /** The candidates in the project's seeded permutation of all its texts. */
  private random(
    projectId: number,
    candidates: number[],
    states: QueueTextState[],
    n: number,
  ): QueuedTextDto[] {
    const rank = this.permutationRank(projectId, states)
    return [...candidates]
      .sort((a, b) => rank.get(a)! - rank.get(b)!)
      .slice(0, n)
      .map((textId) => ({ textId, reason: { order: 'random' } }))
  }

  /** Text id → its place in the project's seeded permutation (seed = project id). */
  private permutationRank(projectId: number, states: QueueTextState[]): Map<number, number> {
    const key = idsKey(states)
    let cached = this.permutations.get(projectId)
    if (cached?.key !== key) {
      const order = pickRandom(states.length, states.length, projectId).map((i) => states[i].id)
      cached = { key, order }
      this.permutations.set(projectId, cached)
    }
    return new Map(cached.order.map((id, i) => [id, i]))
  }

  /** k-centre greedy over the candidates, from the kept distances to the labelled texts. */
  private async diverse(
    projectId: number,
    candidates: number[],
    states: QueueTextState[],
    n: number,
  ): Promise<QueuedTextDto[]> {
    if (candidates.length === 0) return []
    const turn = (this.diversityTurn.get(projectId) ?? Promise.resolve()).then(async () => {
      const key = idsKey(states)
      let index = this.diversity.get(projectId)
      if (index?.key !== key) {
        index = await DiversityIndex.build(key, await this.repos.queue.texts(projectId))
        this.diversity.set(projectId, index)
      }
      await index.update(new Set(states.filter((s) => s.labelled).map((s) => s.id)))
      return index.pick(candidates, n)
    })
    this.diversityTurn.set(
      projectId,
      turn.catch(() => undefined),
    )
    return (await turn).map((p) => ({
      textId: p.textId,
      reason: { order: 'diversity', value: p.distance },
    }))
  }

  /** Labelled texts the review flags, most likely wrong first, not reviewed since. */
  private async mislabelled(
    projectId: number,
    n: number,
    afterTextId?: number,
  ): Promise<QueuedTextDto[]> {
    const ranking = await this.review.ranking(projectId)
    const reviewed = new Set(await this.repos.queue.reviewed(projectId))
    return ranking.flagged
      .filter((c) => !reviewed.has(c.textId) && c.textId !== afterTextId)
      .slice(0, n)
      .map((c) => ({ textId: c.textId, reason: { order: 'mislabelled', value: c.selfConfidence } }))
  }

  /**
   * Every mixEvery-th served text is an unlabelled audit text (seeded order), while any is left;
   * the others come from `picks` in order.
   */
  private mixAudit(
    projectId: number,
    picks: QueuedTextDto[],
    states: QueueTextState[],
    audit: Set<number>,
    every: number | null,
    n: number,
    afterTextId?: number,
    view: AnnotatorView | null = null,
  ): QueuedTextDto[] {
    const count = this.served.get(projectId) ?? 0
    if (!every) {
      this.served.set(projectId, count + Math.min(n, picks.length))
      return picks
    }
    const open = states
      .filter(
        (s) =>
          audit.has(s.id) && !labelledIn(s, view) && s.id !== afterTextId && inShareOf(s.id, view),
      )
      .map((s) => s.id)
    const auditQueue = this.random(projectId, open, states, open.length).map((q) => q.textId)
    const out: QueuedTextDto[] = []
    let served = count
    let p = 0
    let a = 0
    while (out.length < n && (p < picks.length || a < auditQueue.length)) {
      const auditTurn = (served + 1) % every === 0
      if ((auditTurn && a < auditQueue.length) || p >= picks.length) {
        out.push({ textId: auditQueue[a++], reason: { order: 'audit' } })
      } else {
        out.push(picks[p++])
      }
      served++
    }
    this.served.set(projectId, served)
    return out
  }

  /** The sequential order's first n texts (each the next after the one before). */
  private async sequential(
    nextAfter: (afterTextId: number) => Promise<{ textId: number | null }>,
    first: number | null,
    n: number,
    reason: NextReasonDto,
  ): Promise<QueuedTextDto[]> {
    const out: QueuedTextDto[] = []
    const seen = new Set<number>()
    let id = first
    while (id !== null && out.length < n && !seen.has(id)) {
      seen.add(id)
      out.push({ textId: id, reason })
      id = (await nextAfter(id)).textId
    }
    return out
  }
}

/** Labelled as the queue counts it: by the annotator with a view, else by anyone (gold). */
function labelledIn(s: QueueTextState, view: AnnotatorView | null): boolean {
  return view ? view.labelled.has(s.id) : s.labelled
}

function inShareOf(textId: number, view: AnnotatorView | null): boolean {
  return view?.share == null || view.share.has(textId)
}

/** Identifies a project's text set (texts are only added or removed with their project). */
function idsKey(states: QueueTextState[]): string {
  return `${states.length}:${states[0]?.id ?? 0}:${states[states.length - 1]?.id ?? 0}`
}
