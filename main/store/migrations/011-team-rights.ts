// Schema 11: the people of a team workspace (issue #17 point 3). team_members names the
// PostgreSQL login roles and their team role; text_assignments says which texts each annotator
// labels. SQLite keeps the tables unused (one list of migrations); PostgreSQL adds the rights.
import type { Migration } from '../migrate'
import { sqliteDdlToPg } from '../pg/ddl'
import { TEAM_RIGHTS_SQL } from '../pg/team-rights'

const sql = `
      CREATE TABLE team_members (
        -- The PostgreSQL login role = the annotator name in this workspace.
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('lead', 'annotator')),
        added_at TEXT NOT NULL,
        added_by TEXT NOT NULL
      );

      CREATE TABLE text_assignments (
        text_id INTEGER NOT NULL REFERENCES texts(id) ON DELETE CASCADE,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        annotator TEXT NOT NULL,
        PRIMARY KEY (text_id, annotator)
      ) WITHOUT ROWID;
      CREATE INDEX text_assignments_annotator ON text_assignments(project_id, annotator);
    `

export const m011TeamRights: Migration = {
  version: 11,
  name: 'team-rights',
  sql,
  // Row-level security, policies and the owner's grant helpers exist only on PostgreSQL.
  pg: `${sqliteDdlToPg(sql)}\n${TEAM_RIGHTS_SQL}`,
}
