// Schema 6: the model in the loop (issue #11). Per-project loop settings, the audit sample (never
// trained on), the in-loop models, their suggestions and the suggestion shown before a human
// labelled a text. New tables only: no existing table, label or annotation is touched.
import type { Migration } from '../migrate'

export const m006ModelInTheLoop: Migration = {
  version: 6,
  name: 'model-in-the-loop',
  sql: `
      -- A project without a row has the defaults (main/services/loop-defaults.ts).
      CREATE TABLE loop_settings (
        project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
        enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        threshold INTEGER NOT NULL CHECK (threshold BETWEEN 1 AND 1000),
        show_suggestions INTEGER NOT NULL CHECK (show_suggestions IN (0, 1)),
        audit_rate REAL NOT NULL CHECK (audit_rate BETWEEN 0 AND 0.5),
        mix_every INTEGER NOT NULL CHECK (mix_every BETWEEN 2 AND 100),
        -- Texts with id <= this were already considered for the audit sample (later imports are
        -- drawn from when they arrive, at the rate then in force).
        audit_drawn_through INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL
      );

      -- The audit sample: a seeded random draw of unlabelled texts, never used to train the
      -- in-loop model; the live quality estimate is computed on those of them a human labelled.
      CREATE TABLE loop_audit_texts (
        text_id INTEGER PRIMARY KEY REFERENCES texts(id) ON DELETE CASCADE,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        drawn_at TEXT NOT NULL
      );
      CREATE INDEX loop_audit_texts_project ON loop_audit_texts(project_id, text_id);

      -- In-loop models. completed_at is NULL while its suggestions are being written: the
      -- latest model is the latest completed one, so no reader sees half a model's suggestions.
      CREATE TABLE loop_models (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        trained_on_labels INTEGER NOT NULL,
        -- The last annotation_history id its training set saw (labels after it are "new").
        history_id INTEGER NOT NULL,
        -- JSON array: class index -> label id.
        label_ids TEXT NOT NULL,
        train_seconds REAL NOT NULL,
        created_at TEXT NOT NULL,
        completed_at TEXT
      );
      CREATE INDEX loop_models_project ON loop_models(project_id, completed_at, id);

      -- The latest suggestion per text, apart from annotations: never a label, never gold.
      CREATE TABLE loop_suggestions (
        text_id INTEGER PRIMARY KEY REFERENCES texts(id) ON DELETE CASCADE,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        model_id INTEGER NOT NULL REFERENCES loop_models(id) ON DELETE CASCADE,
        -- JSON array of {labelId, probability}, highest probability first.
        probabilities TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX loop_suggestions_model ON loop_suggestions(model_id, text_id);

      -- The suggestion a human was shown for a text before labelling it (agreement counts).
      CREATE TABLE loop_shown (
        text_id INTEGER PRIMARY KEY REFERENCES texts(id) ON DELETE CASCADE,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        model_id INTEGER REFERENCES loop_models(id) ON DELETE SET NULL,
        label_id INTEGER NOT NULL,
        probability REAL NOT NULL,
        shown_at TEXT NOT NULL
      );
      CREATE INDEX loop_shown_project ON loop_shown(project_id, text_id);
    `,
}
