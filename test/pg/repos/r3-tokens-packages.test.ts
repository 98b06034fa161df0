// The API tokens and annotation packages repositories on both backends with the same assertions:
// every method, their refusals and audit entries; on PostgreSQL also two clients at once.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PgApiTokensRepository } from '../../../main/store/pg/api-tokens-repository'
import { PgPackagesRepository } from '../../../main/store/pg/packages-repository'
import { openPgDatabase } from '../../../main/store/pg/pg-database'
import {
  auditTrail,
  freshBackendEachTest,
  openBackend,
  seed,
  stopOwnServer,
  type BackendName,
  type R3Backend,
} from './r3-backends'

afterAll(stopOwnServer)

const token = (name: string, hash: string, expiresAt: string | null = null) => ({
  name,
  tokenHash: hash,
  createdAt: '2026-03-01T08:00:00.000Z',
  expiresAt,
  actor: '王医生',
})

describe.each<BackendName>(['sqlite', 'postgres'])('API tokens repository (%s)', (backend) => {
  let b: R3Backend
  freshBackendEachTest(
    () => openBackend(backend),
    (x) => (b = x),
  )

  it('creates, refuses a taken name, finds by hash, revokes once and counts requests', async () => {
    await b.apiTokens.create(token('serve-1', 'a'.repeat(64), '2027-01-01T00:00:00.000Z'))
    await b.apiTokens.create(token('Station 3 / 病房', 'b'.repeat(64)))
    await expect(b.apiTokens.create(token('serve-1', 'c'.repeat(64)))).rejects.toMatchObject({
      code: 'conflict',
      message: 'A token named "serve-1" already exists; choose another name.',
    })
    expect((await b.apiTokens.list()).map((t) => t.name)).toEqual(['serve-1', 'Station 3 / 病房'])
    expect(await b.apiTokens.findByHash('b'.repeat(64))).toEqual({
      name: 'Station 3 / 病房',
      tokenHash: 'b'.repeat(64),
      createdAt: '2026-03-01T08:00:00.000Z',
      expiresAt: null,
      revokedAt: null,
      lastUsedAt: null,
      requestCount: 0,
      rejectedCount: 0,
    })
    expect(await b.apiTokens.findByHash('c'.repeat(64))).toBeNull()

    const revoked = await b.apiTokens.revoke('serve-1', '2026-03-02T00:00:00.000Z', 'lead')
    expect(revoked).toMatchObject({
      name: 'serve-1',
      revokedAt: '2026-03-02T00:00:00.000Z',
      expiresAt: '2027-01-01T00:00:00.000Z',
    })
    // Revoking again keeps the first time and audits nothing more.
    expect(await b.apiTokens.revoke('serve-1', '2026-03-09T00:00:00.000Z', 'lead')).toMatchObject({
      revokedAt: '2026-03-02T00:00:00.000Z',
    })
    expect(await b.apiTokens.revoke('nope', '2026-03-09T00:00:00.000Z', 'lead')).toBeNull()
    await expect(b.apiTokens.create(token('serve-1', 'd'.repeat(64)))).rejects.toMatchObject({
      code: 'conflict',
      message: 'A token named "serve-1" already exists (revoked); choose another name.',
    })

    await b.apiTokens.recordUsage([], 'serve')
    await b.apiTokens.recordUsage(
      [
        {
          token: 'Station 3 / 病房',
          requests: 5,
          rejected: 1,
          from: 't1',
          to: '2026-03-03T10:00:00.000Z',
        },
        { token: 'session', requests: 2, rejected: 0, from: 't2', to: 't3' },
      ],
      'serve',
    )
    await b.apiTokens.recordUsage(
      [
        {
          token: 'Station 3 / 病房',
          requests: 1,
          rejected: 1,
          from: 't4',
          to: '2026-03-04T10:00:00.000Z',
        },
      ],
      'serve',
    )
    expect(await b.apiTokens.findByHash('b'.repeat(64))).toMatchObject({
      lastUsedAt: '2026-03-04T10:00:00.000Z',
      requestCount: 6,
      rejectedCount: 2,
    })
    expect(await auditTrail(b)).toEqual([
      '王医生:token.create',
      '王医生:token.create',
      'lead:token.revoke',
      'serve:token.requests',
      'serve:token.requests',
      'serve:token.requests',
    ])
    const details = await b.all<{ details: string }>('SELECT details FROM audit_log ORDER BY id')
    expect(details.map((d) => JSON.parse(d.details))).toEqual([
      { token: 'serve-1', expires: '2027-01-01T00:00:00.000Z' },
      { token: 'Station 3 / 病房', expires: null },
      { token: 'serve-1' },
      {
        token: 'Station 3 / 病房',
        requests: 5,
        rejected: 1,
        from: 't1',
        to: '2026-03-03T10:00:00.000Z',
      },
      { token: 'session', requests: 2, rejected: 0, from: 't2', to: 't3' },
      {
        token: 'Station 3 / 病房',
        requests: 1,
        rejected: 1,
        from: 't4',
        to: '2026-03-04T10:00:00.000Z',
      },
    ])
    expect(await b.audit.verify()).toMatchObject({ entries: 6, intact: true })
  })
})

