// From annotators' label rows to the agreement DTOs (pure): the rating matrices (texts × annotators,
// null where an annotator did not label a text), the figures of agreement-report.ts with names, and
// which texts the named annotators disagree on.
import type {
  AgreementFiguresDto,
  AgreementValueDto,
  PairAgreementDto,
  PairConfusionDto,
} from '../../preload/contract/agreement'
import type { LabelSetMatrix, RatingMatrix } from '../ml/eval/agreement'
import {
  agreementReport,
  multiLabelAgreementReport,
  type AgreementInterval,
  type AgreementOptions,
  type AgreementReport,
} from '../ml/eval/agreement-report'

/** One annotator's own current labels on one text (label ids sorted; [] = they cleared it). */
export interface LabelRow {
  textId: number
  annotator: string
  labelIds: number[]
  at: string
}

/**
 * The label sets of `annotators` (columns, in that order) on every text two or more of them
 * labelled. A cleared row ([]) counts as not labelled: it is no rating of the text.
 */
export function labelSetMatrix(
  rows: readonly LabelRow[],
  annotators: readonly string[],
): { textIds: number[]; sets: LabelSetMatrix } {
  const column = new Map(annotators.map((a, i) => [a, i]))
  const byText = new Map<number, (number[] | null)[]>()
  for (const r of rows) {
    const c = column.get(r.annotator)
    if (c === undefined || r.labelIds.length === 0) continue
    let row = byText.get(r.textId)
    if (!row) byText.set(r.textId, (row = new Array<number[] | null>(annotators.length).fill(null)))
    row[c] = [...r.labelIds].sort((x, y) => x - y)
  }
  const textIds = [...byText.keys()]
    .filter((t) => byText.get(t)!.filter((s) => s !== null).length >= 2)
    .sort((x, y) => x - y)
  return { textIds, sets: textIds.map((t) => byText.get(t)!) }
}

/** Label sets → label indices (position order). Multi-label sets keep every label. */
export function indexSets(sets: LabelSetMatrix, labelIds: readonly number[]): LabelSetMatrix {
  const index = new Map(labelIds.map((id, i) => [id, i]))
  return sets.map((row) => row.map((s) => (s === null ? null : s.map((id) => index.get(id) ?? -1))))
}

/** Single-label sets (one label index each) → the rating matrix agreementReport takes. */
export function singleRatings(indexed: LabelSetMatrix): RatingMatrix {
  return indexed.map((row) => row.map((s) => (s === null ? null : s[0])))
}

const num = (v: number): number | null => (Number.isNaN(v) ? null : v)

/** NaN (undefined κ/α, or every resample undefined) travels as null. */
export function valueDto(i: AgreementInterval): AgreementValueDto {
  return { estimate: num(i.estimate), lower: num(i.lower), upper: num(i.upper) }
}

const NO_VALUE: AgreementValueDto = { estimate: null, lower: null, upper: null }

/** Share of the texts both rated on which the two ratings are equal; null when none. */
function observedShare(ratings: RatingMatrix, a: number, b: number): number | null {
  let both = 0
  let same = 0
  for (const row of ratings) {
    if (row[a] === null || row[b] === null) continue
    both++
    if (row[a] === row[b]) same++
  }
  return both === 0 ? null : same / both
}

/** A report of agreement-report.ts on `ratings`, with annotator names and observed agreement. */
export function figuresDto(
  report: AgreementReport,
  ratings: RatingMatrix,
  annotators: readonly string[],
): AgreementFiguresDto {
  const cohen: PairAgreementDto[] = []
  for (let a = 0; a < annotators.length; a++) {
    for (let b = a + 1; b < annotators.length; b++) {
      // agreementReport has no pairs when no text has two ratings (its matrix has no columns).
      const pair = report.cohen.find((p) => p.a === a && p.b === b)
      cohen.push({
        a: annotators[a],
        b: annotators[b],
        texts: pair?.texts ?? 0,
        observed: pair ? observedShare(ratings, a, b) : null,
        kappa: pair ? valueDto(pair.kappa) : NO_VALUE,
      })
    }
  }
  return {
    texts: report.texts,
    cohen,
    fleiss: report.fleiss ? valueDto(report.fleiss) : null,
    alpha: valueDto(report.alpha),
  }
}

/** Overall (single-label projects) and per-label figures for label sets of `annotators`. */
export function agreementFigures(input: {
  multiLabel: boolean
  /** The project's label ids in position order. */
  labelIds: readonly number[]
  annotators: readonly string[]
  sets: LabelSetMatrix
  options?: AgreementOptions
}): {
  overall: AgreementFiguresDto | null
  perLabel: { labelId: number; figures: AgreementFiguresDto }[]
} {
  const { labelIds, annotators, options } = input
  const indexed = indexSets(input.sets, labelIds)
  let overall: AgreementFiguresDto | null = null
  if (!input.multiLabel) {
    const ratings = singleRatings(indexed)
    overall = figuresDto(agreementReport(ratings, labelIds.length, options), ratings, annotators)
  }
  // One-vs-rest for single-label projects; each label present/absent for multi-label ones.
  const multi = multiLabelAgreementReport(indexed, labelIds.length, options)
  const perLabel = multi.perLabel.map((report, l) => {
    const presence = indexed.map((row) =>
      row.map((s) => (s === null ? null : s.includes(l) ? 1 : 0)),
    )
    return { labelId: labelIds[l], figures: figuresDto(report, presence, annotators) }
  })
  return { overall, perLabel }
}

/** Two label sets (sorted) are the same. */
export function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

/**
 * Texts where two or more named annotators have non-empty labels and their label sets differ,
 * ascending. Rows of the reference annotator '' never count.
 */
export function disagreementTextIds(rows: readonly LabelRow[]): number[] {
  const byText = new Map<number, number[][]>()
  for (const r of rows) {
    if (r.annotator === '' || r.labelIds.length === 0) continue
    const sets = byText.get(r.textId) ?? []
    sets.push([...r.labelIds].sort((x, y) => x - y))
    byText.set(r.textId, sets)
  }
  return [...byText.entries()]
    .filter(([, sets]) => sets.length >= 2 && sets.some((s) => !sameSet(s, sets[0])))
    .map(([t]) => t)
    .sort((x, y) => x - y)
}

/** Named annotators (never '') with at least one non-empty row, in name order. */
export function namedAnnotators(rows: readonly LabelRow[]): string[] {
  const names = new Set<string>()
  for (const r of rows) if (r.annotator !== '' && r.labelIds.length > 0) names.add(r.annotator)
  return [...names].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))
}

/** Single-label projects: a's label (rows) against b's (columns) on texts both labelled. */
export function pairConfusion(
  rows: readonly LabelRow[],
  a: string,
  b: string,
  labelIds: readonly number[],
): PairConfusionDto {
  const { sets } = labelSetMatrix(rows, [a, b])
  const index = new Map(labelIds.map((id, i) => [id, i]))
  const matrix = labelIds.map(() => new Array<number>(labelIds.length).fill(0))
  for (const [sa, sb] of sets) matrix[index.get(sa![0])!][index.get(sb![0])!]++
  return { a, b, labelIds: [...labelIds], matrix, texts: sets.length }
}
