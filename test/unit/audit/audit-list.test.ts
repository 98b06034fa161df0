// 'audit/list' and 'audit/export-csv' (issue #15 point 4): filters by action, actor, project, dates
// and words in the details, newest first with paging and a total; the same filter as a CSV whose
// fields are quoted and formula-safe, with each entry's hash.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { AuditService, csvField } from '../../../main/services/audit-service'
import { openWorkspace, type Workspace } from '../../../main/store/workspace'
import { viaDispatch } from '../services/call-helpers'

let home: string
let ws: Workspace
/** The audit calls through the dispatch boundary (arguments validated, defaults filled). */
const auditCalls = (w: Workspace) => viaDispatch(new AuditService(w.repos).handlers())
let audit: ReturnType<typeof auditCalls>
let ward: number
let clinic: number

/** Writes one entry at a fixed time. */
async function at(
  iso: string,
  actor: string,
  action: Parameters<Workspace['repos']['audit']['write']>[1],
  projectId: number | null,
  details: Record<string, unknown>,
) {
  vi.setSystemTime(new Date(iso))
  await ws.repos.audit.write(actor, action, projectId, details)
}

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] })
  home = mkdtempSync(join(tmpdir(), 'cts-audit-list-'))
  ws = openWorkspace(home)
  audit = auditCalls(ws)
  vi.setSystemTime(new Date('2026-12-01T08:00:00Z'))
  const create = async (name: string) => {
    const r = await ws.repos.projects.create({
      name,
      kind: 'binary',
      labels: ['健康', '疾病'],
      actor: 'dr-li',
    })
    if (r === 'name-taken') throw new Error(name)
    return r.projectId
  }
  ward = await create('心内科 ward')
  clinic = await create('Clinic')
  await at('2026-12-02T09:00:00Z', 'dr-li', 'import', ward, { fileName: 'notes.csv', rows: 40 })
  await at('2026-12-03T10:00:00Z', 'nurse-zhang', 'label.set', ward, { textId: 3, labelId: 1 })
  await at('2026-12-04T11:00:00Z', 'dr-li', 'export', clinic, {
    format: 'csv',
    rows: 12,
    fileName: '=cmd|"x",\n门诊.csv',
  })
  await at('2026-12-05T23:59:59.500Z', 'dr-li', 'train', ward, { event: 'started', runId: 1 })
  await at('2026-12-06T00:00:00Z', 'dr-li', 'train', ward, { event: 'completed', runId: 1 })
  vi.useRealTimers()
})
afterAll(() => {
  ws.close()
  rmSync(home, { recursive: true, force: true })
})

const ids = (r: { entries: { id: number }[] }) => r.entries.map((e) => e.id)

describe('audit/list', () => {
  it('lists newest first with the project name, details, hash and everyone named', async () => {
    const r = await audit['audit/list']({})
    expect(ids(r)).toEqual([7, 6, 5, 4, 3, 2, 1])
    expect(r).toMatchObject({ total: 7, offset: 0, limit: 50, actors: ['dr-li', 'nurse-zhang'] })
    expect(r.entries[3]).toEqual({
      id: 4,
      at: '2026-12-03T10:00:00.000Z',
      actor: 'nurse-zhang',
      action: 'label.set',
      projectId: ward,
      projectName: '心内科 ward',
      details: { textId: 3, labelId: 1 },
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    })
  })

  it('filters by actions, actor, project and words in the details, combined', async () => {
    expect(ids(await audit['audit/list']({ actions: ['train', 'export'] }))).toEqual([7, 6, 5])
    expect(ids(await audit['audit/list']({ actor: 'nurse-zhang' }))).toEqual([4])
    expect(ids(await audit['audit/list']({ projectId: clinic }))).toEqual([5, 2])
    expect(ids(await audit['audit/list']({ search: 'COMPLETED' }))).toEqual([7])
    expect(ids(await audit['audit/list']({ search: '门诊' }))).toEqual([5])
    // % and _ are words, not wildcards.
    expect(ids(await audit['audit/list']({ search: '%' }))).toEqual([])
    expect(
      ids(await audit['audit/list']({ actions: ['train'], actor: 'dr-li', search: 'started' })),
    ).toEqual([6])
  })

  it('takes a day as the whole day and a time as that instant', async () => {
    expect(ids(await audit['audit/list']({ from: '2026-12-03', to: '2026-12-05' }))).toEqual([
      6, 5, 4,
    ])
    expect(ids(await audit['audit/list']({ from: '2026-12-06' }))).toEqual([7])
    expect(
      ids(await audit['audit/list']({ to: '2026-12-05T23:59:59Z', from: '2026-12-05T00:00:00Z' })),
    ).toEqual([])
    expect(ids(await audit['audit/list']({ from: '2026-12-04T19:00:00+08:00' }))).toEqual([7, 6, 5])
  })

  it('pages with offset and limit; the total counts every match', async () => {
    const page = await audit['audit/list']({ offset: 2, limit: 2 })
    expect(ids(page)).toEqual([5, 4])
    expect(page).toMatchObject({ total: 7, offset: 2, limit: 2 })
    expect(ids(await audit['audit/list']({ offset: 7 }))).toEqual([])
  })

  it('refuses unknown actions, bad dates and oversized pages with messages', async () => {
    await expect(audit['audit/list']({ actions: ['label.eat' as 'train'] })).rejects.toMatchObject({
      code: 'bad-input',
    })
    await expect(audit['audit/list']({ from: 'yesterday' })).rejects.toMatchObject({
      code: 'bad-input',
      message: expect.stringMatching(/2026-12-06/),
    })
    await expect(audit['audit/list']({ to: '2026-02-30' })).rejects.toMatchObject({
      code: 'bad-input',
    })
    await expect(audit['audit/list']({ limit: 501 })).rejects.toMatchObject({ code: 'bad-input' })
  })
})

