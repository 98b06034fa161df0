// Schema 1: projects, label sets, imported texts, current annotations with their full history,
// and the audit log. Patient text lives only in texts.text.
import type { Migration } from '../migrate'

export const m001Workspace: Migration = {
  version: 1,
  name: 'workspace',
  sql: `
      CREATE TABLE projects (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('binary', 'multiclass', 'multilabel')),
        created_at TEXT NOT NULL
      );

      CREATE TABLE labels (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        position INTEGER NOT NULL,
        color TEXT NOT NULL,
        UNIQUE (project_id, name),
        UNIQUE (project_id, position)
      );

      CREATE TABLE imports (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        file_name TEXT NOT NULL,
        format TEXT,
        encoding TEXT,
        imported INTEGER NOT NULL,
        duplicates INTEGER NOT NULL,
        rejected INTEGER NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX imports_project ON imports(project_id);

      CREATE TABLE texts (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        source_row INTEGER,
        external_id TEXT,
        group_id TEXT,
        split TEXT CHECK (split IN ('train', 'dev', 'test')),
        import_id INTEGER REFERENCES imports(id) ON DELETE SET NULL,
        UNIQUE (project_id, content_hash)
      );
      -- Rows of one project in id order (the rowid rides along in every index).
      CREATE INDEX texts_project ON texts(project_id);
      CREATE INDEX texts_import ON texts(import_id);

      -- Per-text annotation state; a text with no row has never been touched by a user.
      CREATE TABLE annotations (
        text_id INTEGER PRIMARY KEY REFERENCES texts(id) ON DELETE CASCADE,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        revision INTEGER NOT NULL,
        skipped INTEGER NOT NULL DEFAULT 0 CHECK (skipped IN (0, 1)),
        annotator TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX annotations_project ON annotations(project_id, skipped);

      -- The current labels of each text.
      CREATE TABLE annotation_labels (
        text_id INTEGER NOT NULL REFERENCES texts(id) ON DELETE CASCADE,
        label_id INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
        PRIMARY KEY (text_id, label_id)
      ) WITHOUT ROWID;
      CREATE INDEX annotation_labels_label ON annotation_labels(label_id, text_id);

      -- Every change a user made. id is the revision (AUTOINCREMENT: never reused).
      -- 'set' rows carry undo_state: 0 done, 1 undone (on the redo stack), 2 discarded
      -- (undone, then a new set cleared the redo stack). 'undo'/'redo' rows point at their target.
      CREATE TABLE annotation_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        text_id INTEGER NOT NULL REFERENCES texts(id) ON DELETE CASCADE,
        action TEXT NOT NULL CHECK (action IN ('set', 'undo', 'redo')),
        before_label_ids TEXT NOT NULL,
        after_label_ids TEXT NOT NULL,
        target_id INTEGER REFERENCES annotation_history(id) ON DELETE CASCADE,
        undo_state INTEGER NOT NULL DEFAULT 0 CHECK (undo_state IN (0, 1, 2)),
        annotator TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX annotation_history_stack ON annotation_history(project_id, action, undo_state, id);
      CREATE INDEX annotation_history_text ON annotation_history(text_id);
      CREATE INDEX annotation_history_target ON annotation_history(target_id);

      -- Who did what, when. Never patient text; no foreign key, so entries outlive a project.
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        project_id INTEGER,
        details TEXT NOT NULL
      );
      CREATE INDEX audit_log_project ON audit_log(project_id, id);
    `,
}
