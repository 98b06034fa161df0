// The model in the loop's storage (schema 6): settings, the audit sample, in-loop models, their
// suggestions (apart from annotations: never a label) and the suggestion shown before labelling.
import type { Database } from 'better-sqlite3'

export interface LoopSettingsRow {
  enabled: boolean
  threshold: number
  showSuggestions: boolean
  auditRate: number
  mixEvery: number
}

export interface LoopModelRow {
  id: number
  projectId: number
  name: string
  trainedOnLabels: number
  historyId: number
  /** Class index → label id. */
  labelIds: number[]
  trainSeconds: number
  createdAt: string
  completedAt: string | null
}

/** What one retrain reads, in one consistent snapshot. */
export interface LoopTrainingSnapshot {
  /** The project's label ids in position order (the classes). */
  labelIds: number[]
  /** Single-labelled, not skipped texts OUTSIDE the audit sample. */
  train: { textId: number; text: string; labelId: number }[]
  /** Every text without a label, and every audit text (labelled or not). */
  score: { textId: number; text: string }[]
  /** The project's last annotation_history id at the snapshot. */
  historyId: number
}

export interface StoredSuggestion {
  textId: number
  projectId: number
  modelId: number
  /** Highest probability first. */
  labels: { labelId: number; probability: number }[]
}

/** An audit text a human labelled (one label), with the latest model's suggestion for it. */
export interface AuditPair {
  textId: number
  labelId: number
  labels: { labelId: number; probability: number }[]
}

export interface LoopRepository {
  /** The saved settings, or undefined when the project never changed them. */
  settings(projectId: number): Promise<LoopSettingsRow | undefined>
  saveSettings(projectId: number, settings: LoopSettingsRow): Promise<void>
  /**
   * Adds to the audit sample from the project's unlabelled texts not yet considered (id above the
   * last draw): `choose(candidates, drawnThrough)` picks some of them (synchronous, seeded by the
   * caller). Atomic with the bookkeeping, so a text is considered once. Returns the sample size.
   */
  drawAudit(
    projectId: number,
    defaults: LoopSettingsRow,
    choose: (candidates: number[], drawnThrough: number) => number[],
  ): Promise<number>
  auditTextIds(projectId: number): Promise<number[]>
  isAudit(textId: number): Promise<boolean>
  /** Audit sample size and how many of its texts carry a label. */
  auditCounts(projectId: number): Promise<{ sampleSize: number; labelled: number }>
  trainingSnapshot(projectId: number): Promise<LoopTrainingSnapshot>
  /** Label changes ('set' with a label) in the project's history after `historyId`. */
  newLabelsSince(projectId: number, historyId: number): Promise<number>
  /** Records a model whose suggestions are about to be written (not yet the latest). */
  addModel(model: Omit<LoopModelRow, 'id' | 'createdAt' | 'completedAt'>): Promise<number>
  /**
   * Upserts the latest suggestion of many texts, in chunks of `chunk` rows per transaction with
   * the event loop yielded between chunks (a label write never waits behind all of them).
   */
  writeSuggestions(
    projectId: number,
    modelId: number,
    rows: { textId: number; labels: { labelId: number; probability: number }[] }[],
    chunk?: number,
  ): Promise<void>
  /** Makes the model the project's latest (its suggestions are all written). */
  completeModel(modelId: number): Promise<void>
  /** The latest completed model. */
  latestModel(projectId: number): Promise<LoopModelRow | undefined>
  model(modelId: number): Promise<LoopModelRow | undefined>
  suggestion(textId: number): Promise<StoredSuggestion | undefined>
  /** Every stored suggestion of a model (for the queue's orders). */
  suggestionsOf(modelId: number): Promise<StoredSuggestion[]>
  /**
   * Records that the suggestion was shown for a text not labelled yet (a text already labelled
   * keeps the record of what was shown before its human label). Returns whether it recorded.
   */
  recordShown(input: {
    projectId: number
    textId: number
    modelId: number
    labelId: number
    probability: number
  }): Promise<boolean>
  /** Texts labelled after a suggestion was shown, and how many got exactly the suggested label. */
  agreement(projectId: number): Promise<{ compared: number; equal: number }>
  auditPairs(projectId: number, modelId: number): Promise<AuditPair[]>
}

/** Suggestion rows per transaction: a few ms of writing, then the event loop runs again. */
export const SUGGESTION_CHUNK = 100

/** A loop_settings row as stored (both backends). */
export interface SettingsDbRow {
  enabled: number
  threshold: number
  show_suggestions: number
  audit_rate: number
  mix_every: number
}

