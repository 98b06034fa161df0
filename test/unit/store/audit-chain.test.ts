// The audit log's hash chain (issue #15 point 4): entries written through the app verify; an entry
// edited, inserted or deleted in the database directly (the newest one included) is named; a log
// written before the chain existed is linked by migration 9 and verifies.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { entryHash } from '../../../main/store/audit-chain'
import { migrations } from '../../../main/store/migrations/index'
import { openWorkspace, type Workspace } from '../../../main/store/workspace'

const homes: string[] = []
const open: Workspace[] = []
afterEach(() => {
  open.splice(0).forEach((w) => w.close())
  homes.splice(0).forEach((h) => rmSync(h, { recursive: true, force: true }))
})

function workspace(opts: Parameters<typeof openWorkspace>[1] = {}): {
  home: string
  ws: Workspace
} {
  const home = mkdtempSync(join(tmpdir(), 'cts-audit-'))
  homes.push(home)
  const ws = openWorkspace(home, opts)
  open.push(ws)
  return { home, ws }
}

/** Five entries written the way the app writes them (one of them inside a project creation). */
async function fiveEntries(ws: Workspace): Promise<void> {
  await ws.repos.projects.create({
    name: '出院小结',
    kind: 'binary',
    labels: ['健康', '疾病'],
    actor: 'dr',
  })
  for (const n of [1, 2, 3, 4]) await ws.repos.audit.write('dr', 'export', 1, { rows: n })
}

describe('the audit hash chain', () => {
  it('verifies a log written by the app', async () => {
    const { ws } = workspace()
    expect(await ws.repos.audit.verify()).toEqual({
      entries: 0,
      intact: true,
      brokenAt: null,
      reason: null,
      problem: null,
    })
    await fiveEntries(ws)
    expect(await ws.repos.audit.verify()).toEqual({
      entries: 5,
      intact: true,
      brokenAt: null,
      reason: null,
      problem: null,
    })
  })

  it('names an entry whose contents were edited', async () => {
    const { ws } = workspace()
    await fiveEntries(ws)
    ws.db.prepare(`UPDATE audit_log SET details = '{"rows":99}' WHERE id = 3`).run()
    expect(await ws.repos.audit.verify()).toMatchObject({
      intact: false,
      brokenAt: 3,
      reason: 'entry 3 was changed after it was written.',
      problem: 'changed',
    })
  })

  it('names the entry after one that was deleted, and after one that was inserted', async () => {
    const { ws } = workspace()
    await fiveEntries(ws)
    ws.db.prepare('DELETE FROM audit_log WHERE id = 2').run()
    expect(await ws.repos.audit.verify()).toMatchObject({ intact: false, brokenAt: 3 })

    const other = workspace().ws
    await fiveEntries(other)
    // A forged entry after 2, hashed exactly the way the app hashes: the next entry's link breaks.
    other.db.exec('UPDATE audit_log SET id = id + 10 WHERE id >= 3')
    const prev = other.db.prepare('SELECT hash FROM audit_log WHERE id = 2').pluck().get() as string
    const forged = {
      id: 3,
      at: '2026-12-06T00:00:00.000Z',
      actor: 'dr',
      action: 'export',
      project_id: 1,
      details: '{"rows":0}',
    }
    other.db
      .prepare(
        `INSERT INTO audit_log (id, at, actor, action, project_id, details, prev_hash, hash)
         VALUES (@id, @at, @actor, @action, @project_id, @details, @prev, @hash)`,
      )
      .run({ ...forged, prev, hash: entryHash(forged, prev) })
    expect(await other.repos.audit.verify()).toMatchObject({
      intact: false,
      brokenAt: 13,
      reason:
        'entry 13 does not follow the entry before it (an entry before it was deleted or inserted).',
      problem: 'out-of-order',
    })
  })

  it('notices the newest entry deleted, and one appended without the app', async () => {
    const { ws } = workspace()
    await fiveEntries(ws)
    ws.db.prepare('DELETE FROM audit_log WHERE id = 5').run()
    expect(await ws.repos.audit.verify()).toMatchObject({
      intact: false,
      brokenAt: 5,
      reason: 'the newest entry (5) is missing or an entry was added after it.',
      problem: 'head',
    })
    const other = workspace().ws
    await fiveEntries(other)
    other.db
      .prepare(
        `INSERT INTO audit_log (at, actor, action, project_id, details, prev_hash, hash)
         SELECT at, actor, action, project_id, details, hash, hash FROM audit_log WHERE id = 5`,
      )
      .run()
    expect(await other.repos.audit.verify()).toMatchObject({ intact: false, brokenAt: 6 })
  })

  it('links a log written before the chain (migration 9), which then verifies and detects edits', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cts-audit-'))
    homes.push(home)
    // Written as schema 8 wrote them: no links.
    const v8 = openWorkspace(home, { migrations: migrations.slice(0, 8) })
    const insert = v8.db.prepare(
      `INSERT INTO audit_log (at, actor, action, project_id, details) VALUES (?, 'dr', 'export', 1, ?)`,
    )
    for (const n of [1, 2, 3, 4, 5]) insert.run(`2026-01-0${n}T00:00:00.000Z`, `{"rows":${n}}`)
    v8.close()
    const ws = openWorkspace(home)
    open.push(ws)
    expect(await ws.repos.audit.verify()).toEqual({
      entries: 5,
      intact: true,
      brokenAt: null,
      reason: null,
      problem: null,
    })
    await ws.repos.audit.write('dr', 'export', 1, { rows: 6 })
    expect((await ws.repos.audit.verify()).entries).toBe(6)
    ws.db.prepare(`UPDATE audit_log SET actor = 'someone else' WHERE id = 1`).run()
    expect(await ws.repos.audit.verify()).toMatchObject({ intact: false, brokenAt: 1 })
  })
})
