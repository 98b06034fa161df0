// The audit log behind an async interface, for actions that write nothing else (exports), and its
// reading side: the filtered, paged list and the rows of a CSV export. Writes that change data
// audit themselves inside their own repository method, in the same transaction.
import type { Database } from 'better-sqlite3'
import type {
  AuditActionName,
  AuditEntryDto,
  AuditFilter,
  AuditVerifyDto,
} from '../../preload/contract/audit'
import { writeAudit, type AuditAction } from './audit'
import { checkChain } from './audit-chain'

export type { AuditAction }

// The store's action union and the contract's list must name the same actions (a drift fails here).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const sameActions: Same<AuditAction, AuditActionName> = true
void sameActions

/** One entry as the CSV export writes it (the chain's previous hash included). */
export interface AuditExportRow extends AuditEntryDto {
  prevHash: string | null
}

export interface AuditRepository {
  /** Appends one entry; details are ids, counts and names, never the text of a record. */
  write(
    actor: string,
    action: AuditAction,
    projectId: number | null,
    details: Record<string, unknown>,
  ): Promise<void>
  /** Walks the hash chain and names the first entry edited, inserted or deleted behind our back. */
  verify(): Promise<AuditVerifyDto>
  /** A page of the entries the filter matches, newest first, and how many match in all. */
  list(
    filter: AuditFilter,
    page: { offset: number; limit: number },
  ): Promise<{ entries: AuditEntryDto[]; total: number }>
  /** Everyone the log names, alphabetically. */
  actors(): Promise<string[]>
  /** Every entry the filter matches, oldest first (CSV export), read as one snapshot. */
  exportRows(filter: AuditFilter): AsyncIterable<AuditExportRow>
}

export interface EntryRow {
  id: number
  at: string
  actor: string
  action: string
  project_id: number | null
  project_name: string | null
  details: string
  prev_hash: string | null
  hash: string | null
}

/** A day alone (2026-12-06) rather than an instant. */
const DAY_ONLY = /^\d{4}-\d{2}-\d{2}$/

/** How a backend writes a parameter and the details search (SQLite's LIKE folds ASCII case only). */
export interface AuditSqlDialect {
  /** The placeholder of the n-th (1-based) parameter. */
  param(n: number): string
  /** `column` contains the escaped LIKE pattern in `param`, ASCII letters in any case. */
  contains(column: string, param: string): string
}

export const SQLITE_AUDIT_SQL: AuditSqlDialect = {
  param: () => '?',
  contains: (column, param) => `${column} LIKE ${param} ESCAPE '\\'`,
}

/** WHERE clause and parameters for a filter; `at` is compared as ISO UTC text. */
export function auditWhere(
  filter: AuditFilter,
  dialect: AuditSqlDialect = SQLITE_AUDIT_SQL,
): { sql: string; params: unknown[] } {
  const clauses: string[] = []
  const params: unknown[] = []
  const next = (value: unknown): string => {
    params.push(value)
    return dialect.param(params.length)
  }
  if (filter.actions?.length) {
    clauses.push(`a.action IN (${filter.actions.map((a) => next(a)).join(', ')})`)
  }
  if (filter.actor !== undefined) clauses.push(`a.actor = ${next(filter.actor)}`)
  if (filter.projectId !== undefined) clauses.push(`a.project_id = ${next(filter.projectId)}`)
  if (filter.from !== undefined) {
    clauses.push(`a.at >= ${next(new Date(filter.from).toISOString())}`)
  }
  if (filter.to !== undefined) {
    // A day is inclusive: everything before the next day's start.
    const to = new Date(filter.to)
    const day = DAY_ONLY.test(filter.to)
    if (day) to.setUTCDate(to.getUTCDate() + 1)
    clauses.push(`a.at ${day ? '<' : '<='} ${next(to.toISOString())}`)
  }
  if (filter.search !== undefined) {
    const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    clauses.push(dialect.contains('a.details', next(pattern)))
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params }
}

export const AUDIT_SELECT = `SELECT a.id, a.at, a.actor, a.action, a.project_id, p.name AS project_name,
                       a.details, a.prev_hash, a.hash
                FROM audit_log a LEFT JOIN projects p ON p.id = a.project_id`

export function toEntry(r: EntryRow): AuditEntryDto {
  return {
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action as AuditActionName,
    projectId: r.project_id,
    projectName: r.project_name,
    details: parseDetails(r.details),
    hash: r.hash,
  }
}

/** Details as written; an entry edited into invalid JSON still lists (verify names it). */
function parseDetails(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text)
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : { value }
  } catch {
    return { unreadable: text }
  }
}

export class SqliteAuditRepository implements AuditRepository {
  constructor(private readonly db: Database) {}

  async write(
    actor: string,
    action: AuditAction,
    projectId: number | null,
    details: Record<string, unknown>,
  ): Promise<void> {
    this.db.transaction(() => writeAudit(this.db, actor, action, projectId, details)).immediate()
  }

  async verify(): Promise<AuditVerifyDto> {
    // One read transaction: a writer cannot add an entry between the walk and the head.
    const check = this.db.transaction(() => checkChain(this.db))()
    return { ...check, intact: check.brokenAt === null }
  }

  async list(
    filter: AuditFilter,
    page: { offset: number; limit: number },
  ): Promise<{ entries: AuditEntryDto[]; total: number }> {
    const { sql, params } = auditWhere(filter)
    // One read transaction: the page and its total describe the same log.
    return this.db.transaction(() => {
      const total = (
        this.db.prepare(`SELECT COUNT(*) AS n FROM audit_log a ${sql}`).get(...params) as {
          n: number
        }
      ).n
      const rows = this.db
        .prepare(`${AUDIT_SELECT} ${sql} ORDER BY a.id DESC LIMIT ? OFFSET ?`)
        .all(...params, page.limit, page.offset) as EntryRow[]
      return { entries: rows.map(toEntry), total }
    })()
  }

  async actors(): Promise<string[]> {
    const rows = this.db.prepare('SELECT DISTINCT actor FROM audit_log ORDER BY actor').all() as {
      actor: string
    }[]
    return rows.map((r) => r.actor)
  }

  async *exportRows(filter: AuditFilter): AsyncIterable<AuditExportRow> {
    const { sql, params } = auditWhere(filter)
    // Read at once: an open iterator would hold the connection across the consumer's awaits.
    const rows = this.db
      .prepare(`${AUDIT_SELECT} ${sql} ORDER BY a.id`)
      .all(...params) as EntryRow[]
    for (const r of rows) yield { ...toEntry(r), prevHash: r.prev_hash }
  }
}
