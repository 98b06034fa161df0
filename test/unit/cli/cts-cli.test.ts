// `cts` end to end: spawns node bin/cts.mjs in temporary workspaces and checks exit codes,
// stdout (JSON with --json) and the one-line messages on stderr.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import type { ImportResultDto, ProjectDto } from '../../../preload/contract'

const FIXTURES = 'test/fixtures/cli'
const homes: string[] = []

function newHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'cts-cli-'))
  homes.push(home)
  return home
}

function cts(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['bin/cts.mjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, CTS_HOME: '', ...env },
    timeout: 60_000,
  })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true })
})

describe('cts project', () => {
  it('creates a binary project (健康/疾病) and prints it as JSON', () => {
    const home = newHome()
    const run = cts(['--home', home, 'project', 'create', 'Cardiology 心内科', '--json'])
    expect(run).toMatchObject({ code: 0, stderr: '' })
    const project = JSON.parse(run.stdout) as ProjectDto
    expect([project.name, project.kind, project.textCount]).toEqual([
      'Cardiology 心内科',
      'binary',
      0,
    ])
    expect(project.labels.map((l) => l.name)).toEqual(['健康', '疾病'])
  })

  it('takes the workspace from CTS_HOME and lists projects, with --labels for multi-class', () => {
    const home = newHome()
    const created = cts(
      ['project', 'create', 'Triage', '--kind', 'multiclass', '--labels', 'cardio, resp,neuro'],
      {
        CTS_HOME: home,
      },
    )
    expect(created.code).toBe(0)
    expect(created.stdout).toMatch(
      /^Created project "Triage" \(id \d+, multiclass\) with labels: cardio, resp, neuro\n$/,
    )
    const listed = cts(['project', 'list', '--json', '--home', home])
    expect(listed.code).toBe(0)
    const projects = JSON.parse(listed.stdout) as ProjectDto[]
    expect(projects.map((p) => [p.name, p.labels.map((l) => l.name)])).toEqual([
      ['Triage', ['cardio', 'resp', 'neuro']],
    ])
  })

  it('exits 2 with one specific message for a duplicate or empty name, and for bad usage', () => {
    const home = newHome()
    expect(cts(['--home', home, 'project', 'create', 'Notes']).code).toBe(0)
    const duplicate = cts(['--home', home, 'project', 'create', 'Notes'])
    expect(duplicate.code).toBe(2)
    expect(duplicate.stdout).toBe('')
    expect(duplicate.stderr.trim().split('\n')).toHaveLength(1)
    expect(duplicate.stderr).toMatch(/^Error: .*"Notes".*exists/)
    const empty = cts(['--home', home, 'project', 'create', '  '])
    expect(empty.code).toBe(2)
    expect(empty.stderr).toMatch(/^Error: Invalid arguments for projects\/create: name: /)
    const badKind = cts(['--home', home, 'project', 'create', 'X', '--kind', 'ternary'])
    expect(badKind.code).toBe(2)
    expect(badKind.stderr).toContain("error: option '--kind <kind>' argument 'ternary' is invalid")
    expect(cts(['--home', home, 'frobnicate']).code).toBe(2)
  })
})