describe('audit/export-csv', () => {
  it('writes the filtered log oldest first with quoted, formula-safe fields and hashes', async () => {
    const path = join(home, 'audit.csv')
    const r = await audit['audit/export-csv']({ actor: 'dr-li', path })
    expect(r).toEqual({ rows: 6, path, fileName: 'audit.csv' })
    const text = readFileSync(path, 'utf8')
    expect(
      text.startsWith('\uFEFFid,at,actor,action,project_id,project,details,prev_hash,hash\r\n'),
    ).toBe(true)
    const table = parse(text.slice(1), { columns: true }) as Record<string, string>[]
    expect(table.map((row) => row.id)).toEqual(['1', '2', '3', '5', '6', '7'])
    const exported = table[3]
    expect(exported).toMatchObject({
      at: '2026-12-04T11:00:00.000Z',
      actor: 'dr-li',
      action: 'export',
      project_id: String(clinic),
      project: 'Clinic',
    })
    expect(JSON.parse(exported.details)).toEqual({
      format: 'csv',
      rows: 12,
      fileName: '=cmd|"x",\n门诊.csv',
    })
    // The chain can be followed in the file: each entry names its predecessor's hash.
    for (let i = 1; i < table.length; i++) expect(table[i].hash).toMatch(/^[0-9a-f]{64}$/)
    const listed = await audit['audit/list']({})
    expect(table[3].hash).toBe(listed.entries.find((e) => e.id === 5)!.hash)
    expect(table[3].prev_hash).toBe(listed.entries.find((e) => e.id === 4)!.hash)
  })

  it('returns the bytes when no path is given', async () => {
    const r = await audit['audit/export-csv']({ actions: ['label.set'] })
    expect(r.fileName).toMatch(/^audit-log-\d{4}-\d{2}-\d{2}\.csv$/)
    expect(r.rows).toBe(1)
    const text = Buffer.from(r.contentBase64!, 'base64').toString('utf8')
    expect(text.split('\r\n')).toHaveLength(3)
    expect(text).toContain(',nurse-zhang,label.set,')
  })

  it('quotes commas, quotes and line breaks, and defuses formulas', () => {
    expect(csvField('plain')).toBe('plain')
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField('two\nlines')).toBe('"two\nlines"')
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)")
    expect(csvField('+1')).toBe("'+1")
    expect(csvField('-2')).toBe("'-2")
    expect(csvField('@x')).toBe("'@x")
    expect(csvField(-2)).toBe('-2')
    expect(csvField(null)).toBe('')
  })

  it('refuses a folder that does not exist with a message naming the file', async () => {
    await expect(
      audit['audit/export-csv']({ path: join(home, 'no-such-dir', 'audit.csv') }),
    ).rejects.toMatchObject({ code: 'bad-input', message: expect.stringMatching(/audit\.csv/) })
  })
})
