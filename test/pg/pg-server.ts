// A throwaway PostgreSQL server for tests: Debian's binaries, a temporary data directory owned by
// `postgres` (the server refuses to run as root), SCRAM logins, loopback only, a free random port.
import { execFile, execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { appendFile, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'

const run = promisify(execFile)

/** Where Debian's postgresql-15 package puts the server binaries (PG_BIN overrides). */
export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin'
/** The env var through which test/pg/global-setup.ts hands the server to the test files. */
export const ADMIN_URL_ENV = 'CTS_TEST_PG_ADMIN_URL'
/** A database already at the latest schema that test databases may be copied from (optional). */
export const TEMPLATE_ENV = 'CTS_TEST_PG_TEMPLATE'

export interface TestPostgres {
  /** A database `cts` on the server, for a test that needs just one. */
  url: string
  /** The superuser on the `postgres` database: create and drop databases with it. */
  adminUrl: string
  port: number
  /** The temporary directory holding the data directory, socket, password file and log. */
  dir: string
  stop(): Promise<void>
  /** Fault tests (#17 point 5): shuts the server down (-m fast), keeping its data and port. */
  stopKeepingData(): Promise<void>
  /** Starts it again after stopKeepingData(), on the same data directory and port. */
  start(): Promise<void>
  /** `pg_ctl restart -m fast`: every connection is dropped, the data stays. */
  restart(): Promise<void>
}

const isRoot = process.getuid?.() === 0

/** Runs a server binary as `postgres` when we are root (CI), else as ourselves. */
function pgCommand(bin: string, args: string[]): [string, string[]] {
  const path = join(PG_BIN, bin)
  return isRoot ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args]
}

async function pgRun(bin: string, args: string[]): Promise<void> {
  const [cmd, argv] = pgCommand(bin, args)
  // cwd: runuser keeps ours, and postgres may not be allowed to read it.
  await run(cmd, argv, { cwd: tmpdir(), env: { ...process.env, LC_ALL: 'C.UTF-8' } })
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

async function postgresOwner(): Promise<{ uid: number; gid: number } | undefined> {
  if (!isRoot) return undefined
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim())
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim())
  return { uid, gid }
}

/** Starts a fresh server; `stop()` shuts it down and removes every file it wrote. */
export async function startTestPostgres(): Promise<TestPostgres> {
  if (!existsSync(join(PG_BIN, 'initdb'))) {
    throw new Error(
      `PostgreSQL 15 is not installed (${PG_BIN}/initdb missing): apt-get install postgresql`,
    )
  }
  const dir = await mkdtemp(join(tmpdir(), 'cts-pg-'))
  const data = join(dir, 'data')
  const socketDir = join(dir, 'socket')
  const pwfile = join(dir, 'pwfile')
  const log = join(dir, 'server.log')
  const password = randomBytes(18).toString('base64url')
  const owner = await postgresOwner()
  let started = false
  const cleanup = () => {
    if (started) {
      const [cmd, argv] = pgCommand('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w'])
      try {
        execFileSync(cmd, argv, { cwd: tmpdir(), stdio: 'ignore' })
      } catch {
        // already down
      }
    }
  }
  // A test run that dies without calling stop() must not leave a server behind.
  process.once('exit', cleanup)
  try {
    await mkdir(socketDir)
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 })
    if (owner) {
      for (const p of [dir, socketDir, pwfile]) await chown(p, owner.uid, owner.gid)
    }
    await pgRun('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=scram-sha-256',
      `--pwfile=${pwfile}`,
      '--encoding=UTF8',
      '--locale=C.UTF-8',
      '--no-sync',
      '--no-instructions',
    ])
    await rm(pwfile)
    let port = 0
    for (let attempt = 1; ; attempt++) {
      port = await freePort()
      // Test-only settings: no durability (fsync off) for speed; never for a real workspace.
      await appendFile(
        join(data, 'postgresql.conf'),
        [
          '',
          '# cts test server (test/pg/pg-server.ts)',
          `port = ${port}`,
          "listen_addresses = '127.0.0.1'",
          `unix_socket_directories = '${socketDir}'`,
          'fsync = off',
          'synchronous_commit = off',
          'full_page_writes = off',
          'max_connections = 300',
          'shared_buffers = 32MB',
          '',
        ].join('\n'),
      )
      try {
        await pgRun('pg_ctl', ['start', '-D', data, '-l', log, '-w', '-t', '60'])
        started = true
        break
      } catch (err) {
        // Another process took the port between freePort() and the server's bind: try another.
        const text = existsSync(log) ? await readFile(log, 'utf8') : ''
        if (attempt >= 3 || !/could not bind|Address already in use/.test(text)) {
          throw new Error(`the test PostgreSQL did not start: ${text.slice(-2000) || String(err)}`)
        }
      }
    }
    const adminUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`
    const admin = new pg.Client({ connectionString: adminUrl })
    await admin.connect()
    try {
      await admin.query('CREATE DATABASE cts')
    } finally {
      await admin.end()
    }
    let stopped = false
    // -l: the server's output goes to the log, never to pipes this process would wait on.
    const ctl = (args: string[]) =>
      pgRun('pg_ctl', [...args, '-D', data, '-l', log, '-w', '-t', '60'])
    return {
      url: `postgres://postgres:${password}@127.0.0.1:${port}/cts`,
      adminUrl,
      port,
      dir,
      async stopKeepingData() {
        await ctl(['stop', '-m', 'fast'])
        started = false
      },
      async start() {
        await ctl(['start'])
        started = true
      },
      async restart() {
        await ctl(['restart', '-m', 'fast'])
        started = true
      },
      async stop() {
        if (stopped) return
        stopped = true
        try {
          if (started) await pgRun('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w', '-t', '60'])
        } finally {
          started = false
          process.removeListener('exit', cleanup)
          await rm(dir, { recursive: true, force: true })
        }
      },
    }
  } catch (err) {
    cleanup()
    process.removeListener('exit', cleanup)
    await rm(dir, { recursive: true, force: true })
    throw err
  }
}

let counter = 0

/** A database name no other test file or call will pick (lower case: no quoting needed). */
export function testDatabaseName(): string {
  return `cts_t_${process.pid}_${++counter}_${randomBytes(4).toString('hex')}`
}

/**
 * An empty database on the suite's server (test/pg/vitest.config.ts starts it and passes its
 * admin URL in CTS_TEST_PG_ADMIN_URL), or on the server whose admin URL is given.
 */
export async function createTestDatabase(
  adminUrl: string | undefined = process.env[ADMIN_URL_ENV],
  name: string = testDatabaseName(),
  template?: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  if (!adminUrl) {
    throw new Error(
      `${ADMIN_URL_ENV} is not set: run PostgreSQL tests with --config test/pg/vitest.config.ts (or start one with startTestPostgres())`,
    )
  }
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`)
  } finally {
    await admin.end()
  }
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  let dropped = false
  return {
    url: url.toString(),
    async drop() {
      if (dropped) return
      dropped = true
      await dropTestDatabase(adminUrl, name)
    },
  }
}

/** Drops a test database, even when a pool a test forgot to close still holds connections. */
export async function dropTestDatabase(adminUrl: string, name: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl })
  await c.connect()
  try {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  } finally {
    await c.end()
  }
}
