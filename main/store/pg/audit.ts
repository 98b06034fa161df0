// PostgreSQL twin of main/store/audit.ts: appends one audit entry to the workspace's single hash
// chain inside the caller's transaction, serialised by a transaction-scoped advisory lock.
import { CtsError } from '../../shared'
import type { AuditAction } from '../audit'
import { AUDIT_HEAD_KEY, linkEntry } from '../audit-chain'
import type { PgQueryable } from './pg-database'

/**
 * The advisory lock key of the audit chain ('CTSA' as a number). One chain per workspace database:
 * every writer, on every client, appends under this lock, so reading the newest entry, linking to
 * it and moving the head never interleave. Taken LAST in any transaction (after text and annotator
 * locks) and released at commit, when the new entry is already visible to the next holder.
 */
export const AUDIT_LOCK_KEY = 0x43545341

/**
 * Appends one entry (same arguments as writeAudit) inside the caller's `db.tx`. The transaction
 * must be READ COMMITTED (the default): each statement after the lock then sees the entry the
 * previous holder committed; an older snapshot would link to a stale newest entry.
 */
export async function writeAuditPg(
  q: PgQueryable,
  actor: string,
  action: AuditAction,
  projectId: number | null,
  details: Record<string, unknown>,
): Promise<void> {
  const lock = await q.row<{ iso: string }>(
    `SELECT pg_advisory_xact_lock(${AUDIT_LOCK_KEY}) AS locked,
            current_setting('transaction_isolation') AS iso`,
  )
  if (lock?.iso !== 'read committed') {
    // A programming error, not the user's: say what to change.
    throw new CtsError(
      'internal',
      `The audit log can only be appended in a read committed transaction (this one is ${lock?.iso ?? 'unknown'}).`,
    )
  }
  // cts_audit_newest() (migration 011, SECURITY DEFINER): a member reads only their own entries
  // but links to the newest entry of anyone; the member's INSERT policy checks the same link.
  const last = await q.row<{ id: number; hash: string | null }>(
    'SELECT id, hash FROM cts_audit_newest()',
  )
  const e = linkEntry(last, {
    at: new Date().toISOString(),
    actor,
    action,
    project_id: projectId,
    details: JSON.stringify(details),
  })
  await q.run(
    `INSERT INTO audit_log (id, at, actor, action, project_id, details, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [e.id, e.at, e.actor, e.action, e.project_id, e.details, e.prevHash, e.hash],
  )
  await q.run(
    `INSERT INTO workspace_settings (key, value) VALUES ($1, $2)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [AUDIT_HEAD_KEY, JSON.stringify({ id: e.id, hash: e.hash })],
  )
}
