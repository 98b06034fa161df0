// The test server harness itself: a real PostgreSQL 15, SCRAM logins only, loopback only, and
// nothing left behind after stop().
import { existsSync, readFileSync, statSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { openPgDatabase } from '../../main/store/pg/pg-database'
import { createTestDatabase, startTestPostgres, type TestPostgres } from './pg-server'

/** Hex ports of the TCP sockets in LISTEN state (st 0A) on `port`, keyed by local address. */
function listeners(file: string, port: number): string[] {
  if (!existsSync(file)) return []
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  return readFileSync(file, 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length > 3 && f[3] === '0A' && f[1]?.endsWith(`:${hexPort}`))
    .map((f) => f[1]!.split(':')[0]!)
}

describe('startTestPostgres', () => {
  let server: TestPostgres
  beforeAll(async () => {
    server = await startTestPostgres()
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('runs PostgreSQL 15 with a UTF-8 database, as postgres when we are root', async () => {
    const db = await openPgDatabase(server.url)
    try {
      const v = await db.row<{ server_version_num: string }>('SHOW server_version_num')
      expect(Number(v?.server_version_num)).toBeGreaterThanOrEqual(150000)
      expect(Number(v?.server_version_num)).toBeLessThan(160000)
      const enc = await db.row<{ server_encoding: string }>('SHOW server_encoding')
      expect(enc?.server_encoding).toBe('UTF8')
      expect(await db.row('SELECT current_database() AS name')).toEqual({ name: 'cts' })
    } finally {
      await db.close()
    }
    const owner = statSync(`${server.dir}/data`).uid
    const expected =
      process.getuid?.() === 0
        ? Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
        : process.getuid?.()
    expect(owner).toBe(expected)
  })

  it('accepts only SCRAM-SHA-256 logins and refuses a wrong password', async () => {
    const db = await openPgDatabase(server.adminUrl)
    try {
      expect(await db.row('SHOW password_encryption')).toEqual({
        password_encryption: 'scram-sha-256',
      })
      const methods = await db.rows<{ auth_method: string }>(
        'SELECT DISTINCT auth_method FROM pg_hba_file_rules',
      )
      expect(methods).toEqual([{ auth_method: 'scram-sha-256' }])
      const stored = await db.row<{ p: string }>(
        "SELECT left(rolpassword, 14) AS p FROM pg_authid WHERE rolname = 'postgres'",
      )
      expect(stored?.p).toBe('SCRAM-SHA-256$')
    } finally {
      await db.close()
    }
    const wrong = new URL(server.url)
    wrong.password = 'not-the-password'
    // The server's own words, through the plain driver …
    const client = new pg.Client({ connectionString: wrong.toString() })
    await expect(client.connect()).rejects.toThrow(
      'password authentication failed for user "postgres"',
    )
    await client.end().catch(() => undefined)
    // The password may come apart from the URL (the CLI's 0600 file, the keychain).
    const bare = new URL(server.url)
    const password = decodeURIComponent(bare.password)
    bare.password = ''
    const viaOption = await openPgDatabase(bare.toString(), { password })
    expect(await viaOption.row('SELECT current_user AS u')).toEqual({ u: 'postgres' })
    await viaOption.close()
    const admin = await openPgDatabase(server.adminUrl)
    await admin.run("CREATE ROLE clinician LOGIN PASSWORD 'p%41@:/ é医'")
    await admin.close()
    const member = new URL(bare)
    member.username = 'clinician'
    const odd = await openPgDatabase(member.toString(), { password: 'p%41@:/ é医' })
    expect(await odd.row('SELECT current_user AS u')).toEqual({ u: 'clinician' })
    await odd.close()
    await expect(
      openPgDatabase(bare.toString(), { password: 'wrong%41@:/' }),
    ).rejects.toMatchObject({ code: 'team-auth' })
    // … and what a clinician sees through openPgDatabase.
    await expect(openPgDatabase(wrong.toString())).rejects.toMatchObject({
      code: 'team-auth',
      message: `The team workspace server 127.0.0.1:${server.port} refused the login as "postgres": the password was not accepted. Check the user name and password with the server's administrator.`,
    })
  })

  it('listens on 127.0.0.1 only, with its socket inside its own directory', async () => {
    const db = await openPgDatabase(server.adminUrl)
    try {
      expect(await db.row('SHOW listen_addresses')).toEqual({ listen_addresses: '127.0.0.1' })
      expect(await db.row('SHOW unix_socket_directories')).toEqual({
        unix_socket_directories: `${server.dir}/socket`,
      })
    } finally {
      await db.close()
    }
    expect(listeners('/proc/net/tcp', server.port)).toEqual(['0100007F'])
    expect(listeners('/proc/net/tcp6', server.port)).toEqual([])
    expect(existsSync(`${server.dir}/socket/.s.PGSQL.${server.port}`)).toBe(true)
  })

  it('makes an empty database per call and drops it', async () => {
    const a = await createTestDatabase(server.adminUrl)
    const b = await createTestDatabase(server.adminUrl)
    expect(a.url).not.toBe(b.url)
    const db = await openPgDatabase(a.url)
    const tables = await db.rows(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    )
    expect(tables).toEqual([])
    await db.close()
    await a.drop()
    await b.drop()
    const name = new URL(a.url).pathname.slice(1)
    const admin = await openPgDatabase(server.adminUrl)
    expect(await admin.rows('SELECT 1 FROM pg_database WHERE datname = $1', [name])).toEqual([])
    await admin.close()
  })

  it('stops the server and removes every file it wrote', async () => {
    const { dir, port, url } = server
    expect(existsSync(dir)).toBe(true)
    await server.stop()
    expect(existsSync(dir)).toBe(false)
    expect(listeners('/proc/net/tcp', port)).toEqual([])
    await expect(openPgDatabase(url)).rejects.toMatchObject({
      code: 'team-unreachable',
      message: `The team workspace server 127.0.0.1:${port} cannot be reached: the connection was refused (is the server running and listening on that port?).`,
    })
  })
})
