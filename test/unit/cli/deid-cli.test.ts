// `cts deid preview`, `cts import --deidentify …`, `cts export --deidentify` and
// `cts report --deidentify` (issue #15 point 3): counts and masked examples, masked stored texts,
// masked files, and no identifier of the fixture printed or written anywhere.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openWorkspace } from '../../../main/store/workspace'
import { RunsService } from '../../../main/services/runs-service'
import { ctsInProcess } from './cts-in-process'
import { REPO_ROOT } from './cts-process'

const FIXTURE = join(REPO_ROOT, 'test/fixtures/deid-import/notes-phi.csv')
const RAW_PHI = [
  '13812345678',
  '13912345678',
  '13987654321',
  'li.wei@example.com',
  'chen.min@example.org',
  '440304198506141231',
]

let home: string
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'cts-deid-cli-'))
})
afterAll(() => rmSync(home, { recursive: true, force: true }))

const cts = (args: string[]) => ctsInProcess(home, args)

/** A finished run with test predictions whose label names are `labels` (a label may hold PHI). */
async function finishedRunWithLabels(labels: string[]): Promise<number> {
  const ws = openWorkspace(home)
  try {
    const runs = new RunsService(ws.repos, ws.runsDir)
    const runId = await runs.create({
      modelKind: 'baseline',
      baseModel: 'baseline',
      labels,
      config: {},
      dataHash: 'sha256:deid',
      seed: 1,
    })
    const test = { texts: ['a', 'b', 'c', 'd'], labels: [0, 1, 0, 1] }
    runs.writeArtifact(runId, 'dataset.json', JSON.stringify({ train: test, test }))
    const probs = [
      [0.9, 0.1],
      [0.2, 0.8],
      [0.6, 0.4],
      [0.4, 0.6],
    ]
    const predictions = {
      split: 'test',
      yTrue: test.labels,
      probs,
      textIds: [null, null, null, null],
    }
    runs.writeArtifact(runId, 'test-predictions.json', JSON.stringify(predictions))
    await runs.finish(runId, { status: 'success', provider: 'cpu', trainSeconds: 1 })
    return runId
  } finally {
    ws.close()
  }
}
const noPhi = (text: string) => RAW_PHI.filter((raw) => text.includes(raw))

describe('cts deid preview', () => {
  it('prints counts per kind and masked examples', async () => {
    const run = await cts(['deid', 'preview', FIXTURE, '--text-column', 'text'])
    expect(run.code).toBe(0)
    expect(run.stderr).toBe('')
    expect(run.stdout).toBe(
      [
        'De-identification: 5 of 6 texts hold PHI.',
        '  NAME       0',
        '  PHONE      3',
        '  ID_NUMBER  1',
        '  MRN        0',
        '  INSURANCE  0',
        '  EMAIL      2',
        '  URL        0',
        '  IP         0',
        '  DATE       0',
        '  AGE        0',
        '  ADDRESS    0',
        'Examples (masked):',
        '  PHONE      咳嗽三天，联系电话 [PHONE]。',
        '  PHONE      Chest pain at rest, call [PHONE] or write to [EMAIL].',
        '  ID_NUMBER  身份证号 [ID_NUMBER]，血压正常。',
        '  EMAIL      Fever resolved; reach the patient at [EMAIL] for follow-up.',
        '  EMAIL      … pain at rest, call [PHONE] or write to [EMAIL].',
        '',
      ].join('\n'),
    )
  })

  it('--json with --deid-types counts only those kinds', async () => {
    const run = await cts([
      'deid',
      'preview',
      FIXTURE,
      '--text-column',
      'text',
      '--deid-types',
      'email,ID_NUMBER',
      '--json',
    ])
    expect(run.code).toBe(0)
    const out = JSON.parse(run.stdout) as { counts: Record<string, number>; textsWithPhi: number }
    expect(out.counts).toMatchObject({ EMAIL: 2, ID_NUMBER: 1, PHONE: 0 })
    expect(out.textsWithPhi).toBe(3)
    // Phones were not asked for, so an example may show one; the kinds asked for never appear.
    expect(noPhi(run.stdout).filter((raw) => !/^1\d{10}$/.test(raw))).toEqual([])
  })
})

