// The team workspace's PostgreSQL connection: a node-postgres pool behind a small promise API
// (rows/row/run, and tx that retries the whole function on serialization failures and deadlocks).
import pg from 'pg'
import { CtsError } from '../../shared'
import { teamForbidden } from './team-forbidden'
import { ConnectionWatch, type TeamConnection } from './team-connection'

/** Statements outside a transaction (or inside one, on its connection). Placeholders are $1, $2 … */
export interface PgQueryable {
  rows<T>(sql: string, params?: unknown[]): Promise<T[]>
  row<T>(sql: string, params?: unknown[]): Promise<T | undefined>
  run(sql: string, params?: unknown[]): Promise<{ rowCount: number }>
}

/** The statement timeout of an import's or a migration's transaction (its copy can be large). */
export const LONG_STATEMENT_MS = 15 * 60_000

export type PgIsolation = 'read committed' | 'repeatable read' | 'serializable'

export interface PgDatabase extends PgQueryable {
  /** One transaction on one pooled connection; retried (whole fn) on 40001/40P01. */
  /**
   * `queryTimeoutMs` replaces the pool's statement timeout inside this transaction: an import's
   * or a migration's one big statement may legitimately run longer than a label write.
   */
  tx<T>(
    fn: (q: PgQueryable) => Promise<T>,
    opts?: { isolation?: PgIsolation; queryTimeoutMs?: number },
  ): Promise<T>
  close(): Promise<void>
  /** Whether the server answers (#17 point 5); openPgDatabase's always has it, wrappers may not. */
  readonly connection?: TeamConnection
}

