// Reading a project's texts behind an async interface — lists, the next text to label, split
// counts, export pages and the single-labelled rows training reads — and its SQLite implementation.
import type { Database } from 'better-sqlite3'
import type { SplitCountsDto, TextRowDto } from '../../preload/contract/datasets'
import { textCount } from './projects-repo'
import {
  findText,
  listTexts,
  nextText,
  positionOf,
  projectOfText,
  type TextFilter,
} from './texts-repo'

export type { TextFilter }

/** One single-labelled text; `label` is the label's position in the project's label order. */
export interface LabelledRow {
  id: number
  text: string
  grp: string | null
  split: string | null
  label: number
}

/** A project's single-labelled texts as of one moment of its label history. */
export interface LabelledSnapshot {
  names: string[]
  rows: LabelledRow[]
  /** The newest annotation_history id of the project the read saw (0 when none). */
  historyId: number
  /** When the snapshot was taken (ISO). */
  takenAt: string
}

/** One text as an export writes it: its labels by name, in the project's label order. */
export interface ExportedText {
  id: number
  text: string
  labels: string[]
  externalId: string | null
  group: string | null
  split: string | null
}

export interface TextsRepository {
  /** A page of the project's texts (id order) matching `filter`, and how many match in all. */
  list(
    projectId: number,
    filter: TextFilter,
    offset: number,
    limit: number,
  ): Promise<{ total: number; rows: TextRowDto[] }>
  find(textId: number): Promise<(TextRowDto & { projectId: number }) | undefined>
  /** The project a text belongs to; undefined when the text does not exist. */
  projectOf(textId: number): Promise<number | undefined>
  /** The next text to label after `afterId` (see texts-repo nextText); null when none. */
  next(projectId: number, afterId: number, unlabelledOnly: boolean): Promise<number | null>
  /** 1-based position of a text in its project's id order. */
  positionOf(projectId: number, textId: number): Promise<number>
  count(projectId: number): Promise<number>
  /** Labelled texts per imported split. */
  splitCounts(projectId: number): Promise<SplitCountsDto>
  /** The project's label names (in its order) and its single-labelled, not skipped texts. */
  singleLabelled(projectId: number): Promise<{ names: string[]; rows: LabelledRow[] }>
  /**
   * singleLabelled as one consistent read with the newest label history id it saw (what a training
   * run records: its labels are exactly those as of that id).
   */
  labelledSnapshot(projectId: number): Promise<LabelledSnapshot>
  /** Up to `limit` texts with id > `afterId`, in id order (keyset pagination for exports). */
  exportPage(projectId: number, afterId: number, limit: number): Promise<ExportedText[]>
}

/**
 * The project's label names and its single-labelled, not skipped texts (synchronous, for the
 * SQLite implementation). Labels that came with an import have no annotations row, so that join
 * is a LEFT one.
 */
export function singleLabelledRows(
  db: Database,
  projectId: number,
): { names: string[]; rows: LabelledRow[] } {
  const labelRows = db
    .prepare('SELECT id, name FROM labels WHERE project_id = ? ORDER BY position')
    .all(projectId) as { id: number; name: string }[]
  const rows = db
    .prepare(
      `SELECT t.id AS id, t.text AS text, t.group_id AS grp, t.split AS split, MIN(al.label_id) AS label, COUNT(*) AS n
           FROM texts t JOIN annotation_labels al ON al.text_id = t.id
           LEFT JOIN annotations a ON a.text_id = t.id
          WHERE t.project_id = ? AND COALESCE(a.skipped, 0) = 0 GROUP BY t.id ORDER BY t.id`,
    )
    .all(projectId) as LabelCountRow[]
  return toSingleLabelled(labelRows, rows)
}

/** A text with its smallest label id and how many labels it has (singleLabelledRows' query). */
export type LabelCountRow = Omit<LabelledRow, 'label'> & { label: number; n: number }

