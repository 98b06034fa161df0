// Named API tokens for `cts serve` (issue #15 point 6): create (the token is shown once, only its
// sha256 is stored), list, revoke, the check of a presented bearer token, and audited usage.
import { createHash, randomBytes } from 'node:crypto'
import { CtsError } from '../shared'
import type { ApiTokenRow, TokenUsage } from '../store/api-tokens-repository'
import type { Repositories } from '../store/repositories'

export type { TokenUsage }

/** What `cts token list` shows: everything but the hash. */
export type ApiTokenInfo = Omit<ApiTokenRow, 'tokenHash'>

export interface CreatedToken extends ApiTokenInfo {
  /** The token itself: shown once, never stored. */
  token: string
}

/** The outcome of checking a presented token: its name, or why it is refused. */
export type TokenCheck =
  | { ok: true; name: string }
  /** name: the token's name when it is known but refused (expired, revoked), else null. */
  | { ok: false; name: string | null; message: string }

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
/** The longest lifetime --expires accepts, in days (ten years). */
export const MAX_TOKEN_DAYS = 3650
const DAY_MS = 86_400_000

export const hashToken = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex')

/** Why a token name is unfit, or null. */
export function tokenNameProblem(name: string): string | null {
  return NAME.test(name)
    ? null
    : `A token name is 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit (got "${name.slice(0, 80)}").`
}

/**
 * The expiry time of `--expires`: a number of days or hours ("30d", "12h") from now, or a date
 * ("2027-01-31", midnight UTC) or ISO date-time in the future. Throws CtsError('bad-input').
 */
export function parseExpiry(spec: string, now: Date = new Date()): string {
  const s = spec.trim()
  const rel = /^(\d{1,6})([dh])$/i.exec(s)
  let at: Date
  if (rel) {
    const n = Number(rel[1])
    const ms = rel[2].toLowerCase() === 'd' ? n * DAY_MS : n * 3_600_000
    at = new Date(now.getTime() + ms)
  } else if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(s)) {
    at = new Date(s.length === 10 ? `${s}T00:00:00Z` : s)
  } else at = new Date(NaN)
  if (Number.isNaN(at.getTime()))
    throw new CtsError(
      'bad-input',
      `--expires must be a number of days or hours ("30d", "12h") or a date like 2027-01-31 (got "${spec.slice(0, 80)}").`,
    )
  if (at.getTime() <= now.getTime())
    throw new CtsError('bad-input', `--expires must lie in the future (got "${spec}").`)
  if (at.getTime() - now.getTime() > MAX_TOKEN_DAYS * DAY_MS)
    throw new CtsError(
      'bad-input',
      `--expires must be at most ${MAX_TOKEN_DAYS} days ahead (got "${spec}").`,
    )
  return at.toISOString()
}

const info = ({ tokenHash: _hash, ...rest }: ApiTokenRow): ApiTokenInfo => rest

export class TokensService {
  constructor(
    private readonly repos: Pick<Repositories, 'apiTokens'>,
    private readonly actor: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A new token of 32 random bytes; `expires` as parseExpiry reads it (undefined = never). */
  async create(name: string, expires?: string): Promise<CreatedToken> {
    const problem = tokenNameProblem(name)
    if (problem) throw new CtsError('bad-input', problem)
    const now = this.now()
    const expiresAt = expires === undefined ? null : parseExpiry(expires, now)
    const token = randomBytes(32).toString('base64url')
    const createdAt = now.toISOString()
    await this.repos.apiTokens.create({
      name,
      tokenHash: hashToken(token),
      createdAt,
      expiresAt,
      actor: this.actor,
    })
    return {
      name,
      token,
      createdAt,
      expiresAt,
      revokedAt: null,
      lastUsedAt: null,
      requestCount: 0,
      rejectedCount: 0,
    }
  }

  async list(): Promise<ApiTokenInfo[]> {
    return (await this.repos.apiTokens.list()).map(info)
  }

  /** Tokens that a server would accept now. */
  async activeCount(): Promise<number> {
    const now = this.now().toISOString()
    return (await this.repos.apiTokens.list()).filter(
      (t) => !t.revokedAt && (!t.expiresAt || t.expiresAt > now),
    ).length
  }

  async revoke(name: string): Promise<ApiTokenInfo> {
    const row = await this.repos.apiTokens.revoke(name, this.now().toISOString(), this.actor)
    if (!row)
      throw new CtsError(
        'not-found',
        `There is no token named "${name.slice(0, 80)}"; see cts token list.`,
      )
    return info(row)
  }

  /**
   * Which stored token `presented` is, looked up by its sha256 (an indexed column). Comparing
   * digests leaks nothing about the token, so no constant-time scan over every row is needed.
   */
  async check(presented: string | undefined): Promise<TokenCheck> {
    const refused: TokenCheck = {
      ok: false,
      name: null,
      message: 'A valid "Authorization: Bearer <token>" header is needed.',
    }
    const found = presented ? await this.repos.apiTokens.findByHash(hashToken(presented)) : null
    if (!found) return refused
    if (found.revokedAt)
      return {
        ok: false,
        name: found.name,
        message: `The token "${found.name}" was revoked on ${found.revokedAt.slice(0, 10)}; ask for a new one (cts token create).`,
      }
    const now = this.now().toISOString()
    if (found.expiresAt && found.expiresAt <= now)
      return {
        ok: false,
        name: found.name,
        message: `The token "${found.name}" expired on ${found.expiresAt.slice(0, 16).replace('T', ' ')} UTC; ask for a new one (cts token create).`,
      }
    return { ok: true, name: found.name }
  }

  /** Adds a period's counts to the tokens and appends one 'token.requests' audit entry each. */
  async recordUsage(usages: readonly TokenUsage[]): Promise<void> {
    await this.repos.apiTokens.recordUsage(usages, this.actor)
  }
}
