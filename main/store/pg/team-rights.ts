// The rights of a team workspace on PostgreSQL (issue #17 point 3): who is a lead, row-level
// security policies, and the owner's SECURITY DEFINER helpers that give and take a member's grants.
// Migration 011 runs TEAM_RIGHTS_SQL after its tables; docs/TEAM.md explains the table in words.
import { AUDIT_HEAD_KEY } from '../audit-chain'

/** The database's defaults for new sessions (migration 011 sets them when it may). */
export const IDLE_IN_TRANSACTION_TIMEOUT = '60s'
export const LOCK_TIMEOUT = '30s'

/** Tables an annotator never reads or writes (leads and the owner only). */
export const LEAD_ONLY_TABLES = [
  'runs',
  'run_epochs',
  'studies',
  'api_tokens',
  'annotation_packages',
] as const

/**
 * What an annotator may do with each table it gets at all (RLS then limits the rows). Column lists
 * wherever the label flows allow: no table-level UPDATE/DELETE/TRUNCATE where a flow does not
 * delete, so a member cannot `LOCK TABLE … IN ACCESS EXCLUSIVE MODE` (that needs one of them on
 * the table) and cannot insert explicit ids ahead of an identity.
 */
export const ANNOTATOR_GRANTS: Record<string, string> = {
  projects: 'SELECT',
  labels: 'SELECT',
  imports: 'SELECT',
  // UPDATE on one column only so label writes can lock the text row (SELECT … FOR NO KEY UPDATE
  // needs an UPDATE privilege); the UPDATE policy's WITH CHECK (false) refuses any real change.
  texts: 'SELECT, UPDATE (id)',
  // Skip and resolveText upsert these; the review locks the row (FOR UPDATE). Nothing deletes it.
  annotations: 'SELECT, INSERT, UPDATE (revision, skipped, annotator, updated_at)',
  // resolveText replaces a text's gold labels (delete + insert), never updates one.
  annotation_labels: 'SELECT, INSERT, DELETE',
  // Without id (the identity draws it); undo/redo change undo_state only.
  annotation_history:
    'SELECT, INSERT (project_id, text_id, action, before_label_ids, after_label_ids, target_id, undo_state, annotator, created_at), UPDATE (undo_state)',
  // Undo of a first label deletes the annotator's own row.
  annotator_labels: 'SELECT, INSERT, UPDATE (project_id, label_ids, origin, at), DELETE',
  adjudications: 'SELECT',
  // A review upserts the text's one decision; nothing deletes one.
  label_reviews: 'SELECT, INSERT, UPDATE (project_id, revision, decision, actor, at)',
  // Own entries only (RLS); the chain's newest entry comes from cts_audit_newest().
  audit_log: 'SELECT, INSERT',
  loop_settings: 'SELECT',
  loop_models: 'SELECT',
  loop_suggestions: 'SELECT',
  loop_shown: 'SELECT',
  loop_audit_texts: 'SELECT',
  annotator_profiles: 'SELECT',
  // writeAuditPg moves the chain head ('audit.head') with every entry; the policy allows nothing else.
  workspace_settings: 'SELECT, INSERT (key, value), UPDATE (value)',
  text_assignments: 'SELECT',
  team_members: 'SELECT',
  cts_schema_version: 'SELECT',
}

// Policy expressions name their tables schema-qualified and are bound when the policy is created,
// so a member's own search_path (or a temporary table of the same name) cannot change them.
// EXISTS, not IN: a label write's point lookups probe the (text_id, annotator) key (~2 ms for a
// locked text of an annotator with 50,000 assigned texts; an IN list is hashed whole per
// statement: 60–90 ms). Scans pay one probe per row (counting 100,000 texts: ~0.2 s).
const assigned = (col: string): string =>
  `EXISTS (SELECT 1 FROM public.text_assignments a WHERE a.text_id = ${col} AND a.annotator = current_user::text)`
const inProject = (col: string): string =>
  `EXISTS (SELECT 1 FROM public.text_assignments a WHERE a.project_id = ${col} AND a.annotator = current_user::text)`
// A write names a text AND its project: both must be one of the member's assignment rows, so a
// row on an assigned text cannot carry another project's id.
const assignedIn = (table: string): string =>
  `EXISTS (SELECT 1 FROM public.text_assignments a WHERE a.text_id = ${table}.text_id AND a.project_id = ${table}.project_id AND a.annotator = current_user::text)`
// Gold labels of an adjudicated text are the adjudicator's: members leave them alone.
const notAdjudicated = (col: string): string =>
  `NOT EXISTS (SELECT 1 FROM public.adjudications j WHERE j.text_id = ${col})`