describe('cts import and export', () => {
  it('imports with the suggested mapping and prints one JSON object with counts and rejected rows', () => {
    const home = newHome()
    expect(
      cts([
        '--home',
        home,
        'project',
        'create',
        'Notes',
        '--kind',
        'multiclass',
        '--labels',
        '疾病',
      ]).code,
    ).toBe(0)
    const run = cts([
      '--home',
      home,
      'import',
      join(FIXTURES, 'notes.csv'),
      '--project',
      'Notes',
      '--json',
    ])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout.trim().split('\n')).toHaveLength(1)
    const result = JSON.parse(run.stdout) as ImportResultDto & { mapping: object }
    expect(result.mapping).toEqual({ text: 'text', label: 'label', id: 'id', group: 'patient' })
    expect([result.imported, result.duplicates, result.rejected]).toEqual([3, 1, 1])
    expect(result.rejectedRows.map((r) => r.row)).toEqual([4])
    expect(result.labelsAdded).toEqual(['健康'])

    const out = join(home, 'notes.jsonl')
    const exported = cts(['--home', home, 'export', '--project', 'Notes', '--out', out])
    expect(exported).toMatchObject({ code: 0, stdout: `Exported 3 texts from "Notes" to ${out}\n` })
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines.map((l) => l.text)).toEqual([
      '患者胸痛三天，伴出汗。',
      'Routine check-up; no complaints.',
      '咳嗽两周 cough for two weeks',
    ])
  })

  it('uses the column flags, finds the project by id, and prints a readable summary', () => {
    const home = newHome()
    const project = JSON.parse(
      cts([
        '--home',
        home,
        'project',
        'create',
        'Flu',
        '--kind',
        'multiclass',
        '--labels',
        'flu',
        '--json',
      ]).stdout,
    ) as ProjectDto
    const run = cts([
      '--home',
      home,
      'import',
      join(FIXTURES, 'notes-custom.tsv'),
      '--project',
      String(project.id),
      '--text-col',
      'Body',
      '--label-col',
      'Tag',
      '--id-col',
      'Ref',
    ])
    expect(run.code).toBe(0)
    expect(run.stdout).toBe(
      'Imported 2 texts into "Flu" (0 duplicates skipped, 0 rows rejected).\nLabels added: normal\n',
    )
  })

  it('exits 2 with a specific message for a missing file, project, column or export format', () => {
    const home = newHome()
    expect(cts(['--home', home, 'project', 'create', 'Notes']).code).toBe(0)
    const csv = join(FIXTURES, 'notes.csv')
    const cases: [string[], RegExp][] = [
      [
        ['import', join(home, 'missing.csv'), '--project', 'Notes'],
        /^Error: File not found: .*missing\.csv\n$/,
      ],
      [
        ['import', csv, '--project', 'Nope'],
        /^Error: No project "Nope" in .*\. Projects: "Notes" \(1\)\.\n$/,
      ],
      [
        ['import', csv, '--project', 'Notes', '--label-col', 'dx'],
        /^Error: --label-col "dx" is not a column of this file\. Columns: id, text, label, patient\.\n$/,
      ],
      [
        ['export', '--project', 'Notes', '--out', join(home, 'x.txt')],
        /^Error: --out must end in \.csv, \.xlsx or \.jsonl: cannot export to "\.txt"\.\n$/,
      ],
    ]
    for (const [args, message] of cases) {
      const run = cts(['--home', home, ...args])
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: '' })
      expect(run.stderr).toMatch(message)
    }
    expect(existsSync(join(home, 'x.txt'))).toBe(false)
  })

  it('passes --encoding and --sheet through to the importer', async () => {
    const home = newHome()
    expect(cts(['--home', home, 'project', 'create', 'Wards']).code).toBe(0)
    const gbk = join(home, 'notes-gbk.csv')
    writeFileSync(gbk, iconv.encode('text,label\n患者发热咳嗽,疾病\n', 'gb18030'))
    const workbook = new ExcelJS.Workbook()
    workbook.addWorksheet('Ward A').addRows([
      ['text', 'label'],
      ['不应导入 not this sheet', '健康'],
    ])
    workbook.addWorksheet('Ward B').addRows([
      ['text', 'label'],
      ['查体未见异常 normal exam', '健康'],
    ])
    const xlsx = join(home, 'wards.xlsx')
    await workbook.xlsx.writeFile(xlsx)

    const fromGbk = cts([
      '--home',
      home,
      'import',
      gbk,
      '--project',
      'Wards',
      '--encoding',
      'gb18030',
      '--json',
    ])
    expect(fromGbk.stderr).toBe('')
    expect(JSON.parse(fromGbk.stdout)).toMatchObject({
      encoding: 'gb18030',
      imported: 1,
      rejected: 0,
    })
    const fromSheet = cts([
      '--home',
      home,
      'import',
      xlsx,
      '--project',
      'Wards',
      '--sheet',
      'Ward B',
      '--json',
    ])
    expect(JSON.parse(fromSheet.stdout)).toMatchObject({
      format: 'xlsx',
      sheet: 'Ward B',
      imported: 1,
      rejected: 0,
    })

    const out = join(home, 'wards.jsonl')
    expect(cts(['--home', home, 'export', '--project', 'Wards', '--out', out]).code).toBe(0)
    const texts = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { text: string }).text)
    expect(texts).toEqual(['患者发热咳嗽', '查体未见异常 normal exam'])
  })
})
