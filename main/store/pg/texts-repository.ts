// Reading a project's texts on PostgreSQL — lists with search and label filters, the next text to
// label, split counts, export pages and training rows — the same TextsRepository as texts-repository.ts.
import type { SplitCountsDto, TextRowDto } from '../../../preload/contract/datasets'
import {
  toExportedText,
  toSingleLabelled,
  toSplitCounts,
  type ExportPageRow,
  type ExportedText,
  type LabelCountRow,
  type LabelledRow,
  type LabelledSnapshot,
  type TextsRepository,
} from '../texts-repository'
import {
  COLUMNS,
  likePattern,
  SKIPPED,
  toDto,
  UNLABELLED,
  type TextFilter,
  type TextRow,
} from '../texts-repo'
import { labelSnapshotTx, pgHistoryMark } from './label-snapshot'
import type { PgDatabase, PgQueryable } from './pg-database'
import { pgTextCount } from './projects-repository'

/** Lower-cases ASCII letters only, as SQLite's LIKE compares (é and É stay different). */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase())
}

/** The project's label names and single-labelled, not skipped texts, in the caller's snapshot. */
async function singleLabelledIn(
  q: PgQueryable,
  projectId: number,
): Promise<{ names: string[]; rows: LabelledRow[] }> {
  const labelRows = await q.rows<{ id: number; name: string }>(
    'SELECT id, name FROM labels WHERE project_id = $1 ORDER BY position',
    [projectId],
  )
  const rows = await q.rows<LabelCountRow>(
    `SELECT t.id AS id, t.text AS text, t.group_id AS grp, t.split AS split,
            MIN(al.label_id) AS label, COUNT(*)::int AS n
       FROM texts t JOIN annotation_labels al ON al.text_id = t.id
       LEFT JOIN annotations a ON a.text_id = t.id
      WHERE t.project_id = $1 AND COALESCE(a.skipped, 0) = 0 GROUP BY t.id ORDER BY t.id`,
    [projectId],
  )
  return toSingleLabelled(labelRows, rows)
}

/** Collects parameters and answers their $n placeholders. */
class Params {
  readonly values: unknown[] = []
  add(value: unknown): string {
    this.values.push(value)
    return `$${this.values.length}`
  }
}

function whereClause(projectId: number, filter: TextFilter, p: Params): string {
  const parts = [`t.project_id = ${p.add(projectId)}`]
  if (filter.search) {
    // SQLite's LIKE folds ASCII letters only (what the contract promises). ILIKE would fold every
    // letter, as the server's locale says; lower() under the "C" collation folds ASCII only.
    parts.push(
      `lower(t.text COLLATE "C") LIKE ${p.add(asciiLower(likePattern(filter.search)))} ESCAPE '\\'`,
    )
  }
  const seen = filter.seenBy
  if (filter.labelId !== undefined) {
    const gold = (id: string) =>
      `EXISTS (SELECT 1 FROM annotation_labels al WHERE al.text_id = t.id AND al.label_id = ${id})`
    if (seen) {
      const own = seenOwn(seen, p)
      const label = p.add(filter.labelId)
      parts.push(
        seenAs(
          own,
          `EXISTS (SELECT 1 FROM jsonb_array_elements_text(${own.labels}::jsonb) v WHERE v::int = ${label})`,
          blinded(seen, p),
          gold(p.add(filter.labelId)),
        ),
      )
    } else {
      parts.push(gold(p.add(filter.labelId)))
    }
  }
  if (filter.unlabelled) {
    if (seen) {
      const own = seenOwn(seen, p)
      parts.push(
        seenAs(
          own,
          `jsonb_array_length(${own.labels}::jsonb) = 0`,
          blinded(seen, p),
          UNLABELLED,
          'TRUE',
        ),
      )
    } else parts.push(UNLABELLED)
  }
  return parts.join(' AND ')
}

/** The annotator's own row: whether it exists, and its label ids (JSON text). */
function seenOwn(
  seen: NonNullable<TextFilter['seenBy']>,
  p: Params,
): { exists: string; labels: string } {
  const who = p.add(seen.annotator)
  return {
    exists: `EXISTS (SELECT 1 FROM annotator_labels x WHERE x.text_id = t.id AND x.annotator = ${who})`,
    labels: `(SELECT x.label_ids FROM annotator_labels x WHERE x.text_id = t.id AND x.annotator = ${who})`,
  }
}

function blinded(seen: NonNullable<TextFilter['seenBy']>, p: Params): string {
  return `t.id = ANY(${p.add(seen.blindedIds)}::int[])`
}

/** A condition on the labels an annotator sees: own row, else blinded (`blindedValue`), else gold. */
function seenAs(
  own: { exists: string },
  ownCondition: string,
  isBlinded: string,
  gold: string,
  blindedValue = 'FALSE',
): string {
  return `(CASE WHEN ${own.exists} THEN ${ownCondition} WHEN ${isBlinded} THEN ${blindedValue} ELSE ${gold} END)`
}

/** Current label ids per text, for the given texts (ascending label id). */
export async function pgLabelIdsByText(
  q: PgQueryable,
  textIds: number[],
): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>(textIds.map((id) => [id, []]))
  if (textIds.length === 0) return out
  const rows = await q.rows<{ text_id: number; label_id: number }>(
    `SELECT text_id, label_id FROM annotation_labels
      WHERE text_id = ANY($1::int[]) ORDER BY text_id, label_id`,
    [textIds],
  )
  for (const r of rows) out.get(r.text_id)?.push(r.label_id)
  return out
}

