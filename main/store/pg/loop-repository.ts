// The model in the loop's storage on PostgreSQL (the team workspace): the same LoopRepository,
// DTOs and mappers as loop-repository.ts, made safe for several clients writing at once.
import {
  auditPairOf,
  modelOf,
  settingsOf,
  suggestionOf,
  SUGGESTION_CHUNK,
  type AuditPair,
  type AuditPairDbRow,
  type LoopModelRow,
  type LoopRepository,
  type LoopSettingsRow,
  type LoopTrainingSnapshot,
  type ModelDbRow,
  type Probabilities,
  type SettingsDbRow,
  type StoredSuggestion,
  type SuggestionDbRow,
} from '../loop-repository'
import { labelSnapshotTx, pgHistoryMark } from './label-snapshot'
import type { PgDatabase, PgQueryable } from './pg-database'

const SETTINGS_UPSERT = `INSERT INTO loop_settings (project_id, enabled, threshold, show_suggestions,
    audit_rate, mix_every, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (project_id) DO UPDATE SET enabled = excluded.enabled,
    threshold = excluded.threshold, show_suggestions = excluded.show_suggestions,
    audit_rate = excluded.audit_rate, mix_every = excluded.mix_every,
    updated_at = excluded.updated_at`

async function upsertSettings(q: PgQueryable, projectId: number, s: LoopSettingsRow) {
  await q.run(SETTINGS_UPSERT, [
    projectId,
    s.enabled ? 1 : 0,
    s.threshold,
    s.showSuggestions ? 1 : 0,
    s.auditRate,
    s.mixEvery,
    new Date().toISOString(),
  ])
}

const SUGGESTION_COLUMNS = 'text_id, project_id, model_id, probabilities'

export class PgLoopRepository implements LoopRepository {
  constructor(private readonly db: PgDatabase) {}

  async settings(projectId: number): Promise<LoopSettingsRow | undefined> {
    const r = await this.db.row<SettingsDbRow>(
      'SELECT enabled, threshold, show_suggestions, audit_rate, mix_every FROM loop_settings WHERE project_id = $1',
      [projectId],
    )
    return r && settingsOf(r)
  }

  async saveSettings(projectId: number, s: LoopSettingsRow): Promise<void> {
    await upsertSettings(this.db, projectId, s)
  }

  async drawAudit(
    projectId: number,
    defaults: LoopSettingsRow,
    choose: (candidates: number[], drawnThrough: number) => number[],
  ): Promise<number> {
    return this.db.tx(async (q) => {
      // One draw per project at a time (SQLite: the immediate transaction), so a text is
      // considered once; the project row's key lock also keeps a delete out until we commit.
      if (!(await q.row('SELECT 1 FROM projects WHERE id = $1 FOR KEY SHARE', [projectId])))
        return 0
      await q.run("SELECT pg_advisory_xact_lock(hashtext('cts.loop-audit'), $1)", [projectId])
      // Text ids are drawn before their import commits: wait for imports in flight (and hold new
      // ones for these few statements), or a text below MAX(id) could commit after the draw and
      // never be considered. Label writes only lock text rows, which this does not wait for.
      await q.run('LOCK TABLE texts IN SHARE MODE')
      let through = (
        await q.row<{ audit_drawn_through: number }>(
          'SELECT audit_drawn_through FROM loop_settings WHERE project_id = $1',
          [projectId],
        )
      )?.audit_drawn_through
      if (through === undefined) {
        await upsertSettings(q, projectId, defaults)
        through = 0
      }
      const { last } = (await q.row<{ last: number }>(
        'SELECT COALESCE(MAX(id), 0) AS last FROM texts WHERE project_id = $1',
        [projectId],
      )) as { last: number }
      if (last > through) {
        const candidates = (
          await q.rows<{ id: number }>(
            `SELECT t.id FROM texts t WHERE t.project_id = $1 AND t.id > $2
                AND NOT EXISTS (SELECT 1 FROM annotation_labels al WHERE al.text_id = t.id)
              ORDER BY t.id`,
            [projectId, through],
          )
        ).map((r) => r.id)
        const chosen = choose(candidates, through)
        await q.run(
          `INSERT INTO loop_audit_texts (text_id, project_id, drawn_at)
           SELECT id, $2, $3 FROM unnest($1::int[]) AS id ON CONFLICT DO NOTHING`,
          [chosen, projectId, new Date().toISOString()],
        )
        await q.run('UPDATE loop_settings SET audit_drawn_through = $1 WHERE project_id = $2', [
          last,
          projectId,
        ])
      }
      const { n } = (await q.row<{ n: number }>(
        'SELECT COUNT(*)::int AS n FROM loop_audit_texts WHERE project_id = $1',
        [projectId],
      )) as { n: number }
      return n
    })
  }

