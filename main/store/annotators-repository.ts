// Several annotators behind an async interface (issue #12): profiles and the current one, a
// project's annotation settings, each annotator's own labels, adjudications, and the gold labels
// resolved from them. Each write is one transaction with its audit entry and re-resolution.
import type { Database } from 'better-sqlite3'
import type {
  AdjudicationDto,
  ResolutionCountsDto,
  ResolutionHow,
} from '../../preload/contract/agreement'
import type { AnnotationSettingsDto, AnnotatorProfileDto } from '../../preload/contract/annotators'
import type { LabelSetKind } from '../../preload/contract/projects'
import {
  annotationSettings,
  normaliseIds,
  parseAnnotationSettings,
  REFERENCE_ANNOTATOR,
  resolveProject,
  resolveText,
} from './annotator-labels-repo'
import { writeAudit } from './audit'
import {
  emptyResolutionCounts,
  resolveLabels,
  type AnnotatorLabels,
  type Resolution,
} from './label-resolution'
import { projectOfText } from './texts-repo'

/** workspace_settings key of the profile label writes are recorded under. */
export const CURRENT_ANNOTATOR_KEY = 'annotator.current'

export interface AnnotatorRowDto {
  textId: number
  annotator: string
  labelIds: number[]
  at: string
}

/** An adjudicator's decision on a text's gold labels, with their note. */
export interface AdjudicateInput {
  projectId: number
  textId: number
  labelIds: number[]
  adjudicator: string
  note: string | null
}

export interface AnnotatorsRepository {
  /** Profiles chosen here and names known from recorded labels, by name, with their labelled texts. */
  profiles(): Promise<AnnotatorProfileDto[]>
  /** The profile label writes are recorded under; null until one is chosen. */
  current(): Promise<string | null>
  /** Creates the profile when new and makes it the current one (audited). */
  use(name: string, actor: string): Promise<void>
  /** The project's settings (the defaults when never set). */
  settings(projectId: number): Promise<AnnotationSettingsDto>
  /** Stores the whole settings object, audits old/new and re-resolves every text's gold label. */
  setSettings(projectId: number, settings: AnnotationSettingsDto, actor: string): Promise<void>
  /**
   * Named annotators' labels in the project (never the reference labels, never a row its
   * annotator cleared), in text id then annotator order.
   */
  rows(projectId: number): Promise<AnnotatorRowDto[]>
  /** `annotator`'s own labels on those texts: only texts they have a row on ([] = they cleared it). */
  ownLabels(projectId: number, annotator: string, textIds: number[]): Promise<Map<number, number[]>>
  adjudications(projectId: number): Promise<Map<number, AdjudicationDto>>
  /** Records an adjudicator's decision (audited with the previous one); false when the text is not in the project. */
  adjudicate(input: AdjudicateInput): Promise<boolean>
  /** Removes the text's adjudication (audited); false when there is none or the text is not in the project. */
  revertAdjudication(input: { projectId: number; textId: number; actor: string }): Promise<boolean>
  /** The gold label and how it came about, for every text with annotator rows or an adjudication. */
  resolution(projectId: number): Promise<Map<number, Resolution>>
  /** Every text of the project counted once by how its gold label came about (no rows: 'none'). */
  resolutionCounts(projectId: number): Promise<ResolutionCountsDto>
  /** The project's texts' content hashes in id order (packages match texts by these); `textIds`: only those. */
  textHashes(projectId: number, textIds?: number[]): Promise<{ id: number; contentHash: string }[]>
  /** Every labelled text's gold label ids (ascending), by text id. */
  goldLabels(projectId: number): Promise<Map<number, number[]>>
  /**
   * Replaces the project's rows of text_assignments (who labels which text) by `rows`, in one
   * transaction. On a team workspace they decide what an annotator's login can read and label.
   */
  replaceAssignments(projectId: number, rows: readonly AssignmentRow[]): Promise<void>
  /**
   * The name every label of this session is recorded under when the workspace fixes it: the login
   * of an annotator on a team workspace. Null where a profile is chosen (a workspace on this
   * computer; the owner and the leads of a team workspace).
   */
  loginIdentity(): Promise<string | null>
}

