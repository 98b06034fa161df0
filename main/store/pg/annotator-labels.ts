// PostgreSQL twin of annotator-labels-repo.ts: each annotator's own row, the text lock and the
// re-resolution of a text's gold label. Callers run these inside their own `db.tx`.
import type { LabelSetKind } from '../../../preload/contract/projects'
import {
  normaliseIds,
  parseAnnotationSettings,
  sameIds,
  type AnnotatorLabelOrigin,
} from '../annotator-labels-repo'
import { resolveLabels, type AnnotatorLabels, type Resolution } from '../label-resolution'
import type { PgQueryable } from './pg-database'

/**
 * Locks the text's row for the rest of the transaction and returns its project (undefined: no such
 * text). Every write to a text's labels takes this lock first, so two annotators labelling one text
 * at once queue here: the history id (the revision) is drawn after the lock, and a text's revision
 * only grows in commit order. NO KEY UPDATE leaves foreign-key checks (KEY SHARE) unblocked.
 */
export async function lockText(q: PgQueryable, textId: number): Promise<number | undefined> {
  const row = await q.row<{ project_id: number }>(
    'SELECT project_id FROM texts WHERE id = $1 FOR NO KEY UPDATE',
    [textId],
  )
  return row?.project_id
}

/**
 * Serialises one annotator's writes in one project (their redo stack is walked and cleared by one
 * writer at a time). Taken before any text lock, so the lock order is always annotator → text.
 */
export async function lockAnnotator(
  q: PgQueryable,
  projectId: number,
  annotator: string,
): Promise<void> {
  await q.run("SELECT pg_advisory_xact_lock(hashtext('cts.annotator'), hashtext($1))", [
    `${projectId}:${annotator}`,
  ])
}

/** The annotator's own labels on the text; null when they have no row (never labelled it). */
export async function ownLabelIds(
  q: PgQueryable,
  textId: number,
  annotator: string,
): Promise<number[] | null> {
  const row = await q.row<{ label_ids: string }>(
    'SELECT label_ids FROM annotator_labels WHERE text_id = $1 AND annotator = $2',
    [textId, annotator],
  )
  return row ? (JSON.parse(row.label_ids) as number[]) : null
}

/** Writes (or with labelIds null, deletes) the annotator's own row for the text. */
export async function writeAnnotatorRow(
  q: PgQueryable,
  row: {
    projectId: number
    textId: number
    annotator: string
    labelIds: number[] | null
    origin: AnnotatorLabelOrigin
    at: string
  },
): Promise<void> {
  if (row.labelIds === null) {
    await q.run('DELETE FROM annotator_labels WHERE text_id = $1 AND annotator = $2', [
      row.textId,
      row.annotator,
    ])
    return
  }
  await q.run(
    `INSERT INTO annotator_labels (text_id, project_id, annotator, label_ids, origin, at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (text_id, annotator) DO UPDATE SET project_id = EXCLUDED.project_id,
       label_ids = EXCLUDED.label_ids, origin = EXCLUDED.origin, at = EXCLUDED.at`,
    [
      row.textId,
      row.projectId,
      row.annotator,
      JSON.stringify(normaliseIds(row.labelIds)),
      row.origin,
      row.at,
    ],
  )
}

async function projectPolicyRow(
  q: PgQueryable,
  projectId: number,
): Promise<{ kind: LabelSetKind; annotation_settings: string | null } | undefined> {
  return q.row('SELECT kind, annotation_settings FROM projects WHERE id = $1', [projectId])
}

/** The project's annotation settings (the defaults when never set, or for an unknown project). */
export async function annotationSettings(q: PgQueryable, projectId: number) {
  return parseAnnotationSettings(
    (await projectPolicyRow(q, projectId))?.annotation_settings ?? null,
  )
}

/** The text's gold label ids, ascending. */
export async function currentLabelIds(q: PgQueryable, textId: number): Promise<number[]> {
  const rows = await q.rows<{ label_id: number }>(
    'SELECT label_id FROM annotation_labels WHERE text_id = $1 ORDER BY label_id',
    [textId],
  )
  return rows.map((r) => r.label_id)
}

/**
 * Re-resolves the text's gold label and writes it to annotation_labels; the same rules as the
 * SQLite resolveText (revision + annotator recorded for a user's change, labels clear a skip).
 */
export async function resolveText(
  q: PgQueryable,
  projectId: number,
  textId: number,
  revision?: number,
  annotator?: string,
): Promise<Resolution> {
  const project = await projectPolicyRow(q, projectId)
  const settings = parseAnnotationSettings(project?.annotation_settings ?? null)
  const rows = (
    await q.rows<{ annotator: string; label_ids: string }>(
      'SELECT annotator, label_ids FROM annotator_labels WHERE text_id = $1',
      [textId],
    )
  ).map((r): AnnotatorLabels => ({
    annotator: r.annotator,
    labelIds: JSON.parse(r.label_ids) as number[],
  }))
  const adjudication = await q.row<{ label_ids: string }>(
    'SELECT label_ids FROM adjudications WHERE text_id = $1',
    [textId],
  )
  const result = resolveLabels(
    rows,
    adjudication ? (JSON.parse(adjudication.label_ids) as number[]) : null,
    {
      kind: project?.kind ?? 'multiclass',
      tiePolicy: settings.tiePolicy,
      tieAnnotator: settings.tieAnnotator,
    },
  )
  if (!sameIds(await currentLabelIds(q, textId), result.labelIds)) {
    await q.run('DELETE FROM annotation_labels WHERE text_id = $1', [textId])
    if (result.labelIds.length > 0) {
      await q.run(
        'INSERT INTO annotation_labels (text_id, label_id) SELECT $1, unnest($2::int[])',
        [textId, result.labelIds],
      )
    }
  }
  const now = new Date().toISOString()
  const clearSkip = result.labelIds.length > 0
  if (revision !== undefined) {
    await q.run(
      `INSERT INTO annotations (text_id, project_id, revision, skipped, annotator, updated_at)
       VALUES ($1, $2, $3, 0, $4, $5)
       ON CONFLICT (text_id) DO UPDATE SET revision = EXCLUDED.revision,
         annotator = COALESCE(EXCLUDED.annotator, annotations.annotator),
         updated_at = EXCLUDED.updated_at,
         skipped = CASE WHEN $6::boolean THEN 0 ELSE annotations.skipped END`,
      [textId, projectId, revision, annotator ?? null, now, clearSkip],
    )
  } else if (clearSkip) {
    await q.run('UPDATE annotations SET skipped = 0 WHERE text_id = $1 AND skipped = 1', [textId])
  }
  return result
}

/**
 * Re-resolves every text of the project that has annotator rows or an adjudication, after locking
 * all the project's texts in id order (a label write in flight finishes first; one that comes
 * later reads the new settings).
 */
export async function resolveProject(q: PgQueryable, projectId: number): Promise<void> {
  await q.run('SELECT id FROM texts WHERE project_id = $1 ORDER BY id FOR NO KEY UPDATE', [
    projectId,
  ])
  const ids = await q.rows<{ text_id: number }>(
    `SELECT text_id FROM annotator_labels WHERE project_id = $1
     UNION SELECT text_id FROM adjudications WHERE project_id = $1 ORDER BY 1`,
    [projectId],
  )
  for (const { text_id } of ids) await resolveText(q, projectId, text_id)
}
