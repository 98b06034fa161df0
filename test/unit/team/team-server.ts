// A PostgreSQL server for the team tests: the suite's (test/pg/vitest.config.ts passes its admin URL)
// or one started here (npm run test:unit), with a login role and an empty database it owns.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { ADMIN_URL_ENV, startTestPostgres } from '../../pg/pg-server'

export interface TeamServer {
  port: number
  /** The superuser's URL (database "postgres"). */
  adminUrl: string
  /** Runs one statement as the superuser (roles, databases, foreign tables for the tests). */
  admin(sql: string, database?: string): Promise<void>
  /** A new login role with `password` and an empty database it owns. */
  newTeamDatabase(password: string): Promise<{ user: string; database: string }>
  stop(): Promise<void>
}

export async function startTeamServer(): Promise<TeamServer> {
  const shared = process.env[ADMIN_URL_ENV]
  const own = shared ? undefined : await startTestPostgres()
  const adminUrl = shared ?? own!.adminUrl
  const made: string[] = []
  const admin = async (sql: string, database?: string) => {
    const url = new URL(adminUrl)
    if (database) url.pathname = `/${database}`
    const client = new pg.Client({ connectionString: url.toString() })
    await client.connect()
    try {
      await client.query(sql)
    } finally {
      await client.end()
    }
  }
  return {
    port: Number(new URL(adminUrl).port),
    adminUrl,
    admin,
    async newTeamDatabase(password) {
      const suffix = randomBytes(4).toString('hex')
      const user = `clin_${suffix}`
      const database = `team_${suffix}`
      await admin(`CREATE ROLE ${user} LOGIN PASSWORD '${password.replace(/'/g, "''")}'`)
      await admin(`CREATE DATABASE ${database} OWNER ${user}`)
      made.push(database, user)
      return { user, database }
    },
    async stop() {
      if (own) return own.stop()
      for (let i = 0; i < made.length; i += 2) {
        await admin(`DROP DATABASE IF EXISTS ${made[i]} WITH (FORCE)`)
        await admin(`DROP ROLE IF EXISTS ${made[i + 1]}`)
      }
    },
  }
}
