// The audit log's integrity (issue #15 point 4): every entry is linked into a hash chain, and
// verifying walks it.
import { z } from 'zod'

export interface AuditVerifyDto {
  /** Entries checked. */
  entries: number
  intact: boolean
  /** The first entry whose link is broken; null when intact. */
  brokenAt: number | null
  /** What is wrong there, in words; null when intact. */
  reason: string | null
}

export const auditArgs = {
  'audit/verify': z.object({}).strict(),
}

export interface AuditResults {
  'audit/verify': AuditVerifyDto
}
