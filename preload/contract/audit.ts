// The audit log (issue #15 point 4): every entry is linked into a hash chain, and verifying walks
// it; the log can be listed with filters and paging, and exported as CSV.
import { z } from 'zod'
import { idSchema } from './common'
import { AUDIT_ACTIONS, AUDIT_PAGE_MAX, type AuditActionName } from './audit-actions'

export interface AuditVerifyDto {
  /** Entries checked. */
  entries: number
  intact: boolean
  /** The first entry whose link is broken; null when intact. */
  brokenAt: number | null
  /** What is wrong there, in words; null when intact. */
  reason: string | null
  /**
   * The kind of break, for a message in the reader's language: edited in place, out of order (an
   * entry before it deleted or inserted), or the newest entry missing or one added after it.
   */
  problem: 'changed' | 'out-of-order' | 'head' | null
}

export { AUDIT_ACTIONS, AUDIT_PAGE_MAX, type AuditActionName } from './audit-actions'

/** A day (2026-12-06, that day from 00:00 UTC) or an instant (2026-12-06T08:00:00+08:00). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/
/** 2026-02-30 is not a day (Date.parse would roll it over into March). */
function realDate(s: string): boolean {
  const [y, m, d] = s.slice(0, 10).split('-').map(Number)
  const day = new Date(Date.UTC(y, m - 1, d))
  return (
    !Number.isNaN(Date.parse(s)) &&
    day.getUTCFullYear() === y &&
    day.getUTCMonth() === m - 1 &&
    day.getUTCDate() === d
  )
}

const isoDateSchema = z
  .string()
  .regex(ISO_DATE, 'must be a date like 2026-12-06 or a time like 2026-12-06T08:00:00Z')
  .refine(realDate, 'is not a real date')

/** What narrows the log; every filter is optional and they combine with AND. */
export const auditFilterShape = {
  /** Any of these actions. */
  actions: z.array(z.enum(AUDIT_ACTIONS)).min(1).max(AUDIT_ACTIONS.length).optional(),
  /** Exactly this actor (profile name). */
  actor: z.string().min(1).max(200).optional(),
  projectId: idSchema.optional(),
  /** On or after (a day: from its start). */
  from: isoDateSchema.optional(),
  /** On or before (a day: to its end, inclusive). */
  to: isoDateSchema.optional(),
  /** Words the entry's details contain (case-insensitive for Latin letters). */
  search: z.string().min(1).max(200).optional(),
}
export type AuditFilter = z.output<z.ZodObject<typeof auditFilterShape>>

export const auditArgs = {
  'audit/verify': z.object({}).strict(),
  'audit/list': z
    .object({
      ...auditFilterShape,
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(AUDIT_PAGE_MAX).default(50),
    })
    .strict(),
  /** The filtered log as CSV, oldest first: written to `path` (desktop) or returned (browser). */
  'audit/export-csv': z
    .object({ ...auditFilterShape, path: z.string().min(1).optional() })
    .strict(),
}

export interface AuditEntryDto {
  /** The entry's place in the chain (1, 2, …). */
  id: number
  /** ISO time, UTC. */
  at: string
  actor: string
  action: AuditActionName
  projectId: number | null
  /** The project's current name; null for entries without a project or a deleted project. */
  projectName: string | null
  /** Ids, counts and names — never the text of a patient record. */
  details: Record<string, unknown>
  /** This entry's link in the hash chain. */
  hash: string | null
}

export interface AuditPageDto {
  /** Newest first. */
  entries: AuditEntryDto[]
  /** Entries matching the filters (all pages). */
  total: number
  offset: number
  limit: number
  /** Everyone the whole log names, for the "who" filter. */
  actors: string[]
}

export interface AuditCsvDto {
  rows: number
  path?: string
  fileName: string
  contentBase64?: string
}

export interface AuditResults {
  'audit/verify': AuditVerifyDto
  'audit/list': AuditPageDto
  'audit/export-csv': AuditCsvDto
}
