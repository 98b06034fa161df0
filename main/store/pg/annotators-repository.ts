// PostgreSQL annotators (issue #12 on a team server): profiles and the current one, settings, each
// annotator's own labels, adjudications and the gold labels resolved by the shared pure
// label-resolution.ts. Same behaviour as SqliteAnnotatorsRepository; each write ONE `db.tx`, taking
// the text lock (annotator-labels.ts) before it changes what a text resolves to. Strings are ordered
// COLLATE "C" so names sort byte-wise, as SQLite's BINARY collation does.
import type { AdjudicationDto, ResolutionCountsDto } from '../../../preload/contract/agreement'
import type {
  AnnotationSettingsDto,
  AnnotatorProfileDto,
} from '../../../preload/contract/annotators'
import type { LabelSetKind } from '../../../preload/contract/projects'
import { CtsError } from '../../shared'
import { normaliseIds } from '../annotator-labels-repo'
import {
  annotatorRowOf,
  type AdjudicateInput,
  CURRENT_ANNOTATOR_KEY,
  goldLabelsByText,
  labelIdsByText,
  resolveProjectLabels,
  toAdjudication,
  type AdjudicationRow,
  type AnnotatorRowDto,
  type AnnotatorsRepository,
  type AssignmentRow,
} from '../annotators-repository'
import { emptyResolutionCounts, type Resolution } from '../label-resolution'
import { annotationSettings, lockText, resolveProject, resolveText } from './annotator-labels'
import { writeAuditPg } from './audit'
import type { PgDatabase, PgQueryable } from './pg-database'
import { teamRoleOf } from './team-members'

async function currentOf(q: PgQueryable): Promise<string | null> {
  const row = await q.row<{ value: string }>(
    'SELECT value FROM workspace_settings WHERE key = $1',
    [CURRENT_ANNOTATOR_KEY],
  )
  return row?.value ?? null
}

function adjudicationRow(q: PgQueryable, textId: number): Promise<AdjudicationRow | undefined> {
  return q.row<AdjudicationRow>('SELECT * FROM adjudications WHERE text_id = $1', [textId])
}

/** Refuses choosing a profile where the login is the annotator (an annotator's session). */
function loginIsTheAnnotator(login: string): CtsError {
  return new CtsError(
    'unsupported',
    `On a team workspace you label as your login, "${login}"; an annotator cannot choose another profile. Labels you make are recorded under "${login}".`,
  )
}

export class PgAnnotatorsRepository implements AnnotatorsRepository {
  /** The session's fixed identity, asked once per pool (its login never changes). */
  private identity: Promise<string | null> | undefined

  constructor(private readonly db: PgDatabase) {}

  async loginIdentity(): Promise<string | null> {
    // A failure (the server unreachable) is not remembered: the next call asks again.
    this.identity ??= this.askIdentity().catch((err: unknown) => {
      this.identity = undefined
      throw err
    })
    return this.identity
  }

  private async askIdentity(): Promise<string | null> {
    if ((await teamRoleOf(this.db)) !== 'annotator') return null
    return (await this.db.row<{ login: string }>('SELECT session_user::text AS login'))!.login
  }

  async profiles(): Promise<AnnotatorProfileDto[]> {
    return this.db.rows<AnnotatorProfileDto>(
      `WITH counts AS (
         SELECT annotator AS name, COUNT(*)::int AS n FROM annotator_labels
          WHERE annotator <> '' AND label_ids <> '[]' GROUP BY annotator),
       names AS (
         SELECT name FROM annotator_profiles
         UNION SELECT DISTINCT annotator FROM annotator_labels WHERE annotator <> '')
       SELECT names.name AS name, p.created_at AS "createdAt", COALESCE(c.n, 0) AS annotations
         FROM names
         LEFT JOIN annotator_profiles p ON p.name = names.name
         LEFT JOIN counts c ON c.name = names.name
        ORDER BY names.name COLLATE "C"`,
    )
  }

  async current(): Promise<string | null> {
    return (await this.loginIdentity()) ?? currentOf(this.db)
  }

