// The audit log's hash chain (issue #15 point 4): each entry's hash covers its own fields and its
// predecessor's hash, and the workspace keeps the newest entry's id and hash (the head), so an
// entry edited, inserted or deleted in the database directly shows up as a broken link.
import { createHash } from 'node:crypto'
import type { Database } from 'better-sqlite3'

export interface AuditEntryFields {
  id: number
  at: string
  actor: string
  action: string
  project_id: number | null
  details: string
}

export interface AuditChainCheck {
  /** Entries checked. */
  entries: number
  /** The first entry whose link is broken (for a deleted newest entry: the head's id); null when intact. */
  brokenAt: number | null
  reason: string | null
  /** What kind of break, for a message in the reader's language; null when intact. */
  problem: AuditChainProblem | null
}

/** Edited in place; out of order (an entry before it deleted or inserted); the newest missing or added. */
export type AuditChainProblem = 'changed' | 'out-of-order' | 'head'

/** The first entry's predecessor. */
export const GENESIS = ''
export const AUDIT_HEAD_KEY = 'audit.head'

export function entryHash(e: AuditEntryFields, prevHash: string): string {
  const fields = [e.id, e.at, e.actor, e.action, e.project_id, e.details, prevHash]
  return createHash('sha256').update(JSON.stringify(fields), 'utf8').digest('hex')
}

/** The head as workspace_settings stores it (JSON text), on either backend. */
export type AuditHead = { id: number; hash: string }

export function parseHead(value: string | undefined): AuditHead | null {
  return value === undefined ? null : (JSON.parse(value) as AuditHead)
}

export function readHead(db: Database): AuditHead | null {
  const row = db
    .prepare('SELECT value FROM workspace_settings WHERE key = ?')
    .get(AUDIT_HEAD_KEY) as { value: string } | undefined
  return parseHead(row?.value)
}

export function writeHead(db: Database, id: number, hash: string): void {
  db.prepare(
    `INSERT INTO workspace_settings (key, value) VALUES (?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  ).run(AUDIT_HEAD_KEY, JSON.stringify({ id, hash }))
}

/** A new entry linked after the newest one (none: the first entry), as both backends store it. */
export function linkEntry(
  last: { id: number; hash: string | null } | undefined,
  fields: Omit<AuditEntryFields, 'id'>,
): AuditEntryFields & { prevHash: string; hash: string } {
  const entry = { ...fields, id: (last?.id ?? 0) + 1 }
  const prevHash = last?.hash ?? GENESIS
  return { ...entry, prevHash, hash: entryHash(entry, prevHash) }
}

/** Appends one entry to the chain; the caller's transaction makes read-link-write atomic. */
export function appendEntry(db: Database, fields: Omit<AuditEntryFields, 'id'>): void {
  const last = db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as
    { id: number; hash: string | null } | undefined
  const { prevHash, hash, ...entry } = linkEntry(last, fields)
  db.prepare(
    `INSERT INTO audit_log (id, at, actor, action, project_id, details, prev_hash, hash)
     VALUES (@id, @at, @actor, @action, @project_id, @details, @prevHash, @hash)`,
  ).run({ ...entry, prevHash, hash })
  writeHead(db, entry.id, hash)
}

/** One stored entry as the walk reads it. */
export type StoredAuditEntry = AuditEntryFields & { prev_hash: string | null; hash: string | null }

/**
 * The walk over the log in id order, fed one entry at a time (SQLite iterates, PostgreSQL reads
 * pages): step() answers the first broken link, end() compares the last entry with the head.
 */
export class ChainWalk {
  private prev = GENESIS
  private entries = 0
  private last: AuditHead | null = null

  step(r: StoredAuditEntry): AuditChainCheck | null {
    this.entries += 1
    if (r.prev_hash !== this.prev) {
      return broken(
        this.entries,
        r.id,
        `entry ${r.id} does not follow the entry before it (an entry before it was deleted or inserted).`,
        'out-of-order',
      )
    }
    if (r.hash === null || entryHash(r, this.prev) !== r.hash) {
      return broken(
        this.entries,
        r.id,
        `entry ${r.id} was changed after it was written.`,
        'changed',
      )
    }
    this.prev = r.hash
    this.last = { id: r.id, hash: r.hash }
    return null
  }

  end(head: AuditHead | null): AuditChainCheck {
    const { entries, last } = this
    if (head && (last === null || head.id !== last.id || head.hash !== last.hash)) {
      const id = last && head.id < last.id ? last.id : head.id
      return broken(
        entries,
        id,
        `the newest entry (${head.id}) is missing or an entry was added after it.`,
        'head',
      )
    }
    return { entries, brokenAt: null, reason: null, problem: null }
  }
}

/** Walks the whole log in id order and names the first broken link. */
export function checkChain(db: Database): AuditChainCheck {
  const rows = db
    .prepare(
      'SELECT id, at, actor, action, project_id, details, prev_hash, hash FROM audit_log ORDER BY id',
    )
    .iterate() as IterableIterator<StoredAuditEntry>
  const walk = new ChainWalk()
  for (const r of rows) {
    const check = walk.step(r)
    if (check) return check
  }
  return walk.end(readHead(db))
}

function broken(
  entries: number,
  id: number,
  reason: string,
  problem: AuditChainProblem,
): AuditChainCheck {
  return { entries, brokenAt: id, reason, problem }
}

/** Links every existing entry, in id order (migration 009: logs written before the chain). */
export function linkExisting(db: Database): void {
  const rows = db
    .prepare('SELECT id, at, actor, action, project_id, details FROM audit_log ORDER BY id')
    .all() as AuditEntryFields[]
  const update = db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?')
  let prev = GENESIS
  for (const r of rows) {
    const hash = entryHash(r, prev)
    update.run(prev, hash, r.id)
    prev = hash
  }
  const newest = rows[rows.length - 1]
  if (newest) writeHead(db, newest.id, prev)
}