// A gold label row names a label of the project the text is assigned in.
const LABEL_OF_ASSIGNMENT =
  'EXISTS (SELECT 1 FROM public.text_assignments a JOIN public.labels l ON l.project_id = a.project_id WHERE a.text_id = annotation_labels.text_id AND a.annotator = current_user::text AND l.id = annotation_labels.label_id)'
// A scalar subquery: evaluated once per statement, not once per row.
const LEAD = '(SELECT public.cts_is_lead())'

// A member may only point the audit chain's head at the newest entry (the one it just appended).
const AUDIT_HEAD_IS_NEWEST = `workspace_settings.key = '${AUDIT_HEAD_KEY}' AND workspace_settings.value::jsonb = (SELECT jsonb_build_object('id', n.id, 'hash', n.hash) FROM public.cts_audit_newest() n)`

// A member appends only the entry that links to the newest one, under its own name, with the hash
// main/store/audit-chain.ts computes (cts_audit_hash): a forged id, link or hash is refused.
const AUDIT_APPEND = [
  'audit_log.actor = current_user::text',
  'audit_log.id = COALESCE((SELECT n.id FROM public.cts_audit_newest() n), 0) + 1',
  "audit_log.prev_hash = COALESCE((SELECT n.hash FROM public.cts_audit_newest() n), '')",
  'audit_log.hash = public.cts_audit_hash(audit_log.id, audit_log.at, audit_log.actor, audit_log.action, audit_log.project_id, audit_log.details, audit_log.prev_hash)',
].join(' AND ')

type Policy = {
  name: string
  cmd: 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE'
  using?: string
  check?: string
}

/** Member policies of a table read on assigned texts and written under `check` (USING `using`). */
function written(
  table: string,
  write: { using: string; check: string },
  cmds: ('INSERT' | 'UPDATE' | 'DELETE')[],
): Policy[] {
  return [
    { name: 'member_read', cmd: 'SELECT', using: assigned(`${table}.text_id`) },
    ...cmds.map((cmd): Policy =>
      cmd === 'INSERT'
        ? { name: 'member_insert', cmd, check: write.check }
        : cmd === 'UPDATE'
          ? { name: 'member_update', cmd, using: write.using, check: write.check }
          : { name: 'member_delete', cmd, using: write.using },
    ),
  ]
}

const readOnly = (expr: string): Policy[] => [{ name: 'member_read', cmd: 'SELECT', using: expr }]

/** The member (non-lead) policies per table; every table also gets the lead policy. */
const MEMBER_POLICIES: Record<string, Policy[]> = {
  projects: readOnly(inProject('projects.id')),
  labels: readOnly(inProject('labels.project_id')),
  imports: readOnly(inProject('imports.project_id')),
  texts: [
    { name: 'member_read', cmd: 'SELECT', using: assigned('texts.id') },
    // Lets a member lock an assigned text row (FOR NO KEY UPDATE) and change nothing.
    { name: 'member_lock', cmd: 'UPDATE', using: assigned('texts.id'), check: 'false' },
  ],
  // The text's gold-label row: under the member's own name, on the assignment's project. Not
  // closed for adjudicated texts: a member's own label there still moves the revision (resolveText)
  // and a review locks the row; the gold labels themselves are annotation_labels.
  annotations: written(
    'annotations',
    {
      using: assigned('annotations.text_id'),
      check: `annotations.annotator = current_user::text AND ${assignedIn('annotations')}`,
    },
    ['INSERT', 'UPDATE'],
  ),
  // The gold labels: labels of the assignment's project, never on an adjudicated text.
  annotation_labels: written(
    'annotation_labels',
    {
      using: `${assigned('annotation_labels.text_id')} AND ${notAdjudicated('annotation_labels.text_id')}`,
      check: `${LABEL_OF_ASSIGNMENT} AND ${notAdjudicated('annotation_labels.text_id')}`,
    },
    ['INSERT', 'DELETE'],
  ),
  // One decision per text: a member may replace it with their own, never delete one.
  label_reviews: written(
    'label_reviews',
    {
      using: assigned('label_reviews.text_id'),
      check: `label_reviews.actor = current_user::text AND ${assignedIn('label_reviews')}`,
    },
    ['INSERT', 'UPDATE'],
  ),
  annotator_labels: written(
    'annotator_labels',
    {
      using: `annotator_labels.annotator = current_user::text AND ${assigned('annotator_labels.text_id')}`,
      check: `annotator_labels.annotator = current_user::text AND ${assignedIn('annotator_labels')}`,
    },
    ['INSERT', 'UPDATE', 'DELETE'],
  ),
  // History is never deleted by a member (undo/redo mark entries instead).
  annotation_history: written(
    'annotation_history',
    {
      using: `annotation_history.annotator = current_user::text AND ${assigned('annotation_history.text_id')}`,
      check: `annotation_history.annotator = current_user::text AND ${assignedIn('annotation_history')}`,
    },
    ['INSERT', 'UPDATE'],
  ),
  adjudications: readOnly(assigned('adjudications.text_id')),
  loop_settings: readOnly(inProject('loop_settings.project_id')),
  loop_models: readOnly(inProject('loop_models.project_id')),
  loop_suggestions: readOnly(assigned('loop_suggestions.text_id')),
  loop_shown: readOnly(assigned('loop_shown.text_id')),
  loop_audit_texts: readOnly(assigned('loop_audit_texts.text_id')),
  annotator_profiles: readOnly('true'),
  workspace_settings: [
    { name: 'member_read', cmd: 'SELECT', using: 'true' },
    { name: 'member_head_insert', cmd: 'INSERT', check: AUDIT_HEAD_IS_NEWEST },
    {
      name: 'member_head_update',
      cmd: 'UPDATE',
      using: `workspace_settings.key = '${AUDIT_HEAD_KEY}'`,
      check: AUDIT_HEAD_IS_NEWEST,
    },
  ],
  text_assignments: readOnly('text_assignments.annotator = current_user::text'),
  team_members: readOnly('team_members.name = current_user::text'),
  audit_log: [
    // Own entries only: the log names texts, labels and notes of every project.
    { name: 'member_read', cmd: 'SELECT', using: 'audit_log.actor = current_user::text' },
    { name: 'member_insert', cmd: 'INSERT', check: AUDIT_APPEND },
  ],
}