  async use(name: string, actor: string): Promise<void> {
    const login = await this.loginIdentity()
    if (login !== null) throw loginIsTheAnnotator(login)
    await this.db.tx(async (q) => {
      const created =
        (
          await q.run(
            'INSERT INTO annotator_profiles (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
            [name, new Date().toISOString()],
          )
        ).rowCount > 0
      const previous = await currentOf(q)
      await q.run(
        `INSERT INTO workspace_settings (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
        [CURRENT_ANNOTATOR_KEY, name],
      )
      await writeAuditPg(q, actor, 'annotator.use', null, { name, previous, created })
    })
  }

  async settings(projectId: number): Promise<AnnotationSettingsDto> {
    return annotationSettings(this.db, projectId)
  }

  async setSettings(
    projectId: number,
    settings: AnnotationSettingsDto,
    actor: string,
  ): Promise<void> {
    await this.db.tx(async (q) => {
      // The project row first: two settings changes at once apply one after the other.
      await q.run('SELECT id FROM projects WHERE id = $1 FOR NO KEY UPDATE', [projectId])
      const old = await annotationSettings(q, projectId)
      const stored = { ...settings, team: [...settings.team] }
      await q.run('UPDATE projects SET annotation_settings = $1 WHERE id = $2', [
        JSON.stringify(stored),
        projectId,
      ])
      // Texts before the audit entry (the SQLite twin audits first): the audit lock is always last.
      await resolveProject(q, projectId)
      await writeAuditPg(q, actor, 'annotation.settings', projectId, { old, new: stored })
    })
  }

  async rows(projectId: number): Promise<AnnotatorRowDto[]> {
    const rows = await this.db.rows<{
      text_id: number
      annotator: string
      label_ids: string
      at: string
    }>(
      `SELECT text_id, annotator, label_ids, at FROM annotator_labels
        WHERE project_id = $1 AND annotator <> '' AND label_ids <> '[]'
        ORDER BY text_id, annotator COLLATE "C"`,
      [projectId],
    )
    return rows.map(annotatorRowOf)
  }

  async ownLabels(
    projectId: number,
    annotator: string,
    textIds: number[],
  ): Promise<Map<number, number[]>> {
    if (textIds.length === 0) return new Map()
    const rows = await this.db.rows<{ text_id: number; label_ids: string }>(
      `SELECT text_id, label_ids FROM annotator_labels
        WHERE annotator = $1 AND project_id = $2 AND text_id = ANY($3::int[])`,
      [annotator, projectId, textIds],
    )
    return labelIdsByText(rows)
  }

  async adjudications(projectId: number): Promise<Map<number, AdjudicationDto>> {
    const rows = await this.db.rows<AdjudicationRow>(
      'SELECT * FROM adjudications WHERE project_id = $1 ORDER BY text_id',
      [projectId],
    )
    return new Map(rows.map((r) => [r.text_id, toAdjudication(r)]))
  }

  async adjudicate(input: AdjudicateInput): Promise<boolean> {
    const { projectId, textId, adjudicator, note } = input
    const labelIds = normaliseIds(input.labelIds)
    return this.db.tx(async (q) => {
      if ((await lockText(q, textId)) !== projectId) return false
      const previous = await adjudicationRow(q, textId)
      await q.run(
        `INSERT INTO adjudications (text_id, project_id, label_ids, adjudicator, note, at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (text_id) DO UPDATE SET project_id = EXCLUDED.project_id,
           label_ids = EXCLUDED.label_ids, adjudicator = EXCLUDED.adjudicator,
           note = EXCLUDED.note, at = EXCLUDED.at`,
        [textId, projectId, JSON.stringify(labelIds), adjudicator, note, new Date().toISOString()],
      )
      await writeAuditPg(q, adjudicator, 'adjudication.set', projectId, {
        textId,
        labelIds,
        note,
        previous: previous ? toAdjudication(previous) : null,
      })
      await resolveText(q, projectId, textId)
      return true
    })
  }

  async revertAdjudication(input: {
    projectId: number
    textId: number
    actor: string
  }): Promise<boolean> {
    const { projectId, textId, actor } = input
    return this.db.tx(async (q) => {
      if ((await lockText(q, textId)) !== projectId) return false
      const previous = await adjudicationRow(q, textId)
      if (!previous) return false
      await q.run('DELETE FROM adjudications WHERE text_id = $1', [textId])
      await writeAuditPg(q, actor, 'adjudication.revert', projectId, {
        textId,
        previous: toAdjudication(previous),
      })
      await resolveText(q, projectId, textId)
      return true
    })
  }

  async resolution(projectId: number): Promise<Map<number, Resolution>> {
    return this.db.tx((q) => this.resolutionIn(q, projectId), { isolation: 'repeatable read' })
  }

  private async resolutionIn(q: PgQueryable, projectId: number): Promise<Map<number, Resolution>> {
    const project = await q.row<{ kind: LabelSetKind; annotation_settings: string | null }>(
      'SELECT kind, annotation_settings FROM projects WHERE id = $1',
      [projectId],
    )
    if (!project) return new Map()
    // Each text's rows in the order SQLite's primary key (text_id, annotator) gives them.
    const rows = await q.rows<{ text_id: number; annotator: string; label_ids: string }>(
      `SELECT text_id, annotator, label_ids FROM annotator_labels WHERE project_id = $1
        ORDER BY text_id, annotator COLLATE "C"`,
      [projectId],
    )
    const adjudications = await q.rows<{ text_id: number; label_ids: string }>(
      'SELECT text_id, label_ids FROM adjudications WHERE project_id = $1',
      [projectId],
    )
    return resolveProjectLabels(project, rows, adjudications)
  }

  async resolutionCounts(projectId: number): Promise<ResolutionCountsDto> {
    return this.db.tx(
      async (q) => {
        const counts = emptyResolutionCounts()
        const resolved = await this.resolutionIn(q, projectId)
        for (const r of resolved.values()) counts[r.how] += 1
        const texts = (await q.row<{ n: number }>(
          'SELECT COUNT(*)::int AS n FROM texts WHERE project_id = $1',
          [projectId],
        ))!.n
        counts.none += texts - resolved.size
        return counts
      },
      { isolation: 'repeatable read' },
    )
  }

  async textHashes(
    projectId: number,
    textIds?: number[],
  ): Promise<{ id: number; contentHash: string }[]> {
    if (textIds === undefined) {
      return this.db.rows(
        'SELECT id, content_hash AS "contentHash" FROM texts WHERE project_id = $1 ORDER BY id',
        [projectId],
      )
    }
    return this.db.rows(
      `SELECT id, content_hash AS "contentHash" FROM texts
        WHERE project_id = $1 AND id = ANY($2::int[]) ORDER BY id`,
      [projectId, textIds],
    )
  }

  async goldLabels(projectId: number): Promise<Map<number, number[]>> {
    const rows = await this.db.rows<{ textId: number; labelId: number }>(
      `SELECT al.text_id AS "textId", al.label_id AS "labelId"
         FROM texts t JOIN annotation_labels al ON al.text_id = t.id
        WHERE t.project_id = $1 ORDER BY al.text_id, al.label_id`,
      [projectId],
    )
    return goldLabelsByText(rows)
  }

  async replaceAssignments(projectId: number, rows: readonly AssignmentRow[]): Promise<void> {
    await this.db.tx(async (q) => {
      // The project row first (as setSettings and the import commit lock it): two replacements
      // never interleave their DELETE and INSERT, which would collide on the primary key.
      await q.run('SELECT id FROM projects WHERE id = $1 FOR NO KEY UPDATE', [projectId])
      await q.run('DELETE FROM text_assignments WHERE project_id = $1', [projectId])
      for (let i = 0; i < rows.length; i += ASSIGNMENT_BATCH) {
        const batch = rows.slice(i, i + ASSIGNMENT_BATCH)
        await q.run(
          `INSERT INTO text_assignments (text_id, project_id, annotator)
           SELECT t, $1, a FROM unnest($2::int[], $3::text[]) AS r(t, a)`,
          [projectId, batch.map((r) => r.textId), batch.map((r) => r.annotator)],
        )
      }
    })
  }
}

/** Rows per INSERT … unnest: large projects stay a few statements, each of bounded size. */
const ASSIGNMENT_BATCH = 5000
