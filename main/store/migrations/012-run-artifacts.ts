// Schema 12: a team workspace keeps each finished run's files in the database (issue #17 point 6),
// so any member's computer can predict and report with a run trained elsewhere. A file is split
// into chunks of RUN_ARTIFACT_CHUNK bytes; its size and sha256 are checked before a copy is used.
// SQLite workspaces keep run files in <home>/runs/<id>/ only and never write these tables.
import type { Migration } from '../migrate'
import { sqliteDdlToPg } from '../pg/ddl'

const sql = `
      CREATE TABLE run_artifacts (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        -- Relative to the run folder, '/'-separated (tokenizer/vocab.txt).
        path TEXT NOT NULL,
        size INTEGER NOT NULL,
        -- Hex sha256 of the whole file as stored on the computer that trained the run.
        sha256 TEXT NOT NULL,
        chunks INTEGER NOT NULL,
        stored_at TEXT NOT NULL,
        PRIMARY KEY (run_id, path)
      ) WITHOUT ROWID;
      CREATE TABLE run_artifact_chunks (
        run_id INTEGER NOT NULL,
        path TEXT NOT NULL,
        seq INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (run_id, path, seq),
        FOREIGN KEY (run_id, path) REFERENCES run_artifacts(run_id, path) ON DELETE CASCADE
      ) WITHOUT ROWID;
    `

export const m012RunArtifacts: Migration = {
  version: 12,
  name: 'run-artifacts',
  sql,
  // A (issue #17 point 3): run files are the leads' like runs — row-level security with the
  // lead-only policy, and leads added before this upgrade get their grants on the new tables.
  pg: `${sqliteDdlToPg(sql)}
SELECT cts_lead_only('run_artifacts');
SELECT cts_lead_only('run_artifact_chunks');
SELECT cts_regrant_members();`,
}
