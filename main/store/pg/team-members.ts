// The members of a team workspace (issue #17 point 3): their login roles, their team role
// (lead/annotator) and the table privileges that go with it. Run by a lead; see docs/TEAM.md.
import { CtsError } from '../../shared'
import { writeAuditPg } from './audit'
import type { PgDatabase, PgQueryable } from './pg-database'
import { isScramVerifier } from './scram-verifier'

export type TeamRole = 'lead' | 'annotator'
export const TEAM_ROLES: readonly TeamRole[] = ['lead', 'annotator']

export interface TeamMember {
  name: string
  role: TeamRole
  addedAt: string
  addedBy: string
}

/**
 * A member's name is their PostgreSQL login role: a plain, unquoted identifier — never PUBLIC
 * (everyone), `none`, a role keyword or a pg_* system role (cts_check_member refuses them too).
 */
export const MEMBER_NAME_RULE =
  /^(?!pg_)(?!(?:public|none|current_user|session_user|current_role|all)$)[a-z_][a-z0-9_]{0,62}$/

export function checkMemberName(name: string): void {
  if (!MEMBER_NAME_RULE.test(name)) {
    throw new CtsError(
      'bad-input',
      `"${name}" cannot be a team member's name: use 1 to 63 lowercase letters (a–z), digits and _, starting with a letter or _, not starting with pg_ and not public, none, all, current_user, session_user or current_role (it is the member's database login).`,
    )
  }
}

/** The SQL that makes a login role with a password known only by its SCRAM verifier. */
export function createRoleSql(name: string, verifier: string): string {
  checkMemberName(name)
  if (!isScramVerifier(verifier)) {
    throw new CtsError('internal', 'The password verifier is not a SCRAM-SHA-256 verifier.')
  }
  return `CREATE ROLE ${name} LOGIN PASSWORD '${verifier}';`
}

/** What the login of this connection (session_user) is in the team workspace. */
export async function teamRoleOf(db: PgQueryable): Promise<'owner' | TeamRole | 'none'> {
  const row = await db.row<{ r: 'owner' | TeamRole | 'none' }>(
    'SELECT cts_role_of(session_user::text) AS r',
  )
  return row?.r ?? 'none'
}

async function requireLead(q: PgQueryable, doing: string): Promise<string> {
  const me = await q.row<{ who: string; r: string }>(
    'SELECT session_user::text AS who, cts_role_of(session_user::text) AS r',
  )
  if (me?.r !== 'owner' && me?.r !== 'lead') {
    throw new CtsError(
      'team-forbidden',
      `Only a lead of the team workspace can ${doing}; you are logged in as "${me?.who ?? '?'}" (${me?.r === 'annotator' ? 'an annotator' : 'not a member'}). Ask a lead of the team workspace.`,
    )
  }
  return me.who
}

/**
 * Adds (or changes the team role of) a member. With a verifier the login role is created first —
 * that needs CREATEROLE; without it the error carries the exact SQL for the administrator. Without
 * a verifier the role must exist already. One transaction: grants, the members row, the audit entry.
 */
export async function addTeamMember(
  db: PgDatabase,
  input: { name: string; role: TeamRole; verifier?: string; by: string },
): Promise<void> {
  // input.by (the binding's user) is not recorded: the login requireLead checks is.
  const { name, role, verifier } = input
  checkMemberName(name)
  if (!TEAM_ROLES.includes(role)) {
    throw new CtsError('bad-input', `"${String(role)}" is not a team role: use lead or annotator.`)
  }
  const createSql = verifier === undefined ? undefined : createRoleSql(name, verifier)
  await db.tx(async (q) => {
    const me = await requireLead(q, 'add team members')
    const exists = await q.row<{ n: number }>(
      'SELECT COUNT(*)::int AS n FROM pg_roles WHERE rolname = $1',
      [name],
    )
    if (createSql !== undefined) {
      if (exists?.n) {
        throw new CtsError(
          'conflict',
          `The server already has a login named "${name}": leave out --password-file to add that login as it is, or choose another name.`,
        )
      }
      const may = await q.row<{ ok: boolean }>(
        'SELECT (rolcreaterole OR rolsuper) AS ok FROM pg_roles WHERE rolname = current_user',
      )
      if (!may?.ok) {
        throw new CtsError(
          'team-forbidden',
          `Your database login "${me}" may not create logins (it lacks CREATEROLE). Ask the server's administrator to run this SQL (it holds only the password's SCRAM verifier, not the password):\n  ${createSql}\nthen run this command again without --password-file.`,
          { sql: createSql },
        )
      }
      await q.run(createSql)
    } else if (!exists?.n) {
      throw new CtsError(
        'not-found',
        `The server has no login named "${name}". Give --password-file to create it, or ask the server's administrator to create it (CREATE ROLE ${name} LOGIN PASSWORD …) first.`,
      )
    }
    if ((await q.row<{ r: string }>('SELECT cts_role_of($1) AS r', [name]))?.r === 'owner') {
      throw new CtsError(
        'bad-input',
        `"${name}" owns the team workspace (or is a server administrator): it has every right already and cannot be a member.`,
      )
    }
    const previous = await q.row<{ role: TeamRole }>(
      'SELECT role FROM team_members WHERE name = $1',
      [name],
    )
    await q.run('SELECT cts_grant_member($1, $2)', [name, role])
    await q.run(
      `INSERT INTO team_members (name, role, added_at, added_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO UPDATE SET role = excluded.role, added_at = excluded.added_at, added_by = excluded.added_by`,
      [name, role, new Date().toISOString(), me],
    )
    // The login requireLead checked, not the binding's user name (they differ after SET ROLE or
    // a binding's stale user): the audit entry and added_by say who really did it.
    await writeAuditPg(q, me, 'team.member-add', null, {
      name,
      role,
      ...(previous ? { previousRole: previous.role } : {}),
      loginCreated: createSql !== undefined,
    })
  })
}

/**
 * Takes a member's rights away (grants revoked, members row deleted, audited). The login role
 * itself stays on the server: it may serve other databases; the administrator drops it.
 */
export async function removeTeamMember(
  db: PgDatabase,
  name: string,
  // Not recorded: the login requireLead checks is (see addTeamMember).
  _by: string,
): Promise<void> {
  checkMemberName(name)
  await db.tx(async (q) => {
    const me = await requireLead(q, 'remove team members')
    const row = await q.row<{ role: TeamRole }>(
      'DELETE FROM team_members WHERE name = $1 RETURNING role',
      [name],
    )
    if (!row) {
      throw new CtsError('not-found', `"${name}" is not a member of this team workspace.`)
    }
    const exists = await q.row<{ n: number }>(
      'SELECT COUNT(*)::int AS n FROM pg_roles WHERE rolname = $1',
      [name],
    )
    if (exists?.n) await q.run('SELECT cts_revoke_member($1)', [name])
    await writeAuditPg(q, me, 'team.member-remove', null, { name, role: row.role })
  })
}

/** The members, by name (an annotator sees only their own row). */
export async function listTeamMembers(db: PgQueryable): Promise<TeamMember[]> {
  const rows = await db.rows<{ name: string; role: TeamRole; added_at: string; added_by: string }>(
    'SELECT name, role, added_at, added_by FROM team_members ORDER BY name COLLATE "C"',
  )
  return rows.map((r) => ({ name: r.name, role: r.role, addedAt: r.added_at, addedBy: r.added_by }))
}