export interface OpenPgOptions {
  /** Pool size (default 10). */
  max?: number
  /** Overrides any password in the URL (the CLI reads it from its 0600 file or PGPASSFILE). */
  password?: string
  /**
   * How long a call waits for a pooled connection while every one is in use before it fails with
   * 'team-busy' (default 10 s). A NEW connection to the server gets at most the 2 s acquire window.
   */
  connectTimeoutMs?: number
  /**
   * How long a sent statement may go unanswered before it fails with 'team-unreachable' and its
   * connection is discarded (default 10 s): a cut network (a half-open socket) otherwise hangs a
   * label write for as long as TCP takes to give up (~15 min). Tests choose a small one.
   */
  queryTimeoutMs?: number
  /** While reconnecting, how often the SELECT 1 probe runs (default 1 s; tests). */
  probeIntervalMs?: number
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

/** pg-pool's message when no pooled connection became free within connectionTimeoutMillis. */
const POOL_BUSY_MESSAGE = 'timeout exceeded when trying to connect'

/** Every pooled connection is in use (by this computer's own work): try again in a moment. */
function teamBusy(addr: ServerAddress): CtsError {
  return new CtsError(
    'team-busy',
    `The team workspace connection to ${addr.host}:${addr.port} is busy with other work on this computer (a training snapshot, an import). Nothing was saved: try again in a moment.`,
    { host: addr.host, port: addr.port },
  )
}

/** The server cannot be reached; `reason` is plain words (it feeds the connection state, never SQL). */
function teamUnreachable(addr: ServerAddress, reason: string, code?: string): CtsError {
  return new CtsError(
    'team-unreachable',
    `The team workspace server ${addr.host}:${addr.port} cannot be reached: ${reason}.`,
    { host: addr.host, port: addr.port, code, reason },
  )
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
  // pg-pool's own wait for a pooled connection ran out: every connection is in use by this
  // process, the server is fine. Not 'team-unreachable' (that would flip the state and discard
  // healthy connections).
  if (!code && message === POOL_BUSY_MESSAGE) return teamBusy(addr)
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
    // node-postgres's query_timeout: the statement was sent and no answer came (a cut network).
    (!code && message === 'Query read timeout' ? 'the server did not answer in time' : undefined) ??
    (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03'
      ? 'the server is shutting down, starting up or dropped the connection'
      : /timeout|terminated|Connection ended|not queryable/i.test(message) && !code
        ? 'the connection timed out or was closed'
        : undefined)
  if (network) return teamUnreachable(addr, network, code || undefined)
  // B (#17.3): the member's role lacks a privilege, or a row-level security check refused the row.
  if (code === '42501')
    return teamForbidden(message, { host: addr.host, port: addr.port, sqlState: code })
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
  failed: (err: Error) => void = () => undefined,
): PgQueryable {
  const exec = async (sql: string, params?: unknown[]) => {
    try {
      return await query(sql, params)
    } catch (err) {
      const mapped = mapPgError(err, addr)
      failed(mapped)
      throw mapped
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

/**
 * How long getting a connection (and BEGIN) is retried before a call fails with 'team-unreachable':
 * nothing of the caller's was sent yet, so waiting out a server restart is safe, and 2 s keeps a
 * refused label visible within 3 s. A statement already sent is never retried (it may have committed).
 */
const ACQUIRE_WINDOW_MS = 2_000
/** A connect attempt gets at least this long, also when the window is nearly spent. */
const MIN_CONNECT_MS = 250
/** ROLLBACK after a failed transaction: the server rolls back anyway when the connection closes. */
const MAX_ROLLBACK_MS = 2_000
/** close(): how long to wait for the pool's connections to end (a cut network never answers). */
const CLOSE_WAIT_MS = 2_000

/** The plain-words reason of a 'team-unreachable' error, else undefined (another failure). */
export function unreachableReason(err: unknown): string | undefined {
  if (!(err instanceof CtsError) || err.code !== 'team-unreachable') return undefined
  const reason = (err.details as { reason?: unknown } | undefined)?.reason
  return typeof reason === 'string' ? reason : 'the server cannot be reached'
}

/** node-postgres marks a connection it knows is dead; a statement on it is refused unsent. */
function isQueryable(client: pg.PoolClient): boolean {
  // pg-pool itself reads these two fields (release → remove) — there is no public API for it.
  const c = client as unknown as { _queryable?: boolean; _ending?: boolean }
  return c._queryable !== false && c._ending !== true
}

/** One checked-out connection; done() hands it back (destroyed when it broke). */
interface Lease {
  client: pg.PoolClient
  done(broken: boolean): void
}

/** Opens a pool and checks that one connection can be made (so a bad address fails here). */
export async function openPgDatabase(url: string, opts: OpenPgOptions = {}): Promise<PgDatabase> {
  const addr = serverAddress(url)
  const max = opts.max ?? 10
  const queryTimeoutMs = opts.queryTimeoutMs ?? 10_000
  const pool = new pg.Pool({
    connectionString: withPassword(url, opts.password),
    max,
    // Bounds the wait for a BUSY pool ('team-busy'); a new connection is capped by connectOnce.
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    // A sent statement unanswered this long fails ('Query read timeout' → 'team-unreachable') and
    // its connection is discarded: keep-alive probes only idle sockets, not one awaiting a reply.
    query_timeout: queryTimeoutMs,
    application_name: 'clinical-text-studio',
    // A server that vanished without closing the socket (a cut network) is noticed by TCP
    // keep-alive probes, starting after 10 s idle, rather than never.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    types,
  })

  // Connections opened before the server was last seen gone are never reused: after a restart
  // their sockets may be dead without the pool knowing yet. Each is discarded UNUSED (nothing is
  // sent on it), so this turns a stale pooled socket into a fresh connection, not a failed label.
  let generation = 0
  const born = new WeakMap<pg.Client, number>()
  pool.on('connect', (client) => born.set(client, generation))

  const watch = new ConnectionWatch(() => probe(), { probeIntervalMs: opts.probeIntervalMs })
  const lost = (err: unknown) => {
    const reason = unreachableReason(err)
    if (reason === undefined) return
    generation += 1
    watch.lost(reason)
  }
  // An idle connection the server dropped (restart, shutdown) must not crash the process: the pool
  // discards it; it is also the first sign that the server went away.
  pool.on('error', (err) => lost(mapPgError(err, addr)))

  // Connections checked out by this process's calls: all of them out means a busy pool, not a
  // server that does not answer.
  let leased = 0
  const lease = (client: pg.PoolClient): Lease => {
    leased += 1
    // While checked out the pool's own 'error' listener is off: the server's FATAL between two
    // statements of a transaction would be an unhandled 'error' event (a crash) without this one.
    let faulted = false
    const onError = (err: Error) => {
      faulted = true
      lost(mapPgError(err, addr))
    }
    client.on('error', onError)
    return {
      client,
      done(broken) {
        leased -= 1
        client.removeListener('error', onError)
        // A broken one is ended by the pool; node-postgres destroys its socket when a statement
        // is still unanswered on it (a timed-out one), so nothing waits on a dead network.
        client.release(broken || faulted || !isQueryable(client))
      },
    }
  }

  /**
   * pool.connect() within `windowMs`: a new connection that has not answered by then is given up
   * ('team-unreachable'; it is discarded if it ever arrives). Queued behind this process's own
   * calls (every connection out), the pool's connectionTimeoutMillis bounds the wait ('team-busy').
   */
  const connectWithin = async (windowMs: number): Promise<pg.PoolClient> => {
    const pending = pool.connect()
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), Math.max(windowMs, MIN_CONNECT_MS))
    })
    try {
      const first = await Promise.race([pending, late])
      if (first !== 'late') return first
      if (leased >= max) return await pending
      pending.then(
        (client) => client.release(true),
        () => undefined,
      )
      throw teamUnreachable(addr, NETWORK_REASONS.ETIMEDOUT)
    } catch (err) {
      throw mapPgError(err, addr)
    } finally {
      clearTimeout(timer)
    }
  }

