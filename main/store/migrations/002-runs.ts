// Schema 2: training runs (config, base model, label set, data snapshot hash, seed, provider,
// status, timings, final metrics) and their per-epoch history. Artifacts live in <home>/runs/<id>/.
import type { Migration } from '../migrate'

export const m002Runs: Migration = {
  version: 2,
  name: 'runs',
  sql: `
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project_id INTEGER REFERENCES projects(id) ON DELETE SET NULL,
        model_kind TEXT NOT NULL CHECK (model_kind IN ('baseline', 'bert')),
        base_model TEXT NOT NULL,
        config_json TEXT NOT NULL,
        labels_json TEXT NOT NULL,
        data_hash TEXT NOT NULL,
        seed INTEGER NOT NULL,
        provider TEXT,
        status TEXT NOT NULL CHECK (status IN ('running', 'success', 'cancelled', 'error')),
        error_json TEXT,
        created_at TEXT NOT NULL,
        finished_at TEXT,
        train_seconds REAL,
        eval_seconds REAL,
        metrics_json TEXT
      );
      CREATE INDEX runs_project ON runs(project_id, id);

      CREATE TABLE run_epochs (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        train_loss REAL NOT NULL,
        dev_macro_f1 REAL,
        dev_accuracy REAL,
        dev_json TEXT,
        learning_rate REAL,
        seconds REAL NOT NULL,
        PRIMARY KEY (run_id, epoch)
      ) WITHOUT ROWID;
    `,
}
