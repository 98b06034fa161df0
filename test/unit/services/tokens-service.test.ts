// Named API tokens (issue #15 point 6): only hashes reach the database, expiry and revocation,
// names, and the audit entries of create, revoke and request counts (the chain stays intact).
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashToken, parseExpiry, TokensService } from '../../../main/services/tokens-service'
import { TokenUsageLog } from '../../../main/serve/token-usage'
import { openWorkspace, type Workspace } from '../../../main/store/workspace'

let home: string
let ws: Workspace
const NOW = new Date('2026-12-06T08:00:00Z')

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'cts-tokens-'))
  ws = openWorkspace(home)
})
afterAll(() => {
  ws.close()
  rmSync(home, { recursive: true, force: true })
})

const auditOf = (action: string) =>
  (
    ws.db
      .prepare('SELECT actor, details FROM audit_log WHERE action = ? ORDER BY id')
      .all(action) as { actor: string; details: string }[]
  ).map((r) => ({ actor: r.actor, ...JSON.parse(r.details) }))

describe('parseExpiry', () => {
  it('reads days, hours, dates and date-times', () => {
    expect(parseExpiry('30d', NOW)).toBe('2027-01-05T08:00:00.000Z')
    expect(parseExpiry('12h', NOW)).toBe('2026-12-06T20:00:00.000Z')
    expect(parseExpiry('2027-01-31', NOW)).toBe('2027-01-31T00:00:00.000Z')
    expect(parseExpiry('2027-01-31T09:30:00+08:00', NOW)).toBe('2027-01-31T01:30:00.000Z')
  })

  it('refuses other words, past times and more than ten years, naming --expires', () => {
    const bad = (spec: string) => {
      try {
        parseExpiry(spec, NOW)
      } catch (e) {
        return (e as Error).message
      }
      return 'accepted'
    }
    expect(bad('soon')).toBe(
      '--expires must be a number of days or hours ("30d", "12h") or a date like 2027-01-31 (got "soon").',
    )
    expect(bad('2027-13-45')).toMatch(/^--expires must be a number of days/)
    expect(bad('0d')).toBe('--expires must lie in the future (got "0d").')
    expect(bad('2020-01-01')).toBe('--expires must lie in the future (got "2020-01-01").')
    expect(bad('3651d')).toBe('--expires must be at most 3650 days ahead (got "3651d").')
  })
})

describe('TokensService', () => {
  it('stores only the sha256 of a token, and shows the token once', async () => {
    const tokens = new TokensService(ws.repos, 'dr-wang', () => NOW)
    const t = await tokens.create('ward-3', '30d')
    expect(t.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(t).toMatchObject({ name: 'ward-3', expiresAt: '2027-01-05T08:00:00.000Z' })
    const row = ws.db.prepare('SELECT * FROM api_tokens WHERE name = ?').get('ward-3') as Record<
      string,
      unknown
    >
    expect(row.token_hash).toBe(hashToken(t.token))
    ws.db.pragma('wal_checkpoint(TRUNCATE)')
    for (const f of readdirSync(home))
      expect(readFileSync(join(home, f)).includes(t.token), f).toBe(false)
    const listed = await tokens.list()
    expect(JSON.stringify(listed)).not.toContain(t.token)
    expect(JSON.stringify(listed)).not.toContain(hashToken(t.token))
    expect(listed.find((x) => x.name === 'ward-3')).toEqual({
      name: 'ward-3',
      createdAt: '2026-12-06T08:00:00.000Z',
      expiresAt: '2027-01-05T08:00:00.000Z',
      revokedAt: null,
      lastUsedAt: null,
      requestCount: 0,
      rejectedCount: 0,
    })
    expect(await tokens.check(t.token)).toEqual({ ok: true, name: 'ward-3' })
    expect(await tokens.check(undefined)).toMatchObject({ ok: false, name: null })
  })

  it('refuses a taken name (revoked too), a bad name and an unknown name to revoke', async () => {
    const tokens = new TokensService(ws.repos, 'dr-wang', () => NOW)
    await tokens.create('icu')
    await expect(tokens.create('icu')).rejects.toMatchObject({
      code: 'conflict',
      message: 'A token named "icu" already exists; choose another name.',
    })
    await tokens.revoke('icu')
    await expect(tokens.create('icu')).rejects.toMatchObject({
      message: 'A token named "icu" already exists (revoked); choose another name.',
    })
    await expect(tokens.create('病房 3')).rejects.toMatchObject({
      code: 'bad-input',
      message:
        'A token name is 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit (got "病房 3").',
    })
    await expect(tokens.revoke('nobody')).rejects.toMatchObject({
      code: 'not-found',
      message: 'There is no token named "nobody"; see cts token list.',
    })
    expect(await tokens.activeCount()).toBe(1) // ward-3
  })

  it('writes create, revoke and request counts to the audit log, which still verifies', async () => {
    const tokens = new TokensService(ws.repos, 'dr-wang', () => NOW)
    const log = new TokenUsageLog(
      (u) => tokens.recordUsage(u),
      60_000,
      undefined,
      () => NOW,
    )
    for (let i = 0; i < 5; i++) log.record('ward-3', i !== 4)
    log.record('(session)', true)
    await log.stop()
    await log.stop() // nothing new: no second entry
    expect(auditOf('token.create')).toEqual([
      { actor: 'dr-wang', token: 'ward-3', expires: '2027-01-05T08:00:00.000Z' },
      { actor: 'dr-wang', token: 'icu', expires: null },
    ])
    expect(auditOf('token.revoke')).toEqual([{ actor: 'dr-wang', token: 'icu' }])
    const at = NOW.toISOString()
    expect(auditOf('token.requests')).toEqual([
      { actor: 'dr-wang', token: 'ward-3', requests: 5, rejected: 1, from: at, to: at },
      { actor: 'dr-wang', token: '(session)', requests: 1, rejected: 0, from: at, to: at },
    ])
    expect((await tokens.list()).find((t) => t.name === 'ward-3')).toMatchObject({
      requestCount: 5,
      rejectedCount: 1,
      lastUsedAt: at,
    })
    expect(await ws.repos.audit.verify()).toMatchObject({ intact: true, brokenAt: null })
  })

  it('flushes by itself each interval that had requests, and not otherwise', async () => {
    const batches: unknown[][] = []
    const log = new TokenUsageLog(
      async (u) => void batches.push(u),
      20,
      undefined,
      () => NOW,
    )
    log.start()
    log.record('ward-3', true)
    await new Promise((r) => setTimeout(r, 70))
    expect(batches).toHaveLength(1)
    log.record('ward-3', false)
    log.record('ward-3', true)
    await log.stop()
    const at = NOW.toISOString()
    expect(batches).toEqual([
      [{ token: 'ward-3', requests: 1, rejected: 0, from: at, to: at }],
      [{ token: 'ward-3', requests: 2, rejected: 1, from: at, to: at }],
    ])
  })

  it('keeps the counts of a failed flush for the next one', async () => {
    const written: unknown[] = []
    let fail = true
    const log = new TokenUsageLog(
      async (u) => {
        if (fail) throw new Error('database is locked')
        written.push(...u)
      },
      60_000,
      undefined,
      () => NOW,
    )
    log.record('a', true)
    await expect(log.flush()).rejects.toThrow('database is locked')
    log.record('a', false)
    fail = false
    await log.flush()
    expect(written).toEqual([
      { token: 'a', requests: 2, rejected: 1, from: NOW.toISOString(), to: NOW.toISOString() },
    ])
  })
})
