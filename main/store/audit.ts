// Appends to the audit log, linked into its hash chain (audit-chain.ts). Details are ids, counts and names a user typed for structure
// (project, label, file names) — never the text of a patient record.
import type { Database } from 'better-sqlite3'
import { appendEntry } from './audit-chain'

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
  // Issue #15 point 4: every action that touches patient data or a model (session 8).
  | 'train'
  | 'predict'
  | 'model.export'
  | 'report'
  | 'unlock'
  | 'workspace.encrypt'
  | 'workspace.connect'
  | 'token.create'
  | 'token.revoke'
  | 'token.requests'
  | 'deid.import'
  | 'team.member-add'
  | 'team.member-remove'

export function writeAudit(
  db: Database,
  actor: string,
  action: AuditAction,
  projectId: number | null,
  details: Record<string, unknown>,
): void {
  // Inside the caller's transaction, or an immediate one of its own: reading the newest entry and
  // linking to it must not interleave with another writer (job processes write too).
  const append = () =>
    appendEntry(db, {
      at: new Date().toISOString(),
      actor,
      action,
      project_id: projectId,
      details: JSON.stringify(details),
    })
  if (db.inTransaction) append()
  else db.transaction(append).immediate()
}