describe('cts import / export / report --deidentify', () => {
  it('stores masked texts, exports and reports them masked', async () => {
    expect((await cts(['project', 'create', 'Notes', '--kind', 'binary'])).code).toBe(0)
    const imported = await cts(['import', FIXTURE, '--project', 'Notes', '--deidentify'])
    expect(imported).toEqual({
      code: 0,
      stdout:
        'Imported 5 texts into "Notes" (1 duplicates skipped, 0 rows rejected).\n' +
        'De-identified before storing: 5 of 6 texts held PHI; masked PHONE 3, ID_NUMBER 1, EMAIL 2.\n',
      stderr: '',
    })
    const ws = openWorkspace(home)
    try {
      const texts = ws.db.prepare('SELECT text FROM texts ORDER BY id').all() as { text: string }[]
      expect(texts.map((t) => t.text)).toContain('身份证号 [ID_NUMBER]，血压正常。')
      expect(noPhi(JSON.stringify(texts))).toEqual([])
      const audit = ws.db
        .prepare("SELECT details FROM audit_log WHERE action = 'deid.import'")
        .all() as { details: string }[]
      expect(JSON.parse(audit[0].details).counts).toMatchObject({ PHONE: 3, EMAIL: 2 })
    } finally {
      ws.close()
    }

    // A second, plain import of the same file; the de-identified export masks it on the way out.
    expect((await cts(['project', 'create', 'Plain', '--kind', 'binary'])).code).toBe(0)
    expect((await cts(['import', FIXTURE, '--project', 'Plain'])).code).toBe(0)
    const out = join(home, 'plain-masked.csv')
    const exported = await cts(['export', '--project', 'Plain', '--out', out, '--deidentify'])
    expect(exported.stdout).toBe(`Exported 6 de-identified texts from "Plain" to ${out}\n`)
    const csv = readFileSync(out, 'utf8')
    expect(noPhi(csv)).toEqual([])
    expect(csv).toContain('Chest pain at rest, call [PHONE] or write to [EMAIL].')
  })

  it('--deidentify masks the report', async () => {
    const runId = await finishedRunWithLabels(['健康', 'mail chen.min@example.org'])
    const out = join(home, 'r.html')
    const run = await cts(['report', '--run', String(runId), '--out', out, '--deidentify'])
    expect(run).toEqual({
      code: 0,
      stdout: `Report for run ${runId} written to ${out} (${readFileSync(out).length} bytes).\n`,
      stderr: '',
    })
    const html = readFileSync(out, 'utf8')
    expect(html).toContain(`Run #${runId}`)
    expect(html).toContain('mail [EMAIL]')
    expect(html).not.toContain('chen.min@example.org')
  })

  it('a bad --deid-mrn names the flag and imports nothing', async () => {
    expect((await cts(['project', 'create', 'Empty', '--kind', 'binary'])).code).toBe(0)
    const run = await cts(['import', FIXTURE, '--project', 'Empty', '--deid-mrn', 'MRN(\\d+'])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain('--deid-mrn "MRN(\\d+" is not a valid regular expression')
    const list = await cts(['project', 'list', '--json'])
    const empty = (JSON.parse(list.stdout) as { name: string; textCount?: number }[]).find(
      (p) => p.name === 'Empty',
    )
    expect(empty).toBeDefined()
    const ws = openWorkspace(home)
    try {
      const n = ws.db
        .prepare(
          "SELECT count(*) AS n FROM texts t JOIN projects p ON p.id = t.project_id WHERE p.name = 'Empty'",
        )
        .get() as { n: number }
      expect(n.n).toBe(0)
    } finally {
      ws.close()
    }
  })
})