/** A loop_models row as stored (both backends). */
export interface ModelDbRow {
  id: number
  project_id: number
  name: string
  trained_on_labels: number
  history_id: number
  label_ids: string
  train_seconds: number
  created_at: string
  completed_at: string | null
}

export const modelOf = (r: ModelDbRow): LoopModelRow => ({
  id: r.id,
  projectId: r.project_id,
  name: r.name,
  trainedOnLabels: r.trained_on_labels,
  historyId: r.history_id,
  labelIds: JSON.parse(r.label_ids) as number[],
  trainSeconds: r.train_seconds,
  createdAt: r.created_at,
  completedAt: r.completed_at,
})

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

export type Probabilities = { labelId: number; probability: number }[]

export class SqliteLoopRepository implements LoopRepository {
  constructor(private readonly db: Database) {}

  async settings(projectId: number): Promise<LoopSettingsRow | undefined> {
    const r = this.db
      .prepare(
        'SELECT enabled, threshold, show_suggestions, audit_rate, mix_every FROM loop_settings WHERE project_id = ?',
      )
      .get(projectId) as SettingsDbRow | undefined
    return r && settingsOf(r)
  }

  async saveSettings(projectId: number, s: LoopSettingsRow): Promise<void> {
    this.upsertSettings(projectId, s)
  }

  private upsertSettings(projectId: number, s: LoopSettingsRow): void {
    this.db
      .prepare(
        `INSERT INTO loop_settings (project_id, enabled, threshold, show_suggestions, audit_rate,
           mix_every, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (project_id) DO UPDATE SET enabled = excluded.enabled,
           threshold = excluded.threshold, show_suggestions = excluded.show_suggestions,
           audit_rate = excluded.audit_rate, mix_every = excluded.mix_every,
           updated_at = excluded.updated_at`,
      )
      .run(
        projectId,
        s.enabled ? 1 : 0,
        s.threshold,
        s.showSuggestions ? 1 : 0,
        s.auditRate,
        s.mixEvery,
        new Date().toISOString(),
      )
  }

  async drawAudit(
    projectId: number,
    defaults: LoopSettingsRow,
    choose: (candidates: number[], drawnThrough: number) => number[],
  ): Promise<number> {
    return this.db
      .transaction(() => {
        const exists = this.db.prepare('SELECT 1 FROM projects WHERE id = ?').get(projectId)
        if (!exists) return 0
        let through = this.db
          .prepare('SELECT audit_drawn_through FROM loop_settings WHERE project_id = ?')
          .pluck()
          .get(projectId) as number | undefined
        if (through === undefined) {
          this.upsertSettings(projectId, defaults)
          through = 0
        }
        const last = this.db
          .prepare('SELECT COALESCE(MAX(id), 0) FROM texts WHERE project_id = ?')
          .pluck()
          .get(projectId) as number
        if (last > through) {
          const candidates = this.db
            .prepare(
              `SELECT t.id FROM texts t WHERE t.project_id = ? AND t.id > ?
                  AND NOT EXISTS (SELECT 1 FROM annotation_labels al WHERE al.text_id = t.id)
                ORDER BY t.id`,
            )
            .pluck()
            .all(projectId, through) as number[]
          const insert = this.db.prepare(
            'INSERT OR IGNORE INTO loop_audit_texts (text_id, project_id, drawn_at) VALUES (?, ?, ?)',
          )
          const now = new Date().toISOString()
          for (const id of choose(candidates, through)) insert.run(id, projectId, now)
          this.db
            .prepare('UPDATE loop_settings SET audit_drawn_through = ? WHERE project_id = ?')
            .run(last, projectId)
        }
        return this.db
          .prepare('SELECT COUNT(*) FROM loop_audit_texts WHERE project_id = ?')
          .pluck()
          .get(projectId) as number
      })
      .immediate()
  }

  async auditTextIds(projectId: number): Promise<number[]> {
    return this.db
      .prepare('SELECT text_id FROM loop_audit_texts WHERE project_id = ? ORDER BY text_id')
      .pluck()
      .all(projectId) as number[]
  }

  async isAudit(textId: number): Promise<boolean> {
    return (
      this.db.prepare('SELECT 1 FROM loop_audit_texts WHERE text_id = ?').get(textId) !== undefined
    )
  }

  async auditCounts(projectId: number): Promise<{ sampleSize: number; labelled: number }> {
    return this.db
      .prepare(
        `SELECT COUNT(*) AS sampleSize,
                COALESCE(SUM(EXISTS (SELECT 1 FROM annotation_labels al WHERE al.text_id = a.text_id)), 0)
                  AS labelled
           FROM loop_audit_texts a WHERE a.project_id = ?`,
      )
      .get(projectId) as { sampleSize: number; labelled: number }
  }

