// Schema 9: the audit log becomes a hash chain (issue #15 point 4). Existing entries are linked in
// id order, so a log written before this version verifies too; edits from now on break the chain.
import type { Migration } from '../migrate'
import { linkExisting } from '../audit-chain'

export const m009AuditChain: Migration = {
  version: 9,
  name: 'audit-chain',
  sql: `
      ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
      ALTER TABLE audit_log ADD COLUMN hash TEXT;
    `,
  // Links the entries an older workspace already holds; a new database has none.
  up(db) {
    linkExisting(db)
  },
}
