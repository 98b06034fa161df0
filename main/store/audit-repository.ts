// The audit log behind an async interface, for actions that write nothing else (exports). Writes
// that change data audit themselves inside their own repository method, in the same transaction.
import type { Database } from 'better-sqlite3'
import type { AuditVerifyDto } from '../../preload/contract/audit'
import { writeAudit, type AuditAction } from './audit'
import { checkChain } from './audit-chain'

export type { AuditAction }

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
}
