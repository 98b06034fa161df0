// `cts serve`'s named API tokens on PostgreSQL: the same ApiTokensRepository as SQLite (hashes
// only; creation, revocation and request counts audited in the same transaction).
import {
  toApiTokenRow,
  tokenNameTaken,
  type ApiTokenCreate,
  type ApiTokenDbRow,
  type ApiTokenRow,
  type ApiTokensRepository,
  type TokenUsage,
} from '../api-tokens-repository'
import { writeAuditPg } from './audit'
import type { PgDatabase } from './pg-database'

export class PgApiTokensRepository implements ApiTokensRepository {
  constructor(private readonly db: PgDatabase) {}

  async create(input: ApiTokenCreate): Promise<void> {
    await this.db.tx(async (q) => {
      // The name's unique key decides between two clients creating one name at once: the second
      // waits for the first to commit, inserts nothing and is refused as on SQLite.
      const inserted = await q.row<{ id: number }>(
        `INSERT INTO api_tokens (name, token_hash, created_at, expires_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING RETURNING id`,
        [input.name, input.tokenHash, input.createdAt, input.expiresAt],
      )
      if (!inserted) {
        const taken = await q.row<{ revoked_at: string | null }>(
          'SELECT revoked_at FROM api_tokens WHERE name = $1',
          [input.name],
        )
        throw tokenNameTaken(input.name, (taken?.revoked_at ?? null) !== null)
      }
      await writeAuditPg(q, input.actor, 'token.create', null, {
        token: input.name,
        expires: input.expiresAt,
      })
    })
  }

  async list(): Promise<ApiTokenRow[]> {
    const rows = await this.db.rows<ApiTokenDbRow>('SELECT * FROM api_tokens ORDER BY id')
    return rows.map(toApiTokenRow)
  }

  async findByHash(tokenHash: string): Promise<ApiTokenRow | null> {
    const row = await this.db.row<ApiTokenDbRow>('SELECT * FROM api_tokens WHERE token_hash = $1', [
      tokenHash,
    ])
    return row ? toApiTokenRow(row) : null
  }

  async revoke(name: string, at: string, actor: string): Promise<ApiTokenRow | null> {
    return this.db.tx(async (q) => {
      // FOR UPDATE: a second revoker waits and then reads the first one's revoked_at.
      const row = await q.row<ApiTokenDbRow>(
        'SELECT * FROM api_tokens WHERE name = $1 FOR UPDATE',
        [name],
      )
      if (!row) return null
      // Revoking twice keeps the first time (and audits once).
      if (row.revoked_at) return toApiTokenRow(row)
      await q.run('UPDATE api_tokens SET revoked_at = $1 WHERE name = $2', [at, name])
      await writeAuditPg(q, actor, 'token.revoke', null, { token: name })
      return toApiTokenRow({ ...row, revoked_at: at })
    })
  }

  async recordUsage(usages: readonly TokenUsage[], actor: string): Promise<void> {
    if (usages.length === 0) return
    await this.db.tx(async (q) => {
      // Every row lock before the audit lock (the lock order of every writer: audit last).
      for (const u of usages) {
        await q.run(
          `UPDATE api_tokens SET request_count = request_count + $1,
             rejected_count = rejected_count + $2, last_used_at = $3 WHERE name = $4`,
          [u.requests, u.rejected, u.to, u.token],
        )
      }
      for (const u of usages) {
        await writeAuditPg(q, actor, 'token.requests', null, {
          token: u.token,
          requests: u.requests,
          rejected: u.rejected,
          from: u.from,
          to: u.to,
        })
      }
    })
  }
}