describe.each<BackendName>(['sqlite', 'postgres'])('packages repository (%s)', (backend) => {
  let b: R3Backend
  beforeEach(async () => {
    b = await openBackend(backend)
    await seed(b)
    const row =
      'INSERT INTO annotator_labels (text_id, project_id, annotator, label_ids, origin, at) VALUES (?, 1, ?, ?, ?, ?)'
    await b.exec(row, [11, 'ana', '[1]', 'local', '2026-02-01T00:00:00.000Z'])
    await b.exec(row, [12, '', '[2]', 'import', '2026-02-01T00:00:00.000Z'])
    await b.exec(row, [13, 'bo', '[3]', 'local', '2026-02-01T00:00:00.000Z'])
  })
  afterEach(async () => b.close())

  const pkg = {
    projectId: 1,
    packageHash: 'f'.repeat(64),
    annotator: 'bo',
    fileName: '标注包-bo.jsonl',
    actor: '王医生',
    rows: [
      { line: 1, contentHash: 'hash-11', labelIds: [2], at: '2026-03-01T00:00:00.000Z' },
      { line: 2, contentHash: 'hash-12', labelIds: [2], at: '2026-03-01T00:00:00.000Z' },
      { line: 3, contentHash: 'hash-13', labelIds: [1], at: '2026-01-01T00:00:00.000Z' },
      { line: 4, contentHash: 'hash-99', labelIds: [1], at: '2026-03-01T00:00:00.000Z' },
      { line: 5, contentHash: 'hash-11', labelIds: [2, 2], at: '2026-03-02T00:00:00.000Z' },
      { line: 6, contentHash: 'hash-21', labelIds: [1], at: '2026-03-01T00:00:00.000Z' },
    ],
  }

  it('exports one annotator’s own rows by label name, in text order', async () => {
    expect(await b.packages.exportRows(1, 'bo')).toEqual([
      { contentHash: 'hash-13', labelNames: ['不确定'], at: '2026-02-01T00:00:00.000Z' },
    ])
    expect(await b.packages.exportRows(1, 'nobody')).toEqual([])
  })

  it('merges newer rows, keeps newer own rows, counts conflicts and missing texts, once', async () => {
    const expected = {
      annotator: 'bo',
      rows: 6,
      merged: 2,
      unchanged: 2,
      conflicts: 2,
      missing: [
        { row: 4, contentHash: 'hash-99' },
        { row: 6, contentHash: 'hash-21' },
      ],
    }
    expect(await b.packages.merge(pkg)).toEqual({ ...expected, alreadyImported: false })
    expect(await b.packages.exportRows(1, 'bo')).toEqual([
      { contentHash: 'hash-11', labelNames: ['nein'], at: '2026-03-01T00:00:00.000Z' },
      { contentHash: 'hash-12', labelNames: ['nein'], at: '2026-03-01T00:00:00.000Z' },
      { contentHash: 'hash-13', labelNames: ['不确定'], at: '2026-02-01T00:00:00.000Z' },
    ])
    const origins = await b.all<{ text_id: number; origin: string }>(
      "SELECT text_id, origin FROM annotator_labels WHERE annotator = 'bo' ORDER BY text_id",
    )
    expect(origins).toEqual([
      { text_id: 11, origin: 'package' },
      { text_id: 12, origin: 'package' },
      { text_id: 13, origin: 'local' },
    ])
    // The gold labels were re-resolved for the texts the package changed: text 11 is a tie
    // (ana: ja, bo: nein) and gets none; text 12 follows bo (the import's reference labels agree).
    expect(
      await b.all('SELECT text_id, label_id FROM annotation_labels ORDER BY text_id, label_id'),
    ).toEqual([{ text_id: 12, label_id: 2 }])
    // The same bytes again: nothing merged, the recorded counts reported.
    expect(await b.packages.merge(pkg)).toEqual({ ...expected, alreadyImported: true })
    expect(await auditTrail(b)).toEqual(['王医生:package.import'])
    const [entry] = await b.all<{ project_id: number; details: string }>(
      'SELECT project_id, details FROM audit_log',
    )
    expect(entry!.project_id).toBe(1)
    expect(JSON.parse(entry!.details)).toEqual({
      annotator: 'bo',
      fileName: '标注包-bo.jsonl',
      packageHash: 'f'.repeat(64),
      rows: 6,
      merged: 2,
      unchanged: 2,
      conflicts: 2,
      missing: 2,
    })
    const [record] = await b.all<{ file_name: string; missing: number }>(
      'SELECT file_name, missing FROM annotation_packages',
    )
    expect(record).toEqual({ file_name: '标注包-bo.jsonl', missing: 2 })
  })
})