  async trainingSnapshot(projectId: number): Promise<LoopTrainingSnapshot> {
    // One read transaction: the training set, the texts to score and the history mark agree.
    return this.db.transaction((): LoopTrainingSnapshot => {
      const labelIds = this.db
        .prepare('SELECT id FROM labels WHERE project_id = ? ORDER BY position')
        .pluck()
        .all(projectId) as number[]
      const train = this.db
        .prepare(
          `SELECT t.id AS textId, t.text AS text, MIN(al.label_id) AS labelId
             FROM texts t JOIN annotation_labels al ON al.text_id = t.id
             LEFT JOIN annotations a ON a.text_id = t.id
            WHERE t.project_id = ? AND COALESCE(a.skipped, 0) = 0
              AND NOT EXISTS (SELECT 1 FROM loop_audit_texts x WHERE x.text_id = t.id)
            GROUP BY t.id HAVING COUNT(*) = 1 ORDER BY t.id`,
        )
        .all(projectId) as LoopTrainingSnapshot['train']
      const score = this.db
        .prepare(
          `SELECT t.id AS textId, t.text AS text FROM texts t
            WHERE t.project_id = ?
              AND (NOT EXISTS (SELECT 1 FROM annotation_labels al WHERE al.text_id = t.id)
                   OR EXISTS (SELECT 1 FROM loop_audit_texts x WHERE x.text_id = t.id))
            ORDER BY t.id`,
        )
        .all(projectId) as LoopTrainingSnapshot['score']
      const historyId = this.db
        .prepare('SELECT COALESCE(MAX(id), 0) FROM annotation_history WHERE project_id = ?')
        .pluck()
        .get(projectId) as number
      return { labelIds, train, score, historyId }
    })()
  }

  async newLabelsSince(projectId: number, historyId: number): Promise<number> {
    return this.db
      .prepare(
        `SELECT COUNT(*) FROM annotation_history
          WHERE project_id = ? AND action = 'set' AND id > ? AND after_label_ids != '[]'`,
      )
      .pluck()
      .get(projectId, historyId) as number
  }

