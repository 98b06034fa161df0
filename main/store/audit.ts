// Appends to the audit log. Details are ids, counts and names a user typed for structure
// (project, label, file names) — never the text of a patient record.
import type { Database } from 'better-sqlite3'

export type AuditAction =
  | 'project.create'
  | 'project.rename'
  | 'project.delete'
  | 'label.add'
  | 'import'
  | 'label.set'
  | 'label.skip'
  | 'label.undo'
  | 'label.redo'
  | 'export'
  | 'run.delete'
  | 'review.keep'
  | 'review.relabel'
  // issue #12: several annotators (STORE-CORE)
  | 'annotator.use'
  | 'annotation.settings'
  | 'adjudication.set'
  | 'adjudication.revert'
  // Annotation packages (issue #12, H3).
  | 'package.import'
  | 'package.export'

export function writeAudit(
  db: Database,
  actor: string,
  action: AuditAction,
  projectId: number | null,
  details: Record<string, unknown>,
): void {
  db.prepare(
    'INSERT INTO audit_log (at, actor, action, project_id, details) VALUES (?, ?, ?, ?, ?)',
  ).run(new Date().toISOString(), actor, action, projectId, JSON.stringify(details))
}