/** Keeps the texts with exactly one label, that label as its position in `labelRows`. */
export function toSingleLabelled(
  labelRows: { id: number; name: string }[],
  rows: LabelCountRow[],
): { names: string[]; rows: LabelledRow[] } {
  const index = new Map(labelRows.map((l, i) => [l.id, i]))
  return {
    names: labelRows.map((l) => l.name),
    rows: rows
      .filter((r) => r.n === 1)
      .map((r) => ({
        id: r.id,
        text: r.text,
        grp: r.grp,
        split: r.split,
        label: index.get(r.label)!,
      })),
  }
}

/** Labelled texts per split from (split, count) rows; a split with no row counts 0. */
export function toSplitCounts(rows: { split: string | null; n: number }[]): SplitCountsDto {
  const counts: SplitCountsDto = { train: 0, dev: 0, test: 0, none: 0 }
  for (const r of rows) counts[(r.split ?? 'none') as keyof SplitCountsDto] = r.n
  return counts
}

export interface ExportPageRow {
  id: number
  text: string
  external_id: string | null
  group_id: string | null
  split: string | null
  labels: string | null
}

export class SqliteTextsRepository implements TextsRepository {
  constructor(private readonly db: Database) {}

  async list(
    projectId: number,
    filter: TextFilter,
    offset: number,
    limit: number,
  ): Promise<{ total: number; rows: TextRowDto[] }> {
    return listTexts(this.db, projectId, filter, offset, limit)
  }

  async find(textId: number): Promise<(TextRowDto & { projectId: number }) | undefined> {
    return findText(this.db, textId)
  }

  async projectOf(textId: number): Promise<number | undefined> {
    return projectOfText(this.db, textId)
  }

  async next(projectId: number, afterId: number, unlabelledOnly: boolean): Promise<number | null> {
    return nextText(this.db, projectId, afterId, unlabelledOnly)
  }

  async positionOf(projectId: number, textId: number): Promise<number> {
    return positionOf(this.db, projectId, textId)
  }

  async count(projectId: number): Promise<number> {
    return textCount(this.db, projectId)
  }

  async splitCounts(projectId: number): Promise<SplitCountsDto> {
    const rows = this.db
      .prepare(
        `SELECT t.split AS split, COUNT(*) AS n FROM texts t
          WHERE t.project_id = ? AND EXISTS (SELECT 1 FROM annotation_labels al WHERE al.text_id = t.id)
          GROUP BY t.split`,
      )
      .all(projectId) as { split: string | null; n: number }[]
    return toSplitCounts(rows)
  }

  async singleLabelled(projectId: number): Promise<{ names: string[]; rows: LabelledRow[] }> {
    return singleLabelledRows(this.db, projectId)
  }

  async labelledSnapshot(projectId: number): Promise<LabelledSnapshot> {
    // One transaction: another process writing the file cannot land between the two reads.
    return this.db.transaction(() => {
      const historyId = (
        this.db
          .prepare(
            'SELECT COALESCE(MAX(id), 0) AS historyId FROM annotation_history WHERE project_id = ?',
          )
          .get(projectId) as { historyId: number }
      ).historyId
      const takenAt = new Date().toISOString()
      return { ...singleLabelledRows(this.db, projectId), historyId, takenAt }
    })()
  }

  async exportPage(projectId: number, afterId: number, limit: number): Promise<ExportedText[]> {
    const rows = this.db
      .prepare(
        `SELECT t.id, t.text, t.external_id, t.group_id, t.split,
                (SELECT json_group_array(name) FROM (
                   SELECT l.name FROM annotation_labels al JOIN labels l ON l.id = al.label_id
                    WHERE al.text_id = t.id ORDER BY l.position)) AS labels
           FROM texts t WHERE t.project_id = ? AND t.id > ? ORDER BY t.id LIMIT ?`,
      )
      .all(projectId, afterId, limit) as ExportPageRow[]
    return rows.map(toExportedText)
  }
}

/** An export page row (labels: a JSON array of names, or null) as an export writes it. */
export function toExportedText(r: ExportPageRow): ExportedText {
  return {
    id: r.id,
    text: r.text,
    labels: r.labels ? (JSON.parse(r.labels) as string[]) : [],
    externalId: r.external_id,
    group: r.group_id,
    split: r.split,
  }
}
