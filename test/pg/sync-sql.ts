// A synchronous SQL handle on a PostgreSQL database for the shared service tests: the few
// better-sqlite3 calls they make on `workspace.db` (prepare().all/get/run/pluck) run on the real
// server through a worker thread, the test's thread blocking on Atomics.wait until it answers.
import { createRequire } from 'node:module'
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads'

const WORKER = `
const { workerData } = require('node:worker_threads')
const pg = require(workerData.pgPath)
const flag = new Int32Array(workerData.shared)
const types = { getTypeParser: (oid, f) => oid === 20 && f !== 'binary' ? (v) => Number(v) : pg.types.getTypeParser(oid, f) }
let client
async function connect() {
  // The database is created asynchronously by the fixture: wait for it (3D000 = not yet).
  for (let i = 0; ; i++) {
    const c = new pg.Client({ connectionString: workerData.url, types })
    try { await c.connect(); return c } catch (err) {
      await c.end().catch(() => {})
      if (err.code !== '3D000' || i > 300) throw err
      await new Promise((r) => setTimeout(r, 20))
    }
  }
}
workerData.port.on('message', async ({ sql, params }) => {
  let reply
  try {
    client ??= await connect()
    const r = await client.query(sql, params)
    reply = { rows: r.rows, rowCount: r.rowCount ?? 0 }
  } catch (err) {
    reply = { error: String(err && err.message), code: err && err.code }
  }
  workerData.port.postMessage(reply)
  Atomics.store(flag, 0, 1)
  Atomics.notify(flag, 0)
})
workerData.port.on('close', () => { client?.end().catch(() => {}); process.exit(0) })
`

interface Reply {
  rows?: Record<string, unknown>[]
  rowCount?: number
  error?: string
  code?: string
}

/** better-sqlite3's dialect in these tests → PostgreSQL's (placeholders, aliases, two names). */
export function sqliteQueryToPg(sql: string): string {
  let n = 0
  return (
    sql
      .replace(/\?/g, () => `$${++n}`)
      .replace(/\bgroup_concat\(/gi, 'string_agg(')
      // PostgreSQL folds unquoted names to lower case: keep the tests' camelCase aliases.
      .replace(/\bAS ([a-z]+[A-Z][A-Za-z0-9]*)\b/g, 'AS "$1"')
      .replace(
        /\bsqlite_temp_master\b/g,
        "(SELECT relname AS name FROM pg_class WHERE relpersistence = 't' AND relkind = 'r') AS temp_tables",
      )
  )
}

export interface SyncStatement {
  all(...params: unknown[]): unknown[]
  get(...params: unknown[]): unknown
  run(...params: unknown[]): { changes: number }
  pluck(): SyncStatement
}

export interface SyncSql {
  prepare(sql: string): SyncStatement
  exec(sql: string): void
  close(): void
}

/** Opens the handle; the worker starts, and connects, on the first statement. */
export function openSyncSql(url: string): SyncSql {
  const shared = new SharedArrayBuffer(4)
  const flag = new Int32Array(shared)
  let started: { port1: MessagePort; worker: Worker } | undefined
  const start = () => {
    const { port1, port2 } = new MessageChannel()
    const pgPath = createRequire(import.meta.url).resolve('pg')
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: { url, port: port2, shared, pgPath },
      transferList: [port2],
    })
    worker.unref()
    port1.unref()
    return { port1, worker }
  }

  const query = (sql: string, params: unknown[]): Reply => {
    started ??= start()
    const { port1 } = started
    Atomics.store(flag, 0, 0)
    port1.postMessage({ sql: sqliteQueryToPg(sql), params })
    if (Atomics.wait(flag, 0, 0, 30_000) === 'timed-out') throw new Error('sync-sql: no answer')
    const reply = receiveMessageOnPort(port1)?.message as Reply | undefined
    if (!reply) throw new Error('sync-sql: no answer')
    if (reply.error !== undefined) throw Object.assign(new Error(reply.error), { code: reply.code })
    return reply
  }

  const statement = (sql: string, plucked: boolean): SyncStatement => {
    const shape = (row: Record<string, unknown>) => (plucked ? Object.values(row)[0] : row)
    return {
      all: (...params) => (query(sql, params).rows ?? []).map(shape),
      get: (...params) => {
        const row = query(sql, params).rows?.[0]
        return row === undefined ? undefined : shape(row)
      },
      run: (...params) => ({ changes: query(sql, params).rowCount ?? 0 }),
      pluck: () => statement(sql, true),
    }
  }

  return {
    prepare: (sql) => statement(sql, false),
    exec: (sql) => void query(sql, []),
    close: () => {
      started?.port1.close()
      void started?.worker.terminate()
      started = undefined
    },
  }
}