/** One text_assignments row: `annotator` labels the text. */
export interface AssignmentRow {
  textId: number
  annotator: string
}

export interface AdjudicationRow {
  text_id: number
  label_ids: string
  adjudicator: string
  note: string | null
  at: string
}

export function toAdjudication(r: AdjudicationRow): AdjudicationDto {
  return {
    labelIds: JSON.parse(r.label_ids) as number[],
    adjudicator: r.adjudicator,
    note: r.note,
    at: r.at,
  }
}

/** One stored annotator_labels row as the DTO carries it. */
export function annotatorRowOf(r: {
  text_id: number
  annotator: string
  label_ids: string
  at: string
}): AnnotatorRowDto {
  return {
    textId: r.text_id,
    annotator: r.annotator,
    labelIds: JSON.parse(r.label_ids) as number[],
    at: r.at,
  }
}

/** Stored `label_ids` rows by text id (a text's last row wins). */
export function labelIdsByText(
  rows: Iterable<{ text_id: number; label_ids: string }>,
): Map<number, number[]> {
  const out = new Map<number, number[]>()
  for (const r of rows) out.set(r.text_id, JSON.parse(r.label_ids) as number[])
  return out
}

/**
 * Every text's gold label under the project's policy, from its annotator rows (in text id order,
 * a text's rows in annotator order) and its adjudications; none for a project that is gone.
 */
export function resolveProjectLabels(
  project: { kind: LabelSetKind; annotation_settings: string | null } | undefined,
  annotatorRows: readonly { text_id: number; annotator: string; label_ids: string }[],
  adjudicationRows: readonly { text_id: number; label_ids: string }[],
): Map<number, Resolution> {
  const out = new Map<number, Resolution>()
  if (!project) return out
  const settings = parseAnnotationSettings(project.annotation_settings)
  const policy = {
    kind: project.kind,
    tiePolicy: settings.tiePolicy,
    tieAnnotator: settings.tieAnnotator,
  }
  const byText = new Map<number, AnnotatorLabels[]>()
  for (const r of annotatorRows) {
    let list = byText.get(r.text_id)
    if (!list) byText.set(r.text_id, (list = []))
    list.push({ annotator: r.annotator, labelIds: JSON.parse(r.label_ids) as number[] })
  }
  const adjudicated = labelIdsByText(adjudicationRows)
  const ids = [...new Set([...byText.keys(), ...adjudicated.keys()])].sort((a, b) => a - b)
  for (const id of ids) {
    out.set(id, resolveLabels(byText.get(id) ?? [], adjudicated.get(id) ?? null, policy))
  }
  return out
}

/** Gold label ids by text from (textId, labelId) rows in text, label order. */
export function goldLabelsByText(
  rows: readonly { textId: number; labelId: number }[],
): Map<number, number[]> {
  const out = new Map<number, number[]>()
  for (const r of rows) {
    const ids = out.get(r.textId)
    if (ids) ids.push(r.labelId)
    else out.set(r.textId, [r.labelId])
  }
  return out
}

export class SqliteAnnotatorsRepository implements AnnotatorsRepository {
  constructor(private readonly db: Database) {}

  async profiles(): Promise<AnnotatorProfileDto[]> {
    return this.db
      .prepare(
        `WITH counts AS (
           SELECT annotator AS name, COUNT(*) AS n FROM annotator_labels
            WHERE annotator <> '' AND label_ids <> '[]' GROUP BY annotator),
         names AS (
           SELECT name FROM annotator_profiles
           UNION SELECT DISTINCT annotator FROM annotator_labels WHERE annotator <> '')
         SELECT names.name AS name, p.created_at AS createdAt, COALESCE(c.n, 0) AS annotations
           FROM names
           LEFT JOIN annotator_profiles p ON p.name = names.name
           LEFT JOIN counts c ON c.name = names.name
          ORDER BY names.name`,
      )
      .all() as AnnotatorProfileDto[]
  }

