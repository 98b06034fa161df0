// Schema 7: label review decisions (issue #11 point 5). A text reviewed at an annotation revision
// leaves the review queue until its labels change again (a newer revision brings it back).
import type { Migration } from '../migrate'

export const m007LabelReview: Migration = {
  version: 7,
  name: 'label-review',
  sql: `
      CREATE TABLE label_reviews (
        text_id INTEGER PRIMARY KEY REFERENCES texts(id) ON DELETE CASCADE,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        -- annotations.revision when the decision was taken; 0 = a label that came with the import
        revision INTEGER NOT NULL,
        decision TEXT NOT NULL CHECK (decision IN ('keep', 'relabel')),
        actor TEXT NOT NULL,
        at TEXT NOT NULL
      );
      CREATE INDEX label_reviews_project ON label_reviews(project_id);
    `,
}
