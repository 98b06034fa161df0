// SQL for each annotator's own labels (issue #12) and the materialised gold labels: resolveText()
// rewrites annotation_labels + annotations from the rows, the adjudication and the project policy.
// Synchronous: callers run these inside their own transaction.
import type { Database, Statement } from 'better-sqlite3'
import {
  DEFAULT_ANNOTATION_SETTINGS,
  type AnnotationSettingsDto,
} from '../../preload/contract/annotators'
import type { LabelSetKind } from '../../preload/contract/projects'
import { resolveLabels, type AnnotatorLabels, type Resolution } from './label-resolution'

/** The annotator of labels that came with an import made by nobody named; never counted in agreement. */
export const REFERENCE_ANNOTATOR = ''

export type AnnotatorLabelOrigin = 'local' | 'import' | 'package'

// Label writes are the hot path (label-latency bench): prepare each statement once per connection.
const cache = new WeakMap<Database, Map<string, Statement>>()
export function cached(db: Database, sql: string): Statement {
  let byDb = cache.get(db)
  if (!byDb) {
    byDb = new Map()
    cache.set(db, byDb)
  }
  let stmt = byDb.get(sql)
  if (!stmt) {
    stmt = db.prepare(sql)
    byDb.set(sql, stmt)
  }
  return stmt
}

/** Sorted, without repeats: the one form label ids are stored and compared in. */
export function normaliseIds(ids: readonly number[]): number[] {
  return [...new Set(ids)].sort((a, b) => a - b)
}

export function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

/** The annotator's own labels on the text; null when they have no row (never labelled it). */
export function ownLabelIds(db: Database, textId: number, annotator: string): number[] | null {
  const row = cached(
    db,
    'SELECT label_ids FROM annotator_labels WHERE text_id = ? AND annotator = ?',
  ).get(textId, annotator) as { label_ids: string } | undefined
  return row ? (JSON.parse(row.label_ids) as number[]) : null
}

/** Writes (or with labelIds null, deletes) the annotator's own row for the text. */
export function writeAnnotatorRow(
  db: Database,
  row: {
    projectId: number
    textId: number
    annotator: string
    labelIds: number[] | null
    origin: AnnotatorLabelOrigin
    at: string
  },
): void {
  if (row.labelIds === null) {
    cached(db, 'DELETE FROM annotator_labels WHERE text_id = ? AND annotator = ?').run(
      row.textId,
      row.annotator,
    )
    return
  }
  cached(
    db,
    `INSERT INTO annotator_labels (text_id, project_id, annotator, label_ids, origin, at)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (text_id, annotator) DO UPDATE SET project_id = excluded.project_id,
       label_ids = excluded.label_ids, origin = excluded.origin, at = excluded.at`,
  ).run(
    row.textId,
    row.projectId,
    row.annotator,
    JSON.stringify(normaliseIds(row.labelIds)),
    row.origin,
    row.at,
  )
}

/** Stored settings over the defaults (a key missing from the stored JSON takes its default). */
export function parseAnnotationSettings(json: string | null): AnnotationSettingsDto {
  if (json === null) return { ...DEFAULT_ANNOTATION_SETTINGS, team: [] }
  const stored = JSON.parse(json) as Partial<AnnotationSettingsDto>
  return { ...DEFAULT_ANNOTATION_SETTINGS, ...stored, team: [...(stored.team ?? [])] }
}

function projectPolicyRow(
  db: Database,
  projectId: number,
): { kind: LabelSetKind; annotation_settings: string | null } | undefined {
  return cached(db, 'SELECT kind, annotation_settings FROM projects WHERE id = ?').get(
    projectId,
  ) as { kind: LabelSetKind; annotation_settings: string | null } | undefined
}

/** The project's annotation settings (the defaults when never set, or for an unknown project). */
export function annotationSettings(db: Database, projectId: number): AnnotationSettingsDto {
  return parseAnnotationSettings(projectPolicyRow(db, projectId)?.annotation_settings ?? null)
}

/** Every annotator's row on the text, reference included. */
export function textRows(db: Database, textId: number): AnnotatorLabels[] {
  return (
    cached(db, 'SELECT annotator, label_ids FROM annotator_labels WHERE text_id = ?').all(
      textId,
    ) as { annotator: string; label_ids: string }[]
  ).map((r) => ({ annotator: r.annotator, labelIds: JSON.parse(r.label_ids) as number[] }))
}

export function adjudicationOf(db: Database, textId: number): number[] | null {
  const row = cached(db, 'SELECT label_ids FROM adjudications WHERE text_id = ?').get(textId) as
    { label_ids: string } | undefined
  return row ? (JSON.parse(row.label_ids) as number[]) : null
}

function goldLabelIds(db: Database, textId: number): number[] {
  return (
    cached(db, 'SELECT label_id FROM annotation_labels WHERE text_id = ? ORDER BY label_id').all(
      textId,
    ) as { label_id: number }[]
  ).map((r) => r.label_id)
}

/**
 * Re-resolves the text's gold label and writes it to annotation_labels. With `revision` (a
 * user's change) the annotations row records it and `annotator` (created when missing);
 * without, an existing row keeps its revision and a text never changed by a user gets none.
 * Labels clear a skip, as a label set always did.
 */
export function resolveText(
  db: Database,
  projectId: number,
  textId: number,
  revision?: number,
  annotator?: string,
): Resolution {
  const project = projectPolicyRow(db, projectId)
  const settings = parseAnnotationSettings(project?.annotation_settings ?? null)
  const result = resolveLabels(textRows(db, textId), adjudicationOf(db, textId), {
    kind: project?.kind ?? 'multiclass',
    tiePolicy: settings.tiePolicy,
    tieAnnotator: settings.tieAnnotator,
  })
  if (!sameIds(goldLabelIds(db, textId), result.labelIds)) {
    cached(db, 'DELETE FROM annotation_labels WHERE text_id = ?').run(textId)
    const insert = cached(db, 'INSERT INTO annotation_labels (text_id, label_id) VALUES (?, ?)')
    for (const id of result.labelIds) insert.run(textId, id)
  }
  const now = new Date().toISOString()
  const clearSkip = result.labelIds.length > 0 ? 1 : 0
  if (revision !== undefined) {
    cached(
      db,
      `INSERT INTO annotations (text_id, project_id, revision, skipped, annotator, updated_at)
       VALUES (@textId, @projectId, @revision, 0, @annotator, @now)
       ON CONFLICT (text_id) DO UPDATE SET revision = excluded.revision,
         annotator = COALESCE(excluded.annotator, annotator), updated_at = excluded.updated_at,
         skipped = CASE WHEN @clearSkip THEN 0 ELSE skipped END`,
    ).run({
      textId,
      projectId,
      revision,
      annotator: annotator ?? null,
      now,
      clearSkip,
    })
  } else if (clearSkip) {
    cached(db, 'UPDATE annotations SET skipped = 0 WHERE text_id = ? AND skipped = 1').run(textId)
  }
  return result
}

/** Re-resolves every text of the project that has annotator rows or an adjudication. */
export function resolveProject(db: Database, projectId: number): void {
  const ids = db
    .prepare(
      `SELECT text_id FROM annotator_labels WHERE project_id = ?
       UNION SELECT text_id FROM adjudications WHERE project_id = ? ORDER BY 1`,
    )
    .pluck()
    .all(projectId, projectId) as number[]
  for (const id of ids) resolveText(db, projectId, id)
}