  async current(): Promise<string | null> {
    return this.currentSync()
  }

  private currentSync(): string | null {
    const v = this.db
      .prepare('SELECT value FROM workspace_settings WHERE key = ?')
      .pluck()
      .get(CURRENT_ANNOTATOR_KEY) as string | undefined
    return v ?? null
  }

  async use(name: string, actor: string): Promise<void> {
    this.db
      .transaction(() => {
        const created =
          this.db
            .prepare(
              'INSERT INTO annotator_profiles (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
            )
            .run(name, new Date().toISOString()).changes > 0
        const previous = this.currentSync()
        this.db
          .prepare(
            `INSERT INTO workspace_settings (key, value) VALUES (?, ?)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
          )
          .run(CURRENT_ANNOTATOR_KEY, name)
        writeAudit(this.db, actor, 'annotator.use', null, { name, previous, created })
      })
      .immediate()
  }

  async settings(projectId: number): Promise<AnnotationSettingsDto> {
    return annotationSettings(this.db, projectId)
  }

  async setSettings(
    projectId: number,
    settings: AnnotationSettingsDto,
    actor: string,
  ): Promise<void> {
    this.db
      .transaction(() => {
        const old = annotationSettings(this.db, projectId)
        const stored = { ...settings, team: [...settings.team] }
        this.db
          .prepare('UPDATE projects SET annotation_settings = ? WHERE id = ?')
          .run(JSON.stringify(stored), projectId)
        writeAudit(this.db, actor, 'annotation.settings', projectId, { old, new: stored })
        resolveProject(this.db, projectId)
      })
      .immediate()
  }

  async rows(projectId: number): Promise<AnnotatorRowDto[]> {
    return (
      this.db
        .prepare(
          `SELECT text_id, annotator, label_ids, at FROM annotator_labels
            WHERE project_id = ? AND annotator <> '' AND label_ids <> '[]'
            ORDER BY text_id, annotator`,
        )
        .all(projectId) as { text_id: number; annotator: string; label_ids: string; at: string }[]
    ).map(annotatorRowOf)
  }

  async ownLabels(
    projectId: number,
    annotator: string,
    textIds: number[],
  ): Promise<Map<number, number[]>> {
    if (textIds.length === 0) return new Map()
    const rows = this.db
      .prepare(
        `SELECT text_id, label_ids FROM annotator_labels
          WHERE annotator = ? AND project_id = ?
            AND text_id IN (SELECT value FROM json_each(?))`,
      )
      .all(annotator, projectId, JSON.stringify(textIds)) as {
      text_id: number
      label_ids: string
    }[]
    return labelIdsByText(rows)
  }

  async adjudications(projectId: number): Promise<Map<number, AdjudicationDto>> {
    const rows = this.db
      .prepare('SELECT * FROM adjudications WHERE project_id = ? ORDER BY text_id')
      .all(projectId) as AdjudicationRow[]
    return new Map(rows.map((r) => [r.text_id, toAdjudication(r)]))
  }

  private adjudicationRow(textId: number): AdjudicationRow | undefined {
    return this.db.prepare('SELECT * FROM adjudications WHERE text_id = ?').get(textId) as
      AdjudicationRow | undefined
  }

  async adjudicate(input: AdjudicateInput): Promise<boolean> {
    const { projectId, textId, adjudicator, note } = input
    const labelIds = normaliseIds(input.labelIds)
    return this.db
      .transaction(() => {
        if (projectOfText(this.db, textId) !== projectId) return false
        const previous = this.adjudicationRow(textId)
        const at = new Date().toISOString()
        this.db
          .prepare(
            `INSERT INTO adjudications (text_id, project_id, label_ids, adjudicator, note, at)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (text_id) DO UPDATE SET project_id = excluded.project_id,
               label_ids = excluded.label_ids, adjudicator = excluded.adjudicator,
               note = excluded.note, at = excluded.at`,
          )
          .run(textId, projectId, JSON.stringify(labelIds), adjudicator, note, at)
        writeAudit(this.db, adjudicator, 'adjudication.set', projectId, {
          textId,
          labelIds,
          note,
          previous: previous ? toAdjudication(previous) : null,
        })
        resolveText(this.db, projectId, textId)
        return true
      })
      .immediate()
  }

  async revertAdjudication(input: {
    projectId: number
    textId: number
    actor: string
  }): Promise<boolean> {
    const { projectId, textId, actor } = input
    return this.db
      .transaction(() => {
        if (projectOfText(this.db, textId) !== projectId) return false
        const previous = this.adjudicationRow(textId)
        if (!previous) return false
        this.db.prepare('DELETE FROM adjudications WHERE text_id = ?').run(textId)
        writeAudit(this.db, actor, 'adjudication.revert', projectId, {
          textId,
          previous: toAdjudication(previous),
        })
        resolveText(this.db, projectId, textId)
        return true
      })
      .immediate()
  }

  async resolution(projectId: number): Promise<Map<number, Resolution>> {
    return this.resolutionSync(projectId)
  }

  private resolutionSync(projectId: number): Map<number, Resolution> {
    const project = this.db
      .prepare('SELECT kind, annotation_settings FROM projects WHERE id = ?')
      .get(projectId) as { kind: LabelSetKind; annotation_settings: string | null } | undefined
    if (!project) return new Map()
    const rows = this.db
      .prepare(
        'SELECT text_id, annotator, label_ids FROM annotator_labels WHERE project_id = ? ORDER BY text_id',
      )
      .all(projectId) as { text_id: number; annotator: string; label_ids: string }[]
    const adjudications = this.db
      .prepare('SELECT text_id, label_ids FROM adjudications WHERE project_id = ?')
      .all(projectId) as { text_id: number; label_ids: string }[]
    return resolveProjectLabels(project, rows, adjudications)
  }

  async resolutionCounts(projectId: number): Promise<ResolutionCountsDto> {
    const counts = emptyResolutionCounts()
    const resolved = this.resolutionSync(projectId)
    for (const r of resolved.values()) counts[r.how] += 1
    const texts = this.db
      .prepare('SELECT COUNT(*) FROM texts WHERE project_id = ?')
      .pluck()
      .get(projectId) as number
    counts.none += texts - resolved.size
    return counts
  }

  async textHashes(
    projectId: number,
    textIds?: number[],
  ): Promise<{ id: number; contentHash: string }[]> {
    if (textIds === undefined) {
      return this.db
        .prepare(
          'SELECT id, content_hash AS contentHash FROM texts WHERE project_id = ? ORDER BY id',
        )
        .all(projectId) as { id: number; contentHash: string }[]
    }
    return this.db
      .prepare(
        `SELECT id, content_hash AS contentHash FROM texts
          WHERE project_id = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id`,
      )
      .all(projectId, JSON.stringify(textIds)) as { id: number; contentHash: string }[]
  }

  async goldLabels(projectId: number): Promise<Map<number, number[]>> {
    const rows = this.db
      .prepare(
        `SELECT al.text_id AS textId, al.label_id AS labelId
           FROM texts t JOIN annotation_labels al ON al.text_id = t.id
          WHERE t.project_id = ? ORDER BY al.text_id, al.label_id`,
      )
      .all(projectId) as { textId: number; labelId: number }[]
    return goldLabelsByText(rows)
  }

  async replaceAssignments(projectId: number, rows: readonly AssignmentRow[]): Promise<void> {
    const insert = this.db.prepare(
      'INSERT INTO text_assignments (text_id, project_id, annotator) VALUES (?, ?, ?)',
    )
    this.db
      .transaction(() => {
        this.db.prepare('DELETE FROM text_assignments WHERE project_id = ?').run(projectId)
        for (const r of rows) insert.run(r.textId, projectId, r.annotator)
      })
      .immediate()
  }

  /** One person's workspace: whoever labels chooses a profile. */
  async loginIdentity(): Promise<string | null> {
    return null
  }
}

export { REFERENCE_ANNOTATOR }
export type { ResolutionHow }
