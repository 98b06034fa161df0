// SQL for reading texts: paged lists with search and label filters, one text, and the next text
// to label. Written to stay fast at 100,000 texts per project (see the indexes in 001).
import type { Database } from 'better-sqlite3'
import type { TextRowDto } from '../../preload/contract/datasets'

export interface TextRow {
  id: number
  project_id: number
  text: string
  source_row: number | null
  external_id: string | null
  group_id: string | null
  split: TextRowDto['split']
}

export interface TextFilter {
  search?: string
  labelId?: number
  unlabelled?: boolean
  /**
   * Filter on the labels this annotator sees instead of the gold ones: their own row where they
   * have one, nothing on `blindedIds` (double-annotated texts while the project blinds), else the
   * gold labels. Without it a label filter would reveal the other annotators' labels.
   */
  seenBy?: { annotator: string; blindedIds: number[] }
}

export const UNLABELLED = 'NOT EXISTS (SELECT 1 FROM annotation_labels al WHERE al.text_id = t.id)'
export const SKIPPED =
  'EXISTS (SELECT 1 FROM annotations a WHERE a.text_id = t.id AND a.skipped = 1)'

/** Escapes LIKE's wildcards so a search for "50%" means the characters 5, 0 and %. */
export function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

function whereClause(projectId: number, filter: TextFilter): { sql: string; params: unknown[] } {
  const parts = ['t.project_id = ?']
  const params: unknown[] = [projectId]
  if (filter.search) {
    // LIKE is case-insensitive for ASCII letters only, which is what the contract promises.
    parts.push("t.text LIKE ? ESCAPE '\\'")
    params.push(likePattern(filter.search))
  }
  const seen = filter.seenBy
  if (filter.labelId !== undefined) {
    const gold =
      'EXISTS (SELECT 1 FROM annotation_labels al WHERE al.text_id = t.id AND al.label_id = ?)'
    if (seen) {
      parts.push(seenAs(`EXISTS (SELECT 1 FROM json_each(${OWN_LABELS}) WHERE value = ?)`, gold))
      params.push(...seenParams(seen, filter.labelId), filter.labelId)
    } else {
      parts.push(gold)
      params.push(filter.labelId)
    }
  }
  if (filter.unlabelled) {
    if (seen) {
      parts.push(seenAs(`json_array_length(${OWN_LABELS}) = 0`, UNLABELLED, '1'))
      params.push(...seenParams(seen))
    } else parts.push(UNLABELLED)
  }
  return { sql: parts.join(' AND '), params }
}

const OWN_LABELS =
  '(SELECT x.label_ids FROM annotator_labels x WHERE x.text_id = t.id AND x.annotator = ?)'

/** A condition on the labels an annotator sees: own row, else blinded (`blinded`), else gold. */
function seenAs(own: string, gold: string, blinded = '0'): string {
  return `(CASE WHEN EXISTS (SELECT 1 FROM annotator_labels x WHERE x.text_id = t.id AND x.annotator = ?)
    THEN ${own} WHEN t.id IN (SELECT value FROM json_each(?)) THEN ${blinded} ELSE ${gold} END)`
}

/** Parameters of seenAs in order: the annotator (exists), the own condition's, the blinded ids. */
function seenParams(seen: NonNullable<TextFilter['seenBy']>, ...own: unknown[]): unknown[] {
  return [seen.annotator, seen.annotator, ...own, JSON.stringify(seen.blindedIds)]
}

/** Current label ids per text, for the given texts (ascending label id). */
export function labelIdsByText(db: Database, textIds: number[]): Map<number, number[]> {
  const out = new Map<number, number[]>(textIds.map((id) => [id, []]))
  if (textIds.length === 0) return out
  const rows = db
    .prepare(
      `SELECT text_id, label_id FROM annotation_labels
        WHERE text_id IN (SELECT value FROM json_each(?)) ORDER BY text_id, label_id`,
    )
    .all(JSON.stringify(textIds)) as { text_id: number; label_id: number }[]
  for (const r of rows) out.get(r.text_id)?.push(r.label_id)
  return out
}