function policySql(table: string, p: Policy): string {
  const using = p.using !== undefined ? ` USING (${p.using})` : ''
  const check = p.check !== undefined ? ` WITH CHECK (${p.check})` : ''
  return `CREATE POLICY ${p.name} ON ${table} FOR ${p.cmd}${using}${check};`
}

/** Every table under row-level security (all of the workspace's tables but the version table). */
export const RLS_TABLES = [...Object.keys(MEMBER_POLICIES), ...LEAD_ONLY_TABLES]

const annotatorGrantSql = Object.entries(ANNOTATOR_GRANTS)
  .map(([t, privs]) => `    EXECUTE format('GRANT ${privs} ON public.${t} TO %I', member);`)
  .join('\n')

const FUNCTIONS = `
-- 'owner' (the workspace's owner, or a member of that role, or a superuser), 'lead', 'annotator'
-- or 'none'. SECURITY DEFINER: reads team_members past its own row-level security.
CREATE FUNCTION cts_role_of(member TEXT) RETURNS TEXT
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT CASE
    WHEN NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = member) THEN 'none'
    WHEN pg_has_role(member, (SELECT relowner FROM pg_class WHERE oid = 'public.team_members'::regclass), 'USAGE') THEN 'owner'
    ELSE COALESCE((SELECT role FROM public.team_members WHERE name = member), 'none')
  END
$$;

-- True for the owner and for leads; the policies use it as (SELECT cts_is_lead()).
CREATE FUNCTION cts_is_lead() RETURNS BOOLEAN
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT public.cts_role_of(current_user::text) IN ('owner', 'lead')
$$;

-- The newest audit entry's id and hash, whoever wrote it: members read only their own entries,
-- yet every writer links to the newest one (writeAuditPg, the policies). EXECUTE for members only.
CREATE FUNCTION cts_audit_newest() RETURNS TABLE (id INTEGER, hash TEXT)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT l.id, l.hash FROM public.audit_log l ORDER BY l.id DESC LIMIT 1
$$;

-- entryHash of main/store/audit-chain.ts in SQL: sha256 of JSON.stringify([id, at, actor, action,
-- project_id, details, prev_hash]). to_json escapes a string as JSON.stringify does (quote,
-- backslash, control characters; everything else as is) and integers print alike.
CREATE FUNCTION cts_audit_hash(BIGINT, TEXT, TEXT, TEXT, BIGINT, TEXT, TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT encode(sha256(convert_to(
    '[' || $1::text || ',' || to_json($2)::text || ',' || to_json($3)::text || ',' ||
    to_json($4)::text || ',' || COALESCE($5::text, 'null') || ',' || to_json($6)::text || ',' ||
    to_json($7)::text || ']', 'UTF8')), 'hex')
$$;

-- A name that can be a member: a plain login of this server, never PUBLIC, a keyword or pg_*.
CREATE FUNCTION cts_check_member(member TEXT) RETURNS VOID
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF member IS NULL OR member !~ '^[a-z_][a-z0-9_]{0,62}$' OR starts_with(member, 'pg_')
     OR member IN ('public', 'none', 'current_user', 'session_user', 'current_role', 'all')
     OR NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = member)
     OR public.cts_role_of(member) = 'owner' THEN
    RAISE EXCEPTION 'not a member role: %', member USING ERRCODE = '22023';
  END IF;
END
$$;

-- Gives a member the table privileges of their role (run as the owner; EXECUTE for leads only).
CREATE FUNCTION cts_grant_member(member TEXT, member_role TEXT) RETURNS VOID
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  PERFORM public.cts_revoke_member(member);
  EXECUTE format('GRANT EXECUTE ON FUNCTION public.cts_audit_newest() TO %I', member);
  IF member_role = 'lead' THEN
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', member);
    EXECUTE format('REVOKE UPDATE, DELETE ON public.audit_log FROM %I', member);
    EXECUTE format('GRANT EXECUTE ON FUNCTION public.cts_grant_member(TEXT, TEXT), public.cts_revoke_member(TEXT), public.cts_regrant_members() TO %I', member);
  ELSIF member_role = 'annotator' THEN
${annotatorGrantSql}
  ELSE
    RAISE EXCEPTION 'not a team role: %', member_role USING ERRCODE = '22023';
  END IF;
END
$$;

-- Takes every privilege on the workspace's tables and helpers away from a member.
CREATE FUNCTION cts_revoke_member(member TEXT) RETURNS VOID
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  -- Never the owner (it would lose its own tables' privileges), PUBLIC (everyone) or pg_*.
  PERFORM public.cts_check_member(member);
  EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', member);
  EXECUTE format('REVOKE ALL ON FUNCTION public.cts_grant_member(TEXT, TEXT), public.cts_revoke_member(TEXT), public.cts_regrant_members(), public.cts_audit_newest() FROM %I', member);
END
$$;

-- Re-applies every member's grants: a later migration that adds a table calls it.
CREATE FUNCTION cts_regrant_members() RETURNS VOID
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE m RECORD;
BEGIN
  FOR m IN SELECT name, role FROM public.team_members WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name) LOOP
    PERFORM public.cts_grant_member(m.name, m.role);
  END LOOP;
END
$$;

-- Row-level security for a table only leads (and the owner) use: a later migration calls it.
CREATE FUNCTION cts_lead_only(tbl REGCLASS) RETURNS VOID
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('CREATE POLICY lead_all ON %s FOR ALL USING ((SELECT public.cts_is_lead())) WITH CHECK ((SELECT public.cts_is_lead()))', tbl);
END
$$;

REVOKE ALL ON FUNCTION cts_grant_member(TEXT, TEXT), cts_revoke_member(TEXT), cts_regrant_members(), cts_lead_only(REGCLASS), cts_audit_newest() FROM PUBLIC;
`

