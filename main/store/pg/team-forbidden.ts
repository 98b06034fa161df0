// What a team member is told when PostgreSQL refuses a statement for their role (SQLSTATE 42501:
// a missing privilege or a row-level security check): what was refused, in words, and whom to ask.
import { CtsError } from '../../shared'

/** What a refused statement on each table was trying to do, as a clinician would say it. */
const WHAT_BY_TABLE: Record<string, string> = {
  projects: 'creating, renaming, deleting or setting up projects',
  labels: 'changing a project’s label set',
  imports: 'importing texts',
  texts: 'adding or changing texts',
  annotator_labels:
    'labelling a text that is not assigned to you, or under another annotator’s name',
  annotation_history:
    'labelling a text that is not assigned to you, or under another annotator’s name',
  annotations: 'changing the labels of a text that is not assigned to you',
  annotation_labels: 'changing the labels of a text that is not assigned to you',
  adjudications: 'adjudicating texts',
  label_reviews: 'reviewing labels of texts that are not assigned to you',
  text_assignments: 'changing who labels which text',
  team_members: 'managing the team’s members',
  annotator_profiles: 'choosing annotator profiles',
  workspace_settings: 'changing the workspace’s settings',
  runs: 'starting or changing training runs',
  run_epochs: 'recording training runs',
  studies: 'starting or changing studies',
  api_tokens: 'managing API tokens',
  annotation_packages: 'merging annotation packages',
  audit_log: 'changing the audit log',
  loop_settings: 'changing the model in the loop',
  loop_models: 'training the model in the loop',
  loop_suggestions: 'training the model in the loop',
  loop_shown: 'recording the model in the loop’s suggestions',
  loop_audit_texts: 'drawing the model in the loop’s audit sample',
}

/**
 * The table a refusal names. The server's own message ("permission denied for table projects",
 * `new row violates row-level security policy for table "labels"`) is read for its table name
 * only: it is never shown, and the lookup above keeps anything else out of the answer.
 */
function refusedTable(serverMessage: string): string | undefined {
  const m = /\b(?:table|relation)\s+"?([a-z_][a-z0-9_]*)"?/i.exec(serverMessage)
  return m?.[1]?.toLowerCase()
}

/** CtsError('team-forbidden') for a statement the server refused for the member's role. */
export function teamForbidden(serverMessage: string, details: Record<string, unknown>): CtsError {
  const table = refusedTable(serverMessage)
  const what = (table && WHAT_BY_TABLE[table]) || 'this change'
  return new CtsError(
    'team-forbidden',
    `Your team role does not allow this: ${what}. Ask a lead of the team workspace.`,
    { ...details, ...(table && WHAT_BY_TABLE[table] ? { table } : {}) },
  )
}