describe('two clients at once on PostgreSQL', () => {
  it('one token name: one client creates it, the other is refused', async () => {
    const b = await openBackend('postgres')
    const dbs = await Promise.all([1, 2].map(() => openPgDatabase(b.pgUrl!, { max: 1 })))
    try {
      const results = await Promise.allSettled(
        dbs.map((db, i) =>
          new PgApiTokensRepository(db).create(token('ward', String(i).repeat(64))),
        ),
      )
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
      expect(refused.reason).toMatchObject({
        code: 'conflict',
        message: 'A token named "ward" already exists; choose another name.',
      })
      expect(await auditTrail(b)).toEqual(['王医生:token.create'])
    } finally {
      await Promise.all(dbs.map((db) => db.close()))
      await b.close()
    }
  })

  it('one package imported by two clients: merged once, the other sees it imported', async () => {
    const b = await openBackend('postgres')
    await seed(b)
    const dbs = await Promise.all([1, 2].map(() => openPgDatabase(b.pgUrl!, { max: 1 })))
    try {
      const input = {
        projectId: 1,
        packageHash: 'e'.repeat(64),
        annotator: 'bo',
        fileName: 'bo.jsonl',
        actor: 'bo',
        rows: [{ line: 1, contentHash: 'hash-11', labelIds: [1], at: '2026-03-01T00:00:00.000Z' }],
      }
      const results = await Promise.all(dbs.map((db) => new PgPackagesRepository(db).merge(input)))
      expect(results.map((r) => r.alreadyImported).sort()).toEqual([false, true])
      expect(results.map((r) => r.merged)).toEqual([1, 1])
      expect(await auditTrail(b)).toEqual(['bo:package.import'])
      expect(await b.audit.verify()).toMatchObject({ entries: 1, intact: true })
    } finally {
      await Promise.all(dbs.map((db) => db.close()))
      await b.close()
    }
  })
})