  async auditTextIds(projectId: number): Promise<number[]> {
    const rows = await this.db.rows<{ text_id: number }>(
      'SELECT text_id FROM loop_audit_texts WHERE project_id = $1 ORDER BY text_id',
      [projectId],
    )
    return rows.map((r) => r.text_id)
  }

  async isAudit(textId: number): Promise<boolean> {
    return (
      (await this.db.row('SELECT 1 FROM loop_audit_texts WHERE text_id = $1', [textId])) !==
      undefined
    )
  }

  async auditCounts(projectId: number): Promise<{ sampleSize: number; labelled: number }> {
    return (await this.db.row<{ sampleSize: number; labelled: number }>(
      `SELECT COUNT(*)::int AS "sampleSize",
              COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM annotation_labels al
                                             WHERE al.text_id = a.text_id) THEN 1 ELSE 0 END), 0)::int
                AS labelled
         FROM loop_audit_texts a WHERE a.project_id = $1`,
      [projectId],
    )) as { sampleSize: number; labelled: number }
  }

  async trainingSnapshot(projectId: number): Promise<LoopTrainingSnapshot> {
    // One snapshot: the training set, the texts to score and the history mark agree, and no label
    // at or below historyId is missing from `train` (label-snapshot.ts says how).
    return labelSnapshotTx(this.db, async (q) => {
      const labelIds = (
        await q.rows<{ id: number }>(
          'SELECT id FROM labels WHERE project_id = $1 ORDER BY position, id',
          [projectId],
        )
      ).map((r) => r.id)
      const train = await q.rows<LoopTrainingSnapshot['train'][number]>(
        `SELECT t.id AS "textId", t.text AS text, MIN(al.label_id) AS "labelId"
             FROM texts t JOIN annotation_labels al ON al.text_id = t.id
             LEFT JOIN annotations a ON a.text_id = t.id
            WHERE t.project_id = $1 AND COALESCE(a.skipped, 0) = 0
              AND NOT EXISTS (SELECT 1 FROM loop_audit_texts x WHERE x.text_id = t.id)
            GROUP BY t.id HAVING COUNT(*) = 1 ORDER BY t.id`,
        [projectId],
      )
      const score = await q.rows<LoopTrainingSnapshot['score'][number]>(
        `SELECT t.id AS "textId", t.text AS text FROM texts t
            WHERE t.project_id = $1
              AND (NOT EXISTS (SELECT 1 FROM annotation_labels al WHERE al.text_id = t.id)
                   OR EXISTS (SELECT 1 FROM loop_audit_texts x WHERE x.text_id = t.id))
            ORDER BY t.id`,
        [projectId],
      )
      const historyId = await pgHistoryMark(q, projectId)
      return { labelIds, train, score, historyId }
    })
  }

  async newLabelsSince(projectId: number, historyId: number): Promise<number> {
    const r = (await this.db.row<{ n: number }>(
      `SELECT COUNT(*)::int AS n FROM annotation_history
        WHERE project_id = $1 AND action = 'set' AND id > $2 AND after_label_ids != '[]'`,
      [projectId, historyId],
    )) as { n: number }
    return r.n
  }

