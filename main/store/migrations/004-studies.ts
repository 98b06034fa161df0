// Schema 4: studies — the auto recipe's search. A study groups its candidate runs (runs.study_id),
// records its budget, status, winner and the summary that says why the winner won.
import type { Migration } from '../migrate'

export const m004Studies: Migration = {
  version: 4,
  name: 'studies',
  sql: `
      CREATE TABLE studies (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project_id INTEGER REFERENCES projects(id) ON DELETE SET NULL,
        recipe TEXT NOT NULL,
        config_json TEXT NOT NULL,
        budget_seconds REAL NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'success', 'cancelled', 'error')),
        error_json TEXT,
        created_at TEXT NOT NULL,
        finished_at TEXT,
        winner_run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
        summary_json TEXT
      );
      CREATE INDEX studies_project ON studies(project_id, id);
      -- NULL for runs that are not a study's candidate (and every run recorded before schema 4).
      ALTER TABLE runs ADD COLUMN study_id INTEGER REFERENCES studies(id) ON DELETE SET NULL;
      CREATE INDEX runs_study ON runs(study_id, id);
    `,
}
