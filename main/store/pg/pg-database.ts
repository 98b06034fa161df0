// The team workspace's PostgreSQL connection: a node-postgres pool behind a small promise API
// (rows/row/run, and tx that retries the whole function on serialization failures and deadlocks).
import pg from 'pg'
import { CtsError } from '../../shared'

/** Statements outside a transaction (or inside one, on its connection). Placeholders are $1, $2 … */
export interface PgQueryable {
  rows<T>(sql: string, params?: unknown[]): Promise<T[]>
  row<T>(sql: string, params?: unknown[]): Promise<T | undefined>
  run(sql: string, params?: unknown[]): Promise<{ rowCount: number }>
}

export type PgIsolation = 'read committed' | 'repeatable read' | 'serializable'

export interface PgDatabase extends PgQueryable {
  /** One transaction on one pooled connection; retried (whole fn) on 40001/40P01. */
  tx<T>(fn: (q: PgQueryable) => Promise<T>, opts?: { isolation?: PgIsolation }): Promise<T>
  close(): Promise<void>
}

export interface OpenPgOptions {
  /** Pool size (default 10). */
  max?: number
  /** Overrides any password in the URL (the CLI reads it from its 0600 file or PGPASSFILE). */
  password?: string
  /** How long to wait for a connection before "cannot be reached" (default 10 s). */
  connectTimeoutMs?: number
}

/**
 * A statement the server refused. The message names only the SQLSTATE and the constraint, never
 * the statement or its parameters: PostgreSQL's own messages can quote values (patient text).
 */
export class PgStatementError extends CtsError {
  constructor(
    public readonly sqlState: string,
    public readonly constraint: string | undefined,
  ) {
    super(
      'internal',
      `The team workspace database refused a statement (SQLSTATE ${sqlState}${constraint ? `, constraint ${constraint}` : ''})`,
      { sqlState, constraint },
    )
    this.name = 'PgStatementError'
  }
}

/** True when `err` is a unique-key violation (optionally of one named constraint). */
export function isPgUniqueViolation(err: unknown, constraint?: string): boolean {
  return (
    err instanceof PgStatementError &&
    err.sqlState === '23505' &&
    (constraint === undefined || err.constraint === constraint)
  )
}

// 40001 serialization_failure, 40P01 deadlock_detected: the server rolled the work back, so
// running the whole transaction again is safe and is what PostgreSQL's documentation asks for.
const RETRYABLE = new Set(['40001', '40P01'])
const MAX_ATTEMPTS = 6

// int8 (COUNT(*), SUM of integers) arrives as a string by default; our counts fit in a double.
// Decision 3 still casts in SQL; this only keeps a forgotten cast from leaking a string into a DTO.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 && format !== 'binary') return (v: string) => Number(v)
    return pg.types.getTypeParser(oid, format)
  },
} as pg.CustomTypesConfig

interface ServerAddress {
  host: string
  port: number
  user: string
}

function serverAddress(url: string): ServerAddress {
  try {
    const u = new URL(url)
    const socketHost = u.searchParams.get('host')
    return {
      host: u.hostname || socketHost || 'localhost',
      port: u.port ? Number(u.port) : 5432,
      user: decodeURIComponent(u.username),
    }
  } catch {
    return { host: 'localhost', port: 5432, user: '' }
  }
}

interface DriverError {
  code?: unknown
  constraint?: unknown
  message?: unknown
}

function asDriverError(err: unknown): DriverError | undefined {
  return typeof err === 'object' && err !== null ? (err as DriverError) : undefined
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused (is the server running and listening on that port?)',
  ENOTFOUND: 'the host name was not found',
  EAI_AGAIN: 'the host name could not be looked up',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable from this computer',
  ENETUNREACH: 'the network is unreachable from this computer',
  ECONNRESET: 'the server closed the connection',
  EPIPE: 'the server closed the connection',
}

/**
 * Turns a driver error into a CtsError a clinician can act on, or returns a statement error that
 * keeps the SQLSTATE for the repositories (unique violations → their own conflict messages).
 */