// A member holding a lock (an open transaction left idle, a LOCK TABLE on a table it may delete
// from) must not block the team for long: the database's defaults for every new session. Only the
// database's owner (or a superuser) may set them; anyone else gets a NOTICE and the server's defaults.
// A member can still SET its own session's values: this bounds accidents, docs/TEAM.md says so.
const SESSION_LIMITS = `
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET idle_in_transaction_session_timeout = %L', current_database(), '${IDLE_IN_TRANSACTION_TIMEOUT}');
  EXECUTE format('ALTER DATABASE %I SET lock_timeout = %L', current_database(), '${LOCK_TIMEOUT}');
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'Not the owner of database %: idle_in_transaction_session_timeout and lock_timeout keep the server''s defaults. The administrator may run: ALTER DATABASE % SET idle_in_transaction_session_timeout = ''${IDLE_IN_TRANSACTION_TIMEOUT}''; ALTER DATABASE % SET lock_timeout = ''${LOCK_TIMEOUT}'';', current_database(), current_database(), current_database();
END
$$;
`

// PostgreSQL 13 and 14 let everyone CREATE in schema public (15 does not): a member could add
// tables or functions there. Revoked when this login owns the schema; otherwise a NOTICE.
const PUBLIC_SCHEMA = `
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public' AND pg_has_role(current_user, nspowner, 'USAGE'))
     OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND rolsuper) THEN
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
  ELSE
    RAISE NOTICE 'Schema public is not owned by %: its owner should run REVOKE CREATE ON SCHEMA public FROM PUBLIC (PostgreSQL 13 and 14 let every login create objects there).', current_user;
  END IF;
END
$$;
`

/** PostgreSQL only: the helpers, row-level security and policies of migration 011. */
export const TEAM_RIGHTS_SQL = [
  FUNCTIONS,
  SESSION_LIMITS,
  PUBLIC_SCHEMA,
  ...RLS_TABLES.map(
    (t) =>
      `ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY;\n` +
      `CREATE POLICY lead_all ON ${t} FOR ALL USING (${LEAD}) WITH CHECK (${LEAD});`,
  ),
  ...Object.entries(MEMBER_POLICIES).flatMap(([t, ps]) => ps.map((p) => policySql(t, p))),
].join('\n')