  async addModel(m: Omit<LoopModelRow, 'id' | 'createdAt' | 'completedAt'>): Promise<number> {
    const r = (await this.db.row<{ id: number }>(
      `INSERT INTO loop_models (project_id, name, trained_on_labels, history_id, label_ids,
         train_seconds, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        m.projectId,
        m.name,
        m.trainedOnLabels,
        m.historyId,
        JSON.stringify(m.labelIds),
        m.trainSeconds,
        new Date().toISOString(),
      ],
    )) as { id: number }
    return r.id
  }

  async writeSuggestions(
    projectId: number,
    modelId: number,
    rows: { textId: number; labels: Probabilities }[],
    chunk = SUGGESTION_CHUNK,
  ): Promise<void> {
    // Every chunk is one transaction and one round trip: the awaits between chunks let other
    // work (a label write) in, as the SQLite version's explicit yield does.
    for (let i = 0; i < rows.length; i += chunk) {
      // One row per text, the last given wins (as the SQLite upserts one after another do):
      // PostgreSQL refuses to upsert the same key twice in one statement.
      const part = new Map<number, string>()
      for (const r of rows.slice(i, i + chunk)) part.set(r.textId, JSON.stringify(r.labels))
      const gone = await this.db.tx(async (q) => {
        // The model may have gone with its project meanwhile: nothing left to write. Its key
        // lock keeps that delete out until this chunk commits.
        if (!(await q.row('SELECT 1 FROM loop_models WHERE id = $1 FOR KEY SHARE', [modelId])))
          return true
        await q.run(
          `INSERT INTO loop_suggestions (${SUGGESTION_COLUMNS}, created_at)
           SELECT t.id, $1, $2, x.probabilities, $3
             FROM unnest($4::int[], $5::text[]) AS x(text_id, probabilities)
             JOIN texts t ON t.id = x.text_id AND t.project_id = $1
           ON CONFLICT (text_id) DO UPDATE SET model_id = excluded.model_id,
             probabilities = excluded.probabilities, created_at = excluded.created_at`,
          [projectId, modelId, new Date().toISOString(), [...part.keys()], [...part.values()]],
        )
        return false
      })
      if (gone) return
    }
  }

  async completeModel(modelId: number): Promise<void> {
    await this.db.run('UPDATE loop_models SET completed_at = $1 WHERE id = $2', [
      new Date().toISOString(),
      modelId,
    ])
  }

  async latestModel(projectId: number): Promise<LoopModelRow | undefined> {
    const r = await this.db.row<ModelDbRow>(
      `SELECT * FROM loop_models WHERE project_id = $1 AND completed_at IS NOT NULL
        ORDER BY id DESC LIMIT 1`,
      [projectId],
    )
    return r && modelOf(r)
  }

  async model(modelId: number): Promise<LoopModelRow | undefined> {
    const r = await this.db.row<ModelDbRow>('SELECT * FROM loop_models WHERE id = $1', [modelId])
    return r && modelOf(r)
  }

  async suggestion(textId: number): Promise<StoredSuggestion | undefined> {
    const r = await this.db.row<SuggestionDbRow>(
      `SELECT ${SUGGESTION_COLUMNS} FROM loop_suggestions WHERE text_id = $1`,
      [textId],
    )
    return r && suggestionOf(r)
  }

  async suggestionsOf(modelId: number): Promise<StoredSuggestion[]> {
    const rows = await this.db.rows<SuggestionDbRow>(
      `SELECT ${SUGGESTION_COLUMNS} FROM loop_suggestions WHERE model_id = $1 ORDER BY text_id`,
      [modelId],
    )
    return rows.map(suggestionOf)
  }

  async recordShown(input: {
    projectId: number
    textId: number
    modelId: number
    labelId: number
    probability: number
  }): Promise<boolean> {
    const r = await this.db.run(
      `INSERT INTO loop_shown (text_id, project_id, model_id, label_id, probability, shown_at)
       SELECT $1::int, $2::int, $3::int, $4::int, $5::float8, $6::text
        WHERE NOT EXISTS (SELECT 1 FROM annotation_labels WHERE text_id = $1::int)
       ON CONFLICT (text_id) DO UPDATE SET model_id = excluded.model_id,
         label_id = excluded.label_id, probability = excluded.probability,
         shown_at = excluded.shown_at`,
      [
        input.textId,
        input.projectId,
        input.modelId,
        input.labelId,
        input.probability,
        new Date().toISOString(),
      ],
    )
    return r.rowCount > 0
  }

  async agreement(projectId: number): Promise<{ compared: number; equal: number }> {
    return (await this.db.row<{ compared: number; equal: number }>(
      `SELECT COUNT(*)::int AS compared, COALESCE(SUM(CASE WHEN
                (SELECT COUNT(*) FROM annotation_labels al WHERE al.text_id = s.text_id) = 1
                AND EXISTS (SELECT 1 FROM annotation_labels al
                             WHERE al.text_id = s.text_id AND al.label_id = s.label_id)
              THEN 1 ELSE 0 END), 0)::int AS equal
         FROM loop_shown s
        WHERE s.project_id = $1
          AND EXISTS (SELECT 1 FROM annotation_labels al WHERE al.text_id = s.text_id)`,
      [projectId],
    )) as { compared: number; equal: number }
  }

  async auditPairs(projectId: number, modelId: number): Promise<AuditPair[]> {
    // One suggestion row per text: grouping by its probabilities too changes nothing.
    const rows = await this.db.rows<AuditPairDbRow>(
      `SELECT a.text_id AS "textId", MIN(al.label_id) AS "labelId", s.probabilities AS probabilities
         FROM loop_audit_texts a
         JOIN annotation_labels al ON al.text_id = a.text_id
         JOIN loop_suggestions s ON s.text_id = a.text_id AND s.model_id = $1
        WHERE a.project_id = $2
        GROUP BY a.text_id, s.probabilities HAVING COUNT(*) = 1 ORDER BY a.text_id`,
      [modelId, projectId],
    )
    return rows.map(auditPairOf)
  }
}