/** The project a text belongs to, or undefined when the text does not exist. */
export async function pgProjectOfText(q: PgQueryable, textId: number): Promise<number | undefined> {
  const row = await q.row<{ project_id: number }>('SELECT project_id FROM texts WHERE id = $1', [
    textId,
  ])
  return row?.project_id
}

export class PgTextsRepository implements TextsRepository {
  constructor(private readonly db: PgDatabase) {}

  async list(
    projectId: number,
    filter: TextFilter,
    offset: number,
    limit: number,
  ): Promise<{ total: number; rows: TextRowDto[] }> {
    const p = new Params()
    const where = whereClause(projectId, filter, p)
    const total = (await this.db.row<{ n: number }>(
      `SELECT COUNT(*)::int AS n FROM texts t WHERE ${where}`,
      p.values,
    ))!.n
    const rows = await this.db.rows<TextRow>(
      `SELECT ${COLUMNS} FROM texts t WHERE ${where} ORDER BY t.id
        LIMIT ${p.add(limit)} OFFSET ${p.add(offset)}`,
      p.values,
    )
    const labels = await pgLabelIdsByText(
      this.db,
      rows.map((r) => r.id),
    )
    return { total, rows: rows.map((r) => toDto(r, labels.get(r.id) ?? [])) }
  }

  async find(textId: number): Promise<(TextRowDto & { projectId: number }) | undefined> {
    const row = await this.db.row<TextRow>(`SELECT ${COLUMNS} FROM texts t WHERE t.id = $1`, [
      textId,
    ])
    if (!row) return undefined
    const labels = await pgLabelIdsByText(this.db, [row.id])
    return { ...toDto(row, labels.get(row.id) ?? []), projectId: row.project_id }
  }

  async projectOf(textId: number): Promise<number | undefined> {
    return pgProjectOfText(this.db, textId)
  }

  /** See texts-repo nextText: tiers of conditions, each searched after `afterId`, then wrapping. */
  async next(projectId: number, afterId: number, unlabelledOnly: boolean): Promise<number | null> {
    const tiers = [`${UNLABELLED} AND NOT ${SKIPPED}`, `${UNLABELLED} AND ${SKIPPED}`]
    if (!unlabelledOnly) tiers.push('1 = 1')
    for (const condition of tiers) {
      const id = await this.nextMatching(projectId, afterId, condition)
      if (id !== null) return id
    }
    return null
  }

  /** First id matching `condition` after `afterId`, wrapping round to the start of the project. */
  private async nextMatching(
    projectId: number,
    afterId: number,
    condition: string,
  ): Promise<number | null> {
    for (const op of ['>', '<=']) {
      const row = await this.db.row<{ id: number }>(
        `SELECT t.id FROM texts t WHERE t.project_id = $1 AND t.id ${op} $2 AND ${condition}
          ORDER BY t.id LIMIT 1`,
        [projectId, afterId],
      )
      if (row) return row.id
    }
    return null
  }

  async positionOf(projectId: number, textId: number): Promise<number> {
    const row = await this.db.row<{ n: number }>(
      'SELECT COUNT(*)::int AS n FROM texts WHERE project_id = $1 AND id <= $2',
      [projectId, textId],
    )
    return row!.n
  }

  async count(projectId: number): Promise<number> {
    return pgTextCount(this.db, projectId)
  }

  async splitCounts(projectId: number): Promise<SplitCountsDto> {
    const rows = await this.db.rows<{ split: string | null; n: number }>(
      `SELECT t.split AS split, COUNT(*)::int AS n FROM texts t
        WHERE t.project_id = $1 AND EXISTS (SELECT 1 FROM annotation_labels al WHERE al.text_id = t.id)
        GROUP BY t.split`,
      [projectId],
    )
    return toSplitCounts(rows)
  }

  async singleLabelled(projectId: number): Promise<{ names: string[]; rows: LabelledRow[] }> {
    // One snapshot for both reads, so the label positions match the rows.
    return this.db.tx((q) => singleLabelledIn(q, projectId), { isolation: 'repeatable read' })
  }

  async labelledSnapshot(projectId: number): Promise<LabelledSnapshot> {
    // No label write with a smaller history id can commit after this read (label-snapshot.ts).
    return labelSnapshotTx(this.db, async (q) => {
      const historyId = await pgHistoryMark(q, projectId)
      const takenAt = new Date().toISOString()
      return { ...(await singleLabelledIn(q, projectId)), historyId, takenAt }
    })
  }

  async exportPage(projectId: number, afterId: number, limit: number): Promise<ExportedText[]> {
    const rows = await this.db.rows<ExportPageRow>(
      `SELECT t.id, t.text, t.external_id, t.group_id, t.split,
              (SELECT json_agg(l.name ORDER BY l.position)::text
                 FROM annotation_labels al JOIN labels l ON l.id = al.label_id
                WHERE al.text_id = t.id) AS labels
         FROM texts t WHERE t.project_id = $1 AND t.id > $2 ORDER BY t.id LIMIT $3`,
      [projectId, afterId, limit],
    )
    return rows.map(toExportedText)
  }
}
