// The SCRAM-SHA-256 verifier computed on this computer: byte for byte what PostgreSQL computes for
// the same password and salt, and a role created with it logs in through node-postgres.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openPgDatabase } from '../../../main/store/pg/pg-database'
import {
  isScramVerifier,
  SCRAM_ITERATIONS,
  scramSha256Verifier,
} from '../../../main/store/pg/scram-verifier'
import { startTeamServer, type TeamServer } from './team-server'

let server: TeamServer
const suffix = randomBytes(4).toString('hex')
const roles: string[] = []

async function adminRows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: server.adminUrl })
  await client.connect()
  try {
    return (await client.query(sql, params)).rows as T[]
  } finally {
    await client.end()
  }
}

/** What the server itself stores for `password` (it hashes a clear password with SCRAM). */
async function serverVerifier(password: string): Promise<string> {
  const role = `scram_srv_${suffix}_${roles.length}`
  roles.push(role)
  await server.admin(`CREATE ROLE ${role} PASSWORD '${password.replace(/'/g, "''")}'`)
  const [row] = await adminRows<{ v: string }>(
    'SELECT rolpassword AS v FROM pg_authid WHERE rolname = $1',
    [role],
  )
  return row!.v
}

beforeAll(async () => {
  server = await startTeamServer()
})

afterAll(async () => {
  for (const r of roles) await server.admin(`DROP ROLE IF EXISTS ${r}`)
  await server.stop()
})

describe('scramSha256Verifier', () => {
  it.each([
    ['pencil'],
    ['fièvre 发热 passe'],
    // NFKC and non-ASCII spaces: the ligature becomes "fi", U+3000 a plain space, as SASLprep says.
    ['ﬁ\u3000ligature'],
    // A soft hyphen is "mapped to nothing".
    ['pa\u00ADss'],
  ])('equals what PostgreSQL stores for %j with the same salt and iterations', async (password) => {
    const stored = await serverVerifier(password)
    const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(stored)!
    const ours = scramSha256Verifier(password, {
      salt: Buffer.from(m[2]!, 'base64'),
      iterations: Number(m[1]),
    })
    expect(ours).toBe(stored)
    expect(isScramVerifier(ours)).toBe(true)
  })

  it('draws a fresh 16-byte salt each time with 4096 iterations', () => {
    const a = scramSha256Verifier('same')
    const b = scramSha256Verifier('same')
    expect(a).not.toBe(b)
    expect(a.startsWith(`SCRAM-SHA-256$${SCRAM_ITERATIONS}:`)).toBe(true)
    expect(Buffer.from(a.split(/[:$]/)[2]!, 'base64')).toHaveLength(16)
    expect(isScramVerifier('md5abc')).toBe(false)
    expect(isScramVerifier("SCRAM-SHA-256$4096:abc$x:y'; DROP ROLE x; --")).toBe(false)
  })

  it('makes a role that logs in with the password through node-postgres, and refuses a wrong one', async () => {
    const role = `scram_login_${suffix}`
    roles.push(role)
    const password = 'Pâté-医生 7'
    const verifier = scramSha256Verifier(password)
    await server.admin(`CREATE ROLE ${role} LOGIN PASSWORD '${verifier}'`)
    const [row] = await adminRows<{ v: string }>(
      'SELECT rolpassword AS v FROM pg_authid WHERE rolname = $1',
      [role],
    )
    // Stored as given: the server did not hash the verifier again.
    expect(row!.v).toBe(verifier)
    const url = new URL(server.adminUrl)
    url.username = role
    url.password = ''
    const db = await openPgDatabase(url.toString(), { password, max: 1 })
    try {
      expect(await db.row('SELECT current_user AS who')).toEqual({ who: role })
    } finally {
      await db.close()
    }
    await expect(
      openPgDatabase(url.toString(), { password: 'Pâté-医生 8', max: 1 }),
    ).rejects.toMatchObject({
      code: 'team-auth',
      message: expect.stringContaining('the password was not accepted'),
    })
  })
})
