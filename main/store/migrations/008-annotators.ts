// Schema 8: several annotators per text (issue #12). Each annotator's own labels, adjudications,
// annotator profiles, project annotation settings and imported annotation packages. The existing
// labels are backfilled so every recorded annotator name is kept and the gold labels stay as they were.
import type { Migration } from '../migrate'

export const m008Annotators: Migration = {
  version: 8,
  name: 'annotators',
  sql: `
      CREATE TABLE annotator_profiles (
        name TEXT PRIMARY KEY,
        created_at TEXT NOT NULL
      );

      -- Small workspace-wide settings (the current annotator profile: 'annotator.current').
      CREATE TABLE workspace_settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      -- JSON AnnotationSettingsDto; NULL = the defaults.
      ALTER TABLE projects ADD COLUMN annotation_settings TEXT;

      -- One row per (text, annotator): that annotator's own current labels ('[]' = cleared).
      -- annotator '' holds the labels an import brought without a named annotator.
      CREATE TABLE annotator_labels (
        text_id INTEGER NOT NULL REFERENCES texts(id) ON DELETE CASCADE,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        annotator TEXT NOT NULL,
        label_ids TEXT NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('local', 'import', 'package')),
        at TEXT NOT NULL,
        PRIMARY KEY (text_id, annotator)
      ) WITHOUT ROWID;
      CREATE INDEX annotator_labels_project ON annotator_labels(project_id, annotator);

      -- An adjudicator's decision on a text; it is the text's gold label until reverted.
      CREATE TABLE adjudications (
        text_id INTEGER PRIMARY KEY REFERENCES texts(id) ON DELETE CASCADE,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        label_ids TEXT NOT NULL,
        adjudicator TEXT NOT NULL,
        note TEXT,
        at TEXT NOT NULL
      );
      CREATE INDEX adjudications_project ON adjudications(project_id);

      -- Annotation packages imported from other installations; the hash makes a re-import a no-op.
      CREATE TABLE annotation_packages (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        package_hash TEXT NOT NULL,
        annotator TEXT NOT NULL,
        file_name TEXT NOT NULL,
        rows INTEGER NOT NULL,
        merged INTEGER NOT NULL,
        unchanged INTEGER NOT NULL,
        missing INTEGER NOT NULL,
        -- H3: what a re-import reports without merging again (JSON [{row, contentHash}]).
        conflicts INTEGER NOT NULL DEFAULT 0,
        missing_rows TEXT NOT NULL DEFAULT '[]',
        imported_at TEXT NOT NULL,
        UNIQUE (project_id, package_hash)
      );

      -- Undo/redo walk one annotator's own changes.
      CREATE INDEX annotation_history_annotator
        ON annotation_history(project_id, annotator, action, undo_state, id);
    `,
  // Backfills from the rows an older workspace already holds; a new database has none.
  up(db) {
    // Labels a user set: the annotator recorded on the text keeps them as their own row.
    db.exec(`
      INSERT INTO annotator_labels (text_id, project_id, annotator, label_ids, origin, at)
      SELECT a.text_id, a.project_id, a.annotator,
             COALESCE((SELECT json_group_array(label_id)
                         FROM (SELECT al.label_id FROM annotation_labels al
                                WHERE al.text_id = a.text_id ORDER BY al.label_id)), '[]'),
             'local', a.updated_at
        FROM annotations a
       WHERE a.revision > 0 AND a.annotator IS NOT NULL;
    `)
    // Labels that came with an import and were never changed: the reference annotator's.
    db.exec(`
      INSERT INTO annotator_labels (text_id, project_id, annotator, label_ids, origin, at)
      SELECT t.id, t.project_id, '',
             (SELECT json_group_array(label_id)
                FROM (SELECT al.label_id FROM annotation_labels al
                       WHERE al.text_id = t.id ORDER BY al.label_id)),
             'import', COALESCE(i.created_at, p.created_at)
        FROM texts t
        JOIN projects p ON p.id = t.project_id
        LEFT JOIN imports i ON i.id = t.import_id
       WHERE EXISTS (SELECT 1 FROM annotation_labels al WHERE al.text_id = t.id)
         AND NOT EXISTS (SELECT 1 FROM annotator_labels x WHERE x.text_id = t.id);
    `)
  },
}
