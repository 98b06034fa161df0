// Schema 10: named API tokens for `cts serve` (issue #15 point 6). Only the sha256 of a token is
// kept; the token itself is shown once at creation. Revoked tokens stay listed (and their names
// taken) so the audit log's names keep meaning one token.
import type { Migration } from '../migrate'

export const m010ApiTokens: Migration = {
  version: 10,
  name: 'api-tokens',
  sql: `
      CREATE TABLE api_tokens (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        -- NULL = never expires.
        expires_at TEXT,
        revoked_at TEXT,
        -- Updated when serve flushes its counts (each minute with activity, and at shutdown).
        last_used_at TEXT,
        request_count INTEGER NOT NULL DEFAULT 0,
        rejected_count INTEGER NOT NULL DEFAULT 0
      );
    `,
}
