// Agreement between a project's annotators (issue #12 point 4) and the texts they disagree on
// (point 5): agreement/report, agreement/pair, agreement/disagreements, and the label provenance
// a training run records. The figures are agreement-report.ts's on matrices built from each
// annotator's own rows (repos.annotators); the reference annotator '' never counts.
import type {
  AdjudicationDto,
  AgreementDto,
  DisagreementDto,
  LabelProvenanceDto,
  PairConfusionDto,
} from '../../preload/contract/agreement'
import type { HandlersOf } from '../../preload/contract'
import type { LabelSetMatrix } from '../ml/eval/agreement'
import { agreementReport, type AgreementOptions } from '../ml/eval/agreement-report'
import { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, CONFIDENCE_LEVEL } from '../ml/eval/eval-defaults'
import { CtsError } from '../shared'
import type { Repositories } from '../store/repositories'
import {
  agreementFigures,
  disagreementTextIds,
  figuresDto,
  labelSetMatrix,
  namedAnnotators,
  pairConfusion,
  valueDto,
  type LabelRow,
} from './agreement-figures'
import type { ProjectsService } from './projects-service'

export type AgreementRepos = Pick<Repositories, 'annotators' | 'projects' | 'texts'>

type AgreementCalls = 'agreement/report' | 'agreement/pair' | 'agreement/disagreements'

export class AgreementService {
  constructor(
    private readonly repos: AgreementRepos,
    private readonly projects: ProjectsService,
    /** Tests only: fewer bootstrap resamples, another seed. */
    private readonly options: AgreementOptions = {},
  ) {}

  handlers(): HandlersOf<AgreementCalls> {
    return {
      'agreement/report': async (a) => this.report(a),
      'agreement/pair': async (a) => this.pair(a),
      'agreement/disagreements': async (a) => this.disagreements(a),
    }
  }

  /**
   * Cohen's κ per pair, Fleiss' κ (complete tables), Krippendorff's α, with bootstrap intervals,
   * on the texts two or more of `annotators` (default: every named annotator with labels) labelled.
   */
  async report(args: { projectId: number; annotators?: string[] }): Promise<AgreementDto> {
    const { projectId } = args
    const project = await this.projects.require(projectId)
    const labelIds = await this.labelIds(projectId)
    const rows = await this.repos.annotators.rows(projectId)
    const annotators = args.annotators ? [...new Set(args.annotators)] : namedAnnotators(rows)
    const { sets } = labelSetMatrix(rows, annotators)
    const { overall, perLabel } = agreementFigures({
      multiLabel: project.kind === 'multilabel',
      labelIds,
      annotators,
      sets,
      options: this.options,
    })
    const disagreements = disagreementTextIds(rows)
    const decided = await this.repos.annotators.adjudications(projectId)
    return {
      projectId,
      annotators,
      overall,
      perLabel,
      resamples: this.options.resamples ?? BOOTSTRAP_RESAMPLES,
      level: this.options.level ?? CONFIDENCE_LEVEL,
      seed: this.options.seed ?? BOOTSTRAP_SEED,
      disagreements: disagreements.length,
      adjudicated: disagreements.filter((t) => decided.has(t)).length,
    }
  }

  /** a's label (rows) against b's (columns) on the texts both labelled; single-label projects. */
  async pair(args: { projectId: number; a: string; b: string }): Promise<PairConfusionDto> {
    const { projectId, a, b } = args
    const project = await this.projects.require(projectId)
    if (project.kind === 'multilabel') {
      throw new CtsError(
        'bad-input',
        `"${project.name}" is a multi-label project: a text may have several labels, so two ` +
          "annotators' labels make no single confusion table. See the per-label figures of the agreement report.",
      )
    }
    if (a === b) throw new CtsError('bad-input', 'Choose two different annotators to compare.')
    const rows = await this.repos.annotators.rows(projectId)
    const known = namedAnnotators(rows)
    for (const name of [a, b]) {
      if (!known.includes(name)) {
        throw new CtsError(
          'not-found',
          `"${name}" has no labels in "${project.name}".` +
            (known.length > 0
              ? ` Annotators with labels: ${known.map((k) => `"${k}"`).join(', ')}.`
              : ' No named annotator has labelled a text of it yet.'),
        )
      }
    }
    return pairConfusion(rows, a, b, await this.labelIds(projectId))
  }