  /** One attempt: a live connection of the current generation, or the connect error (mapped). */
  const connectOnce = async (windowMs: number): Promise<Lease> => {
    const deadline = Date.now() + windowMs
    // Bounded: each pass discards one idle connection, so at most the pool's size of them.
    for (let pass = 0; ; pass++) {
      const client = await connectWithin(deadline - Date.now())
      const stale = (born.get(client) ?? -1) < generation || !isQueryable(client)
      if (!stale || pass > max) return lease(client)
      client.release(true)
    }
  }

  /** Getting a connection, retried within `windowMs` while the server cannot be reached. */
  const acquire = async (windowMs: number): Promise<Lease> => {
    const deadline = Date.now() + windowMs
    for (let attempt = 0; ; attempt++) {
      try {
        return await connectOnce(deadline - Date.now())
      } catch (err) {
        // The state says 'reconnecting' from the first refusal on, also while this call waits.
        lost(err)
        const wait = Math.min(100 * 2 ** attempt, 500)
        if (unreachableReason(err) === undefined || Date.now() + wait > deadline) throw err
        await sleep(wait)
      }
    }
  }

  /**
   * A connection with BEGIN done. BEGIN failing on a dead connection is retried on a fresh one:
   * BEGIN alone changes nothing, the server ends an open transaction with its connection, and
   * none of the caller's statements has been sent (each waits for the previous one's answer).
   */
  const begin = async (isolation: PgIsolation): Promise<Lease> => {
    const deadline = Date.now() + ACQUIRE_WINDOW_MS
    for (;;) {
      const l = await acquire(Math.max(0, deadline - Date.now()))
      try {
        await l.client.query(`BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}`)
        return l
      } catch (err) {
        l.done(true)
        const mapped = mapPgError(err, addr)
        lost(mapped)
        if (unreachableReason(mapped) === undefined || Date.now() >= deadline) throw mapped
      }
    }
  }

  /** One statement on its own (its own transaction): sent once, never again. */
  const single = async (sql: string, params?: unknown[]): Promise<pg.QueryResult> => {
    const l = await acquire(ACQUIRE_WINDOW_MS)
    let broken = false
    try {
      return await l.client.query(sql, params)
    } catch (err) {
      broken = unreachableReason(mapPgError(err, addr)) !== undefined
      throw err
    } finally {
      l.done(broken)
    }
  }

  /** The probe: a fresh connection answers SELECT 1 (failures are the watch's, not a call's). */
  async function probe(): Promise<void> {
    const l = await connectOnce(ACQUIRE_WINDOW_MS)
    let broken = true
    try {
      await l.client.query('SELECT 1')
      broken = false
    } finally {
      l.done(broken)
    }
  }

  const poolQuery = queryable(single, addr, lost)
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
        const l = await begin(isolation)
        let broken = false
        // A connection error inside fn or at COMMIT is NOT retried: COMMIT may have reached the
        // server, so the caller is told 'team-unreachable' and the work counts as not saved.
        const timeout = txOpts?.queryTimeoutMs
        const q = queryable(
          (sql, params) =>
            timeout === undefined
              ? l.client.query(sql, params)
              : l.client.query({
                  text: sql,
                  values: params,
                  query_timeout: timeout,
                } as pg.QueryConfig),
          addr,
          lost,
        )
        try {
          const result = await fn(q)
          await q.run('COMMIT')
          return result
        } catch (err) {
          if (unreachableReason(err) !== undefined || !isQueryable(l.client)) {
            // No ROLLBACK on a connection that failed or went silent (it would wait behind the
            // unanswered statement): the server rolls back a transaction whose connection ends.
            broken = true
          } else {
            try {
              // Bounded too: the network can fail between the error and the ROLLBACK.
              await l.client.query({
                text: 'ROLLBACK',
                query_timeout: Math.min(queryTimeoutMs, MAX_ROLLBACK_MS),
              } as pg.QueryConfig)
            } catch {
              // The connection is gone: hand it back as broken so the pool does not reuse it.
              broken = true
            }
          }
          throw err
        } finally {
          l.done(broken)
        }
      })
    },

    connection: watch,

    async close() {
      watch.close()
      // Bounded: ending a connection whose network was cut waits for an answer that never comes.
      let timer: NodeJS.Timeout | undefined
      const gaveUp = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_WAIT_MS)
        timer.unref()
      })
      await Promise.race([pool.end(), gaveUp]).finally(() => clearTimeout(timer))
    },
  }

  try {
    await db.run('SELECT 1')
  } catch (err) {
    watch.close()
    await pool.end().catch(() => undefined)
    throw err
  }
  return db
}