export function mapPgError(err: unknown, addr: ServerAddress): Error {
  if (err instanceof CtsError) return err
  const e = asDriverError(err)
  const code = typeof e?.code === 'string' ? e.code : ''
  const message = typeof e?.message === 'string' ? e.message : ''
  const where = `${addr.host}:${addr.port}`
  const role = addr.user ? ` as "${addr.user}"` : ''
  if (code === '28P01' || code === '28000' || message.startsWith('SASL:')) {
    const reason =
      code === '28P01'
        ? 'the password was not accepted'
        : code === '28000'
          ? 'the server does not allow this login (unknown role, or no matching pg_hba.conf line)'
          : 'no password was given for this login'
    return new CtsError(
      'team-auth',
      `The team workspace server ${where} refused the login${role}: ${reason}. Check the user name and password with the server's administrator.`,
      { host: addr.host, port: addr.port, sqlState: code || undefined },
    )
  }
  if (code === '3D000') {
    return new CtsError(
      'team-unreachable',
      `The team workspace server ${where} cannot be reached: the database named in the address does not exist on that server.`,
      { host: addr.host, port: addr.port, sqlState: code },
    )
  }
  const network =
    NETWORK_REASONS[code] ??
    (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03'
      ? 'the server is shutting down, starting up or dropped the connection'
      : /timeout|terminated|Connection ended|not queryable/i.test(message) && !code
        ? 'the connection timed out or was closed'
        : undefined)
  if (network) {
    return new CtsError(
      'team-unreachable',
      `The team workspace server ${where} cannot be reached: ${network}.`,
      { host: addr.host, port: addr.port, code: code || undefined },
    )
  }
  if (/^[0-9A-Z]{5}$/.test(code)) {
    return new PgStatementError(code, typeof e?.constraint === 'string' ? e.constraint : undefined)
  }
  // A programming error in our own code (not the server's): its message carries no SQL values.
  return err instanceof Error ? err : new CtsError('internal', String(err))
}

function sqlStateOf(err: unknown): string | undefined {
  if (err instanceof PgStatementError) return err.sqlState
  const code = asDriverError(err)?.code
  return typeof code === 'string' ? code : undefined
}

function jitterMs(attempt: number): number {
  return Math.round((2 ** attempt + Math.random() * 2 ** attempt) * 5)
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

function queryable(
  query: (sql: string, params?: unknown[]) => Promise<pg.QueryResult>,
  addr: ServerAddress,
): PgQueryable {
  const exec = async (sql: string, params?: unknown[]) => {
    try {
      return await query(sql, params)
    } catch (err) {
      throw mapPgError(err, addr)
    }
  }
  return {
    async rows<T>(sql: string, params?: unknown[]) {
      return (await exec(sql, params)).rows as T[]
    },
    async row<T>(sql: string, params?: unknown[]) {
      return (await exec(sql, params)).rows[0] as T | undefined
    },
    async run(sql: string, params?: unknown[]) {
      return { rowCount: (await exec(sql, params)).rowCount ?? 0 }
    },
  }
}

/**
 * node-postgres lets the fields parsed from connectionString override the config's own (an absent
 * password included), so a separate password has to travel inside the URL.
 */
function withPassword(url: string, password: string | undefined): string {
  if (password === undefined) return url
  const u = new URL(url)
  // Encoded here: the URL setter leaves '%' alone, and the driver decodes the field.
  u.password = encodeURIComponent(password)
  return u.toString()
}

/** Opens a pool and checks that one connection can be made (so a bad address fails here). */
export async function openPgDatabase(url: string, opts: OpenPgOptions = {}): Promise<PgDatabase> {
  const addr = serverAddress(url)
  const pool = new pg.Pool({
    connectionString: withPassword(url, opts.password),
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    application_name: 'clinical-text-studio',
    types,
  })
  // An idle connection dropped by the server (restart, network) must not crash the process: the
  // pool discards it and the next statement reconnects or reports the server unreachable.
  pool.on('error', () => undefined)

  const poolQuery = queryable((sql, params) => pool.query(sql, params), addr)
  const withRetry = async <T>(work: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work()
      } catch (err) {
        const state = sqlStateOf(err)
        if (!state || !RETRYABLE.has(state) || attempt >= MAX_ATTEMPTS) throw err
        await sleep(jitterMs(attempt))
      }
    }
  }

  const db: PgDatabase = {
    // A single statement outside a transaction is its own transaction: a deadlock rolled it back.
    rows: (sql, params) => withRetry(() => poolQuery.rows(sql, params)),
    row: (sql, params) => withRetry(() => poolQuery.row(sql, params)),
    run: (sql, params) => withRetry(() => poolQuery.run(sql, params)),

    tx(fn, txOpts) {
      const isolation = txOpts?.isolation ?? 'read committed'
      return withRetry(async () => {
        let client: pg.PoolClient
        try {
          client = await pool.connect()
        } catch (err) {
          throw mapPgError(err, addr)
        }
        let broken: Error | undefined
        const q = queryable((sql, params) => client.query(sql, params), addr)
        try {
          await q.run(`BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}`)
          const result = await fn(q)
          await q.run('COMMIT')
          return result
        } catch (err) {
          try {
            await client.query('ROLLBACK')
          } catch (rollbackErr) {
            // The connection is gone: hand it back as broken so the pool does not reuse it.
            broken = rollbackErr instanceof Error ? rollbackErr : new Error('rollback failed')
          }
          throw err
        } finally {
          client.release(broken)
        }
      })
    },

    async close() {
      await pool.end()
    },
  }

  try {
    await db.run('SELECT 1')
  } catch (err) {
    await pool.end().catch(() => undefined)
    throw err
  }
  return db
}
