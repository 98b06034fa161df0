// Schema 5: a run may be an ensemble (model_kind 'ensemble': no weights of its own, it mixes the
// probabilities of member runs). SQLite cannot alter a CHECK, so the runs table is rebuilt; the
// epochs and study winners that point at runs are kept, and so is the id sequence (ids never reuse).
import type { Migration } from '../migrate'

const COLUMNS = `id, project_id, model_kind, base_model, config_json, labels_json, data_hash, seed,
  provider, status, error_json, created_at, finished_at, train_seconds, eval_seconds, metrics_json,
  best_epoch, stopped_early, study_id`

export const m005EnsembleRuns: Migration = {
  version: 5,
  name: 'ensemble-runs',
  // SQLite cannot alter a CHECK: the table is rebuilt. The first line keeps the id sequence, which
  // DROP TABLE forgets (restored in up).
  sql: `
      CREATE TEMP TABLE kept_seq AS SELECT seq FROM sqlite_sequence WHERE name = 'runs';
      CREATE TABLE runs_v5 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project_id INTEGER REFERENCES projects(id) ON DELETE SET NULL,
        model_kind TEXT NOT NULL CHECK (model_kind IN ('baseline', 'bert', 'ensemble')),
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
        metrics_json TEXT,
        best_epoch INTEGER,
        stopped_early INTEGER CHECK (stopped_early IN (0, 1)),
        study_id INTEGER REFERENCES studies(id) ON DELETE SET NULL
      );
      INSERT INTO runs_v5 (${COLUMNS}) SELECT ${COLUMNS} FROM runs;
      -- Dropping runs fires its foreign-key actions (epochs deleted, winners cleared): keep copies.
      CREATE TEMP TABLE kept_epochs AS SELECT * FROM run_epochs;
      CREATE TEMP TABLE kept_winners AS
        SELECT id, winner_run_id FROM studies WHERE winner_run_id IS NOT NULL;
      DROP TABLE runs;
      ALTER TABLE runs_v5 RENAME TO runs;
      CREATE INDEX runs_project ON runs(project_id, id);
      CREATE INDEX runs_study ON runs(study_id, id);
      INSERT INTO run_epochs SELECT * FROM kept_epochs;
      UPDATE studies SET winner_run_id =
        (SELECT k.winner_run_id FROM kept_winners k WHERE k.id = studies.id)
        WHERE id IN (SELECT id FROM kept_winners);
      DROP TABLE kept_epochs;
      DROP TABLE kept_winners;
    `,
  up(db) {
    const seq = db.prepare('SELECT seq FROM kept_seq').pluck().get() as number | undefined
    db.exec('DROP TABLE kept_seq')
    if (seq !== undefined)
      db.prepare("UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = 'runs'").run(seq)
  },
  // PostgreSQL alters the CHECK in place (its name is PostgreSQL's default for a column CHECK).
  pg: `
      ALTER TABLE runs DROP CONSTRAINT runs_model_kind_check;
      ALTER TABLE runs ADD CONSTRAINT runs_model_kind_check
        CHECK (model_kind IN ('baseline', 'bert', 'ensemble'));
    `,
}
