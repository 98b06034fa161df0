// Which team members label which text (issue #12, double annotation): a pure, seeded function of
// the text's content hash, so every installation computes the same shares without talking.
import { createHash } from 'node:crypto'
import type { AnnotationSettingsDto } from '../../preload/contract/annotators'

/** The settings the assignment reads. */
export type AssignmentSettings = Pick<
  AnnotationSettingsDto,
  'team' | 'overlap' | 'overlapAnnotators' | 'seed'
>

export interface Assignment {
  /** Chosen for double annotation (always false without a team). */
  overlap: boolean
  /** Who labels the text: min(overlapAnnotators, team) names on overlap texts, else one; [] without a team. */
  annotators: string[]
}

const NO_ASSIGNMENT: Assignment = { overlap: false, annotators: [] }

const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex')

/** A uniform number in [0, 1) from the first 8 hex digits (32 bits) of a sha256. */
const unit = (hex: string) => parseInt(hex.slice(0, 8), 16) / 2 ** 32

/** The team without repeats, in its given order (a name twice would take two of k places). */
function distinctTeam(team: readonly string[]): string[] {
  return [...new Set(team)]
}

/**
 * The text's assignment: it is an overlap text iff u < overlap, u from sha256(`seed:hash`); team
 * members are ranked by sha256(`seed:hash:name`) ascending and the first one (overlap: the first
 * min(k, team size)) label it. Empty team: no assignment (everyone's share is every text).
 */
export function assignment(contentHash: string, settings: AssignmentSettings): Assignment {
  const team = distinctTeam(settings.team)
  if (team.length === 0) return NO_ASSIGNMENT
  const key = `${settings.seed}:${contentHash}`
  const overlap = unit(sha256Hex(key)) < settings.overlap
  const ranked = team
    .map((name) => ({ name, rank: sha256Hex(`${key}:${name}`) }))
    // Hex digests of equal length compare as their numbers; a tie (never in practice) by name.
    .sort((a, b) =>
      a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    )
    .map((r) => r.name)
  const k = overlap ? Math.min(Math.max(1, settings.overlapAnnotators), team.length) : 1
  return { overlap, annotators: ranked.slice(0, k) }
}

/**
 * Every text's assignment, by text id. Remembered for the last few text sets and settings: the
 * queue asks on every "next", and a 100,000-text project costs ~300,000 sha256s per answer.
 * A text's id and content hash never change (texts are only added, or removed with their
 * project), so the count, the last id and the settings identify the answer.
 */
export function projectAssignment(
  texts: readonly { id: number; contentHash: string }[],
  settings: AssignmentSettings,
): Map<number, Assignment> {
  const key = assignmentKey(texts, settings)
  const known = remembered.get(key)
  if (known) return known
  const byText = new Map<number, Assignment>()
  for (const t of texts) byText.set(t.id, assignment(t.contentHash, settings))
  remembered.set(key, byText)
  if (remembered.size > REMEMBERED) remembered.delete(remembered.keys().next().value!)
  return byText
}

/**
 * What projectAssignment's answer depends on, as one string: equal keys, equal assignments (texts
 * are in id order and only ever added, so their count and first and last ids identify them).
 */
export function assignmentKey(
  texts: readonly { id: number }[],
  settings: AssignmentSettings,
): string {
  return JSON.stringify([
    texts.length,
    texts[0]?.id ?? 0,
    texts[texts.length - 1]?.id ?? 0,
    settings.team,
    settings.overlap,
    settings.overlapAnnotators,
    settings.seed,
  ])
}

/** The text_assignments rows of an assignment: one per text and annotator, in text id order. */
export function assignmentRows(
  assigned: ReadonlyMap<number, Assignment>,
): { textId: number; annotator: string }[] {
  const rows: { textId: number; annotator: string }[] = []
  for (const [textId, a] of assigned)
    for (const annotator of a.annotators) rows.push({ textId, annotator })
  return rows
}

const REMEMBERED = 8
const remembered = new Map<string, Map<number, Assignment>>()

/**
 * Whether an annotator has nothing left to do on a text: their own label when they have a row
 * (a row they cleared is not done); without one, a text nobody must label twice counts as done
 * when it has a gold label (e.g. one that came with the import), a double-annotated text never.
 */
export function doneBy(
  own: readonly number[] | undefined,
  gold: boolean,
  overlap: boolean,
): boolean {
  if (own !== undefined) return own.length > 0
  return gold && !overlap
}

/** Whether `annotator` is to label a text: always without a team, else when assigned to it. */
export function inShare(a: Assignment, annotator: string, settings: AssignmentSettings): boolean {
  return distinctTeam(settings.team).length === 0 || a.annotators.includes(annotator)
}