  async addModel(m: Omit<LoopModelRow, 'id' | 'createdAt' | 'completedAt'>): Promise<number> {
    const r = this.db
      .prepare(
        `INSERT INTO loop_models (project_id, name, trained_on_labels, history_id, label_ids,
           train_seconds, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        m.projectId,
        m.name,
        m.trainedOnLabels,
        m.historyId,
        JSON.stringify(m.labelIds),
        m.trainSeconds,
        new Date().toISOString(),
      )
    return Number(r.lastInsertRowid)
  }

  async writeSuggestions(
    projectId: number,
    modelId: number,
    rows: { textId: number; labels: Probabilities }[],
    chunk = SUGGESTION_CHUNK,
  ): Promise<void> {
    const upsert = this.db.prepare(
      `INSERT INTO loop_suggestions (text_id, project_id, model_id, probabilities, created_at)
       SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM texts WHERE id = ? AND project_id = ?)
       ON CONFLICT (text_id) DO UPDATE SET model_id = excluded.model_id,
         probabilities = excluded.probabilities, created_at = excluded.created_at`,
    )
    const writeChunk = this.db.transaction((part: typeof rows, now: string) => {
      for (const r of part)
        upsert.run(r.textId, projectId, modelId, JSON.stringify(r.labels), now, r.textId, projectId)
    })
    for (let i = 0; i < rows.length; i += chunk) {
      if (i > 0) await yieldToEventLoop()
      // The model may have gone with its project while we yielded: nothing left to write.
      if (!this.db.prepare('SELECT 1 FROM loop_models WHERE id = ?').get(modelId)) return
      // Suggestions are derived and recomputable: their commits skip the fsync (WAL +
      // synchronous=NORMAL cannot corrupt; at worst a crash loses the newest suggestions, and the
      // next label's FULL commit makes them durable anyway), so a label never queues behind the
      // disk flushes of a model's thousands of rows. Labels keep FULL: the setting is restored
      // before any other statement of this connection runs (this is all synchronous).
      const was = this.db.pragma('synchronous', { simple: true }) as number
      this.db.pragma('synchronous = NORMAL')
      try {
        writeChunk.immediate(rows.slice(i, i + chunk), new Date().toISOString())
      } finally {
        this.db.pragma(`synchronous = ${was}`)
      }
    }
  }

  async completeModel(modelId: number): Promise<void> {
    this.db
      .prepare('UPDATE loop_models SET completed_at = ? WHERE id = ?')
      .run(new Date().toISOString(), modelId)
  }

  async latestModel(projectId: number): Promise<LoopModelRow | undefined> {
    const r = this.db
      .prepare(
        `SELECT * FROM loop_models WHERE project_id = ? AND completed_at IS NOT NULL
          ORDER BY id DESC LIMIT 1`,
      )
      .get(projectId) as ModelDbRow | undefined
    return r && modelOf(r)
  }

  async model(modelId: number): Promise<LoopModelRow | undefined> {
    const r = this.db.prepare('SELECT * FROM loop_models WHERE id = ?').get(modelId) as
      ModelDbRow | undefined
    return r && modelOf(r)
  }

  async suggestion(textId: number): Promise<StoredSuggestion | undefined> {
    const r = this.db
      .prepare(
        'SELECT text_id, project_id, model_id, probabilities FROM loop_suggestions WHERE text_id = ?',
      )
      .get(textId) as SuggestionDbRow | undefined
    return r && suggestionOf(r)
  }

  async suggestionsOf(modelId: number): Promise<StoredSuggestion[]> {
    const rows = this.db
      .prepare(
        `SELECT text_id, project_id, model_id, probabilities FROM loop_suggestions
          WHERE model_id = ? ORDER BY text_id`,
      )
      .all(modelId) as SuggestionDbRow[]
    return rows.map(suggestionOf)
  }

  async recordShown(input: {
    projectId: number
    textId: number
    modelId: number
    labelId: number
    probability: number
  }): Promise<boolean> {
    const r = this.db
      .prepare(
        `INSERT INTO loop_shown (text_id, project_id, model_id, label_id, probability, shown_at)
         SELECT ?, ?, ?, ?, ?, ?
          WHERE NOT EXISTS (SELECT 1 FROM annotation_labels WHERE text_id = ?)
         ON CONFLICT (text_id) DO UPDATE SET model_id = excluded.model_id,
           label_id = excluded.label_id, probability = excluded.probability,
           shown_at = excluded.shown_at`,
      )
      .run(
        input.textId,
        input.projectId,
        input.modelId,
        input.labelId,
        input.probability,
        new Date().toISOString(),
        input.textId,
      )
    return r.changes > 0
  }

  async agreement(projectId: number): Promise<{ compared: number; equal: number }> {
    return this.db
      .prepare(
        `SELECT COUNT(*) AS compared, COALESCE(SUM(
                  (SELECT COUNT(*) FROM annotation_labels al WHERE al.text_id = s.text_id) = 1
                  AND EXISTS (SELECT 1 FROM annotation_labels al
                               WHERE al.text_id = s.text_id AND al.label_id = s.label_id)), 0) AS equal
           FROM loop_shown s
          WHERE s.project_id = ?
            AND EXISTS (SELECT 1 FROM annotation_labels al WHERE al.text_id = s.text_id)`,
      )
      .get(projectId) as { compared: number; equal: number }
  }

  async auditPairs(projectId: number, modelId: number): Promise<AuditPair[]> {
    const rows = this.db
      .prepare(
        `SELECT a.text_id AS textId, MIN(al.label_id) AS labelId, s.probabilities AS probabilities
           FROM loop_audit_texts a
           JOIN annotation_labels al ON al.text_id = a.text_id
           JOIN loop_suggestions s ON s.text_id = a.text_id AND s.model_id = ?
          WHERE a.project_id = ?
          GROUP BY a.text_id HAVING COUNT(*) = 1 ORDER BY a.text_id`,
      )
      .all(modelId, projectId) as AuditPairDbRow[]
    return rows.map(auditPairOf)
  }
}

/** An audit pair as the auditPairs query returns it (both backends). */
export interface AuditPairDbRow {
  textId: number
  labelId: number
  probabilities: string
}

export const auditPairOf = (r: AuditPairDbRow): AuditPair => ({
  textId: r.textId,
  labelId: r.labelId,
  labels: JSON.parse(r.probabilities) as Probabilities,
})

/** A loop_suggestions row as stored (both backends). */
export interface SuggestionDbRow {
  text_id: number
  project_id: number
  model_id: number
  probabilities: string
}

export const suggestionOf = (r: SuggestionDbRow): StoredSuggestion => ({
  textId: r.text_id,
  projectId: r.project_id,
  modelId: r.model_id,
  labels: JSON.parse(r.probabilities) as Probabilities,
})

export const settingsOf = (r: SettingsDbRow): LoopSettingsRow => ({
  enabled: r.enabled === 1,
  threshold: r.threshold,
  showSuggestions: r.show_suggestions === 1,
  auditRate: r.audit_rate,
  mixEvery: r.mix_every,
})
