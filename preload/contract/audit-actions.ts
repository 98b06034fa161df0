// The audit log's action names and page bound, in a file without zod so the renderer can import
// them (the action filter lists every action).

/** Every action the log records (main/store/audit.ts's AuditAction is checked against it). */
export const AUDIT_ACTIONS = [
  'project.create',
  'project.rename',
  'project.delete',
  'label.add',
  'import',
  'label.set',
  'label.skip',
  'label.undo',
  'label.redo',
  'export',
  'run.delete',
  'review.keep',
  'review.relabel',
  'annotator.use',
  'annotation.settings',
  'adjudication.set',
  'adjudication.revert',
  'package.import',
  'package.export',
  'train',
  'predict',
  'model.export',
  'report',
  'unlock',
  'workspace.encrypt',
  // D2 (issue #17): a folder bound to the team workspace (server, database and user; never a password).
  'workspace.connect',
  'token.create',
  'token.revoke',
  'token.requests',
  'deid.import',
  // Issue #17 point 3: a team member given or taken their rights (name and team role).
  'team.member-add',
  'team.member-remove',
] as const
export type AuditActionName = (typeof AUDIT_ACTIONS)[number]

/** The most entries one page of 'audit/list' returns. */
export const AUDIT_PAGE_MAX = 500
