// A team on the suite's PostgreSQL server for the rights tests (issue #17 point 3): a lead login
// that owns and migrates a fresh database, and members added with addTeamMember, each with a password.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { migrations } from '../../main/store/migrations/index'
import { migratePg } from '../../main/store/pg/migrate-pg'
import { openPgDatabase } from '../../main/store/pg/pg-database'
import { scramSha256Verifier } from '../../main/store/pg/scram-verifier'
import { addTeamMember, type TeamRole } from '../../main/store/pg/team-members'
import { ADMIN_URL_ENV } from './pg-server'

export interface TeamLogin {
  /** The PostgreSQL login role (unique-suffixed: roles are cluster-wide). */
  role: string
  /** postgres://role:password@…/<team database> */
  url: string
}

export interface Team {
  /** The superuser, database "postgres". */
  adminUrl: string
  /** The superuser on the team database (seeding past row-level security). */
  dbUrl: string
  database: string
  /** The owner of the database (CREATEROLE), who migrated it: the workspace's first lead. */
  lead: TeamLogin
  /** Keyed by the short names given (default ann1, ann2 as annotators). */
  members: Record<string, TeamLogin>
  /** Drops the database and every role made here. */
  drop(): Promise<void>
}

export interface TeamSpec {
  /** Short name → team role; default { ann1: 'annotator', ann2: 'annotator' }. */
  members?: Record<string, TeamRole>
  /** Runs as the superuser on the new database before it is migrated (e.g. older servers' defaults). */
  beforeMigrate?: (dbUrl: string) => Promise<void>
}

function loginUrl(base: string, database: string, role: string, password: string): string {
  const u = new URL(base)
  u.username = role
  u.password = encodeURIComponent(password)
  u.pathname = `/${database}`
  return u.toString()
}

/** Runs one statement as `url`'s login (one connection, closed after): the rows it returned. */
export async function sqlAs<T = unknown>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(sql, params)).rows as T[]
  } finally {
    await client.end()
  }
}

export async function makeTeam(spec: TeamSpec = {}): Promise<Team> {
  const adminUrl = process.env[ADMIN_URL_ENV]
  if (!adminUrl) throw new Error(`${ADMIN_URL_ENV} is not set: run with test/pg/vitest.config.ts`)
  const sfx = randomBytes(4).toString('hex')
  const database = `team_${sfx}`
  const leadRole = `lead_${sfx}`
  const leadPassword = `lead ${sfx} 主任`
  const made: string[] = []
  const drop = async () => {
    await sqlAs(adminUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
    for (const r of made.reverse()) await sqlAs(adminUrl, `DROP ROLE IF EXISTS ${r}`)
  }
  try {
    await sqlAs(
      adminUrl,
      `CREATE ROLE ${leadRole} LOGIN CREATEROLE PASSWORD '${scramSha256Verifier(leadPassword)}'`,
    )
    made.push(leadRole)
    await sqlAs(adminUrl, `CREATE DATABASE ${database} OWNER ${leadRole}`)
    const dbUrl = new URL(adminUrl)
    dbUrl.pathname = `/${database}`
    await spec.beforeMigrate?.(dbUrl.toString())
    const lead = { role: leadRole, url: loginUrl(adminUrl, database, leadRole, leadPassword) }
    const members: Record<string, TeamLogin> = {}
    const db = await openPgDatabase(lead.url, { max: 1 })
    try {
      await migratePg(db, migrations)
      const wanted = spec.members ?? { ann1: 'annotator', ann2: 'annotator' }
      for (const [short, role] of Object.entries(wanted)) {
        const name = `${short}_${sfx}`
        const password = `${short} pw ${sfx} 护士`
        made.push(name)
        await addTeamMember(db, {
          name,
          role,
          verifier: scramSha256Verifier(password),
          by: leadRole,
        })
        members[short] = { role: name, url: loginUrl(adminUrl, database, name, password) }
      }
    } finally {
      await db.close()
    }
    return { adminUrl, dbUrl: dbUrl.toString(), database, lead, members, drop }
  } catch (err) {
    await drop()
    throw err
  }
}
