// `cts audit list` (issue #15 point 4) over a log the app wrote through the CLI — import, a file
// prediction, a model export and a report by the current profile — filtered by action, actor,
// project and days, as lines, as JSON, and as a CSV file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ctsInProcess, writeFinishedBaselineRun } from './cts-in-process'

let home: string
const cts = (args: string[]) => ctsInProcess(home, args)
const ok = async (args: string[]) => {
  const r = await cts(args)
  expect(r.stderr.includes('Error') ? r.stderr : '').toBe('')
  expect(r.code).toBe(0)
  return r.stdout
}
const listed = async (args: string[]) =>
  JSON.parse(await ok(['audit', 'list', '--json', ...args])) as {
    total: number
    entries: {
      id: number
      actor: string
      action: string
      projectName: string | null
      details: Record<string, unknown>
    }[]
  }

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'cts-audit-list-cli-'))
  const file = join(home, 'notes.csv')
  writeFileSync(file, 'text,label\n患者胸痛三天。,疾病\nRoutine check-up.,健康\n')
  await ok(['project', 'create', '门诊', '--kind', 'binary'])
  await ok(['import', file, '--project', '门诊'])
  await ok(['annotators', '--use', 'Dr Li'])
  // Run 1: a finished baseline run (not from the project), so predict, export-model and report work.
  await writeFinishedBaselineRun(home, 'sha256:audit')
  await ok(['predict', '--run', '1', '--in', file, '--out', join(home, 'pred.csv')])
  await ok(['export-model', '--run', '1', '--out', join(home, 'model')])
}, 120_000)
afterAll(() => rmSync(home, { recursive: true, force: true }))

describe('cts audit list', () => {
  it('lists newest first; the CLI actions are recorded as the current profile', async () => {
    const all = await listed([])
    expect(all.total).toBe(5)
    expect(all.entries.map((e) => [e.id, e.actor, e.action])).toEqual([
      [5, 'Dr Li', 'model.export'],
      [4, 'Dr Li', 'predict'],
      [3, expect.any(String), 'annotator.use'],
      [2, expect.any(String), 'import'],
      [1, expect.any(String), 'project.create'],
    ])
    expect(all.entries[1].details).toEqual({
      runId: 1,
      texts: 2,
      skipped: 0,
      input: 'notes.csv',
      output: 'pred.csv',
      format: 'csv',
    })
    expect(all.entries[0].details).toMatchObject({ runId: 1, fileName: 'model', files: 5 })
    expect(JSON.stringify(all)).not.toContain('患者胸痛')
  })

  it('filters by action (repeated or comma-separated), actor, project and days', async () => {
    const ids = async (args: string[]) => (await listed(args)).entries.map((e) => e.id)
    expect(await ids(['--action', 'predict,model.export'])).toEqual([5, 4])
    expect(await ids(['--action', 'import', '--action', 'predict'])).toEqual([4, 2])
    expect(await ids(['--actor', 'Dr Li'])).toEqual([5, 4])
    expect(await ids(['--project', '门诊'])).toEqual([2, 1])
    expect(await ids(['--since', '2000-01-01', '--until', '2000-12-31'])).toEqual([])
    const today = new Date()
    const day = [today.getFullYear(), today.getMonth() + 1, today.getDate()]
      .map((n) => String(n).padStart(2, '0'))
      .join('-')
    expect(await ids(['--since', day, '--until', day, '--limit', '2'])).toEqual([5, 4])
    expect((await listed(['--limit', '2'])).total).toBe(5)
  })

  it('prints one line per entry, and says when more match than shown', async () => {
    const lines = (await ok(['audit', 'list', '--project', '门诊', '--limit', '1'])).split('\n')
    expect(lines[0]).toMatch(
      /^#2 {2}\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} {2}\S.* {2}import {2}门诊 {2}\{/,
    )
    expect(lines[1]).toBe('(1 of 2; --limit shows more)')
    expect(await ok(['audit', 'list', '--actor', 'nobody'])).toBe('No audit entries match.\n')
  })

  it('writes the filtered log as CSV, oldest first', async () => {
    const out = join(home, 'audit.csv')
    expect(await ok(['audit', 'list', '--action', 'predict,import', '--csv', out])).toBe(
      `Wrote 2 audit entries → ${out}\n`,
    )
    const rows = parse(readFileSync(out, 'utf8').slice(1), { columns: true }) as Record<
      string,
      string
    >[]
    expect(rows.map((r) => [r.id, r.action, r.project])).toEqual([
      ['2', 'import', '门诊'],
      ['4', 'predict', ''],
    ])
    expect(rows[1].hash).toMatch(/^[0-9a-f]{64}$/)
    expect((await ok(['audit', 'verify'])).startsWith('Audit log intact: 5 entries')).toBe(true)
  })
})