export function toDto(row: TextRow, labelIds: number[]): TextRowDto {
  return {
    id: row.id,
    text: row.text,
    sourceRow: row.source_row,
    externalId: row.external_id,
    groupId: row.group_id,
    labelIds,
    split: row.split,
  }
}

export const COLUMNS =
  't.id, t.project_id, t.text, t.source_row, t.external_id, t.group_id, t.split'

export function listTexts(
  db: Database,
  projectId: number,
  filter: TextFilter,
  offset: number,
  limit: number,
): { total: number; rows: TextRowDto[] } {
  const where = whereClause(projectId, filter)
  const total = (
    db.prepare(`SELECT COUNT(*) AS n FROM texts t WHERE ${where.sql}`).get(...where.params) as {
      n: number
    }
  ).n
  const rows = db
    .prepare(`SELECT ${COLUMNS} FROM texts t WHERE ${where.sql} ORDER BY t.id LIMIT ? OFFSET ?`)
    .all(...where.params, limit, offset) as TextRow[]
  const labels = labelIdsByText(
    db,
    rows.map((r) => r.id),
  )
  return { total, rows: rows.map((r) => toDto(r, labels.get(r.id) ?? [])) }
}

export function findText(
  db: Database,
  textId: number,
): (TextRowDto & { projectId: number }) | undefined {
  const row = db.prepare(`SELECT ${COLUMNS} FROM texts t WHERE t.id = ?`).get(textId) as
    TextRow | undefined
  if (!row) return undefined
  return {
    ...toDto(row, labelIdsByText(db, [row.id]).get(row.id) ?? []),
    projectId: row.project_id,
  }
}

/** The project a text belongs to, or undefined when the text does not exist. */
export function projectOfText(db: Database, textId: number): number | undefined {
  const row = db.prepare('SELECT project_id FROM texts WHERE id = ?').get(textId) as
    { project_id: number } | undefined
  return row?.project_id
}

/** First id matching `condition` after `afterId`, wrapping round to the start of the project. */
function nextMatching(
  db: Database,
  projectId: number,
  afterId: number,
  condition: string,
): number | null {
  const after = db
    .prepare(
      `SELECT t.id FROM texts t WHERE t.project_id = ? AND t.id > ? AND ${condition} ORDER BY t.id LIMIT 1`,
    )
    .get(projectId, afterId) as { id: number } | undefined
  if (after) return after.id
  const first = db
    .prepare(
      `SELECT t.id FROM texts t WHERE t.project_id = ? AND t.id <= ? AND ${condition} ORDER BY t.id LIMIT 1`,
    )
    .get(projectId, afterId) as { id: number } | undefined
  return first?.id ?? null
}

/**
 * The next text to label after `afterId` (0 = from the start), in id order, wrapping: first an
 * unlabelled text that was not skipped, then an unlabelled skipped one, then (unless
 * `unlabelledOnly`) any text, so a finished project can still be reviewed in order.
 */
export function nextText(
  db: Database,
  projectId: number,
  afterId: number,
  unlabelledOnly: boolean,
): number | null {
  const tiers = [`${UNLABELLED} AND NOT ${SKIPPED}`, `${UNLABELLED} AND ${SKIPPED}`]
  if (!unlabelledOnly) tiers.push('1 = 1')
  for (const condition of tiers) {
    const id = nextMatching(db, projectId, afterId, condition)
    if (id !== null) return id
  }
  return null
}

/** 1-based position of a text in its project's id order. */
export function positionOf(db: Database, projectId: number, textId: number): number {
  return (
    db
      .prepare('SELECT COUNT(*) AS n FROM texts WHERE project_id = ? AND id <= ?')
      .get(projectId, textId) as {
      n: number
    }
  ).n
}