  /** Texts whose named annotators chose different labels, by text id; `open`: not yet decided. */
  async disagreements(args: {
    projectId: number
    offset: number
    limit: number
    open?: boolean
  }): Promise<{ total: number; rows: DisagreementDto[] }> {
    const { projectId } = args
    await this.projects.require(projectId)
    const rows = await this.repos.annotators.rows(projectId)
    const decided = await this.repos.annotators.adjudications(projectId)
    const ids = disagreementTextIds(rows).filter((t) => !args.open || !decided.has(t))
    const page = ids.slice(args.offset, args.offset + args.limit)
    const resolution = await this.repos.annotators.resolution(projectId)
    const out: DisagreementDto[] = []
    for (const textId of page) {
      out.push(await this.describe(textId, rows, decided.get(textId) ?? null, resolution))
    }
    return { total: ids.length, rows: out }
  }

  /** One text as the disagreement list shows it (whether or not its annotators disagree). */
  async disagreement(projectId: number, textId: number): Promise<DisagreementDto> {
    const rows = (await this.repos.annotators.rows(projectId)).filter((r) => r.textId === textId)
    const decided = await this.repos.annotators.adjudications(projectId)
    const resolution = await this.repos.annotators.resolution(projectId)
    return this.describe(textId, rows, decided.get(textId) ?? null, resolution)
  }

  /**
   * What a training run records about its labels: the tie policy, how every text's gold label came
   * about, and agreement over all named annotators — α, Cohen's κ when there are exactly two,
   * Fleiss' κ when every overlapping text has the same number of annotators. The figures are null
   * when no text was labelled by two annotators. Multi-label projects compare label SETS (each
   * distinct set one nominal category); the per-label figures are in agreement/report.
   */
  async labelProvenance(projectId: number): Promise<LabelProvenanceDto> {
    const project = await this.projects.require(projectId)
    const settings = await this.repos.annotators.settings(projectId)
    const counts = await this.repos.annotators.resolutionCounts(projectId)
    const rows = await this.repos.annotators.rows(projectId)
    const annotators = namedAnnotators(rows)
    const policy = { tiePolicy: settings.tiePolicy, tieAnnotator: settings.tieAnnotator }
    const { sets } = labelSetMatrix(rows, annotators)
    if (sets.length === 0)
      return { annotators, policy, counts, alpha: null, cohen: null, fleiss: null }
    const { ratings, categories } =
      project.kind === 'multilabel'
        ? setCategories(sets)
        : singleCategories(sets, await this.labelIds(projectId))
    const report = agreementReport(ratings, categories, this.options)
    const figures = figuresDto(report, ratings, annotators)
    return {
      annotators,
      policy,
      counts,
      alpha: valueDto(report.alpha),
      cohen: annotators.length === 2 ? figures.cohen[0] : null,
      fleiss: figures.fleiss,
    }
  }

  /** The project's label ids in position order (the categories' order). */
  private async labelIds(projectId: number): Promise<number[]> {
    const labels = await this.repos.projects.labels(projectId)
    return [...labels].sort((x, y) => x.position - y.position).map((l) => l.id)
  }

  private async describe(
    textId: number,
    rows: readonly LabelRow[],
    adjudication: AdjudicationDto | null,
    resolution: Map<number, { labelIds: number[]; how: DisagreementDto['how'] }>,
  ): Promise<DisagreementDto> {
    const text = await this.repos.texts.find(textId)
    if (!text) throw new CtsError('not-found', `Text ${textId} does not exist.`)
    const gold = resolution.get(textId) ?? { labelIds: [], how: 'none' as const }
    return {
      textId,
      text: text.text,
      annotations: rows
        .filter((r) => r.textId === textId && r.annotator !== '' && r.labelIds.length > 0)
        .map((r) => ({ annotator: r.annotator, labelIds: r.labelIds, at: r.at })),
      adjudication,
      resolved: gold.labelIds,
      how: gold.how,
    }
  }
}

/** Single-label sets → label index ratings over the project's labels. */
function singleCategories(
  sets: LabelSetMatrix,
  labelIds: readonly number[],
): { ratings: (number | null)[][]; categories: number } {
  const index = new Map(labelIds.map((id, i) => [id, i]))
  return {
    ratings: sets.map((row) => row.map((s) => (s === null ? null : index.get(s[0])!))),
    categories: labelIds.length,
  }
}

/** Multi-label sets → one category per distinct label set (exact agreement on the whole set). */
function setCategories(sets: LabelSetMatrix): {
  ratings: (number | null)[][]
  categories: number
} {
  const category = new Map<string, number>()
  const ratings = sets.map((row) =>
    row.map((s) => {
      if (s === null) return null
      const key = s.join(',')
      if (!category.has(key)) category.set(key, category.size)
      return category.get(key)!
    }),
  )
  return { ratings, categories: Math.max(1, category.size) }
}
