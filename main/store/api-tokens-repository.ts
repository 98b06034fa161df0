// Named API tokens for `cts serve` behind an async interface (issue #15 point 6): only their
// sha256 hashes are stored; creation, revocation and per-token request counts are audited.
import type { Database } from 'better-sqlite3'
import { CtsError } from '../shared'
import { writeAudit } from './audit'

/** One stored token: never the token itself, only its hash. */
export interface ApiTokenRow {
  name: string
  /** sha256 of the token, hex. */
  tokenHash: string
  createdAt: string
  /** ISO time after which the token is refused; null = never. */
  expiresAt: string | null
  revokedAt: string | null
  /** The end of the last flushed period in which it was used. */
  lastUsedAt: string | null
  requestCount: number
  rejectedCount: number
}

/** One token's requests over one period, as `cts serve` counted them. */
export interface TokenUsage {
  /** The token's name; a name without a stored token (the --token session token) is audited only. */
  token: string
  requests: number
  /** Requests answered with anything but 200 (expired, revoked, rate limited, bad input …). */
  rejected: number
  /** ISO times of the period's first and last request. */
  from: string
  to: string
}

export interface ApiTokenCreate {
  name: string
  tokenHash: string
  createdAt: string
  expiresAt: string | null
  actor: string
}

export interface ApiTokensRepository {
  /** Stores a new token and audits 'token.create'; conflict when the name is taken (revoked included). */
  create(input: ApiTokenCreate): Promise<void>
  /** Every token, oldest first. */
  list(): Promise<ApiTokenRow[]>
  /** The token whose sha256 is `tokenHash` (the column is unique), or null. */
  findByHash(tokenHash: string): Promise<ApiTokenRow | null>
  /** Marks the token revoked and audits 'token.revoke'; null when no token has that name. */
  revoke(name: string, at: string, actor: string): Promise<ApiTokenRow | null>
  /** Adds the counts to the stored tokens and appends one 'token.requests' entry per token. */
  recordUsage(usages: readonly TokenUsage[], actor: string): Promise<void>
}

export interface ApiTokenDbRow {
  name: string
  token_hash: string
  created_at: string
  expires_at: string | null
  revoked_at: string | null
  last_used_at: string | null
  request_count: number
  rejected_count: number
}

export const toApiTokenRow = (r: ApiTokenDbRow): ApiTokenRow => ({
  name: r.name,
  tokenHash: r.token_hash,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
  requestCount: r.request_count,
  rejectedCount: r.rejected_count,
})

/** The refusal of a token name already used (a revoked token keeps its name). */
export function tokenNameTaken(name: string, revoked: boolean): CtsError {
  return new CtsError(
    'conflict',
    `A token named "${name}" already exists${revoked ? ' (revoked)' : ''}; choose another name.`,
  )
}

export class SqliteApiTokensRepository implements ApiTokensRepository {
  constructor(private readonly db: Database) {}

  async create(input: ApiTokenCreate): Promise<void> {
    this.db
      .transaction(() => {
        const taken = this.db
          .prepare('SELECT revoked_at FROM api_tokens WHERE name = ?')
          .get(input.name) as { revoked_at: string | null } | undefined
        if (taken) throw tokenNameTaken(input.name, taken.revoked_at !== null)
        this.db
          .prepare(
            `INSERT INTO api_tokens (name, token_hash, created_at, expires_at)
             VALUES (?, ?, ?, ?)`,
          )
          .run(input.name, input.tokenHash, input.createdAt, input.expiresAt)
        writeAudit(this.db, input.actor, 'token.create', null, {
          token: input.name,
          expires: input.expiresAt,
        })
      })
      .immediate()
  }

  async list(): Promise<ApiTokenRow[]> {
    const rows = this.db.prepare('SELECT * FROM api_tokens ORDER BY id').all() as ApiTokenDbRow[]
    return rows.map(toApiTokenRow)
  }

  async findByHash(tokenHash: string): Promise<ApiTokenRow | null> {
    const row = this.db.prepare('SELECT * FROM api_tokens WHERE token_hash = ?').get(tokenHash) as
      ApiTokenDbRow | undefined
    return row ? toApiTokenRow(row) : null
  }

  async revoke(name: string, at: string, actor: string): Promise<ApiTokenRow | null> {
    return this.db
      .transaction(() => {
        const row = this.db.prepare('SELECT * FROM api_tokens WHERE name = ?').get(name) as
          ApiTokenDbRow | undefined
        if (!row) return null
        // Revoking twice keeps the first time (and audits once).
        if (row.revoked_at) return toApiTokenRow(row)
        this.db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE name = ?').run(at, name)
        writeAudit(this.db, actor, 'token.revoke', null, { token: name })
        return toApiTokenRow({ ...row, revoked_at: at })
      })
      .immediate()
  }

  async recordUsage(usages: readonly TokenUsage[], actor: string): Promise<void> {
    if (usages.length === 0) return
    const update = this.db.prepare(
      `UPDATE api_tokens SET request_count = request_count + ?, rejected_count = rejected_count + ?,
         last_used_at = ? WHERE name = ?`,
    )
    this.db
      .transaction(() => {
        for (const u of usages) {
          update.run(u.requests, u.rejected, u.to, u.token)
          writeAudit(this.db, actor, 'token.requests', null, {
            token: u.token,
            requests: u.requests,
            rejected: u.rejected,
            from: u.from,
            to: u.to,
          })
        }
      })
      .immediate()
  }
}
