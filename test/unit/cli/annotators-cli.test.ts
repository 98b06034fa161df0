// `cts annotators [--use NAME] [--json]` and `cts import --annotator NAME` (issue #12 point 1):
// profiles listed and switched from the command line; a file's labels recorded as NAME's.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openWorkspace } from '../../../main/store/workspace'
import { ctsInProcess } from './cts-in-process'

let home: string
let fileLi: string
let fileWang: string

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'cts-annotators-'))
  // The same three notes labelled by two annotators; they disagree on the second.
  fileLi = join(home, 'li.csv')
  writeFileSync(
    fileLi,
    'text,label\n患者胸痛三天，伴出汗。,疾病\nRoutine check-up; no complaints.,健康\n咳嗽发热一周。,疾病\n',
  )
  fileWang = join(home, 'wang.csv')
  writeFileSync(
    fileWang,
    'text,label\n患者胸痛三天，伴出汗。,疾病\nRoutine check-up; no complaints.,疾病\n咳嗽发热一周。,疾病\n',
  )
})
afterAll(() => rmSync(home, { recursive: true, force: true }))

const cts = (args: string[]) => ctsInProcess(home, args)

/** annotator_labels of the workspace: text, annotator, label names. */
function rowsByName(): { text: number; annotator: string; labels: string[] }[] {
  const ws = openWorkspace(home)
  try {
    const names = new Map(
      (ws.db.prepare('SELECT id, name FROM labels').all() as { id: number; name: string }[]).map(
        (l) => [l.id, l.name],
      ),
    )
    return (
      ws.db
        .prepare(
          'SELECT text_id AS text, annotator, label_ids AS ids FROM annotator_labels ORDER BY text_id, annotator',
        )
        .all() as { text: number; annotator: string; ids: string }[]
    ).map((r) => ({
      text: r.text,
      annotator: r.annotator,
      labels: (JSON.parse(r.ids) as number[]).map((id) => names.get(id)!),
    }))
  } finally {
    ws.close()
  }
}

describe('cts annotators', () => {
  it('lists no profile at first, then switches with --use and marks the current one', async () => {
    const first = await cts(['annotators'])
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(
      /^No profile chosen yet: labels are recorded as ".+" \(the system user\)\./,
    )
    expect(first.stdout).toContain('No annotators yet.')
    const json = JSON.parse((await cts(['annotators', '--json'])).stdout)
    expect(json).toMatchObject({ current: null, profiles: [] })
    expect(typeof json.osUser).toBe('string')

    const used = await cts(['annotators', '--use', 'Dr Li'])
    expect(used.code).toBe(0)
    expect(used.stdout.split('\n')[0]).toBe('Labels are now recorded as "Dr Li".')
    expect(used.stdout).toMatch(
      /^\* Dr Li\t0 labelled text\(s\)\tprofile since \d{4}-\d{2}-\d{2}$/m,
    )
    await cts(['annotators', '--use', '王医生'])
    const after = JSON.parse((await cts(['annotators', '--json'])).stdout)
    expect(after.current).toBe('王医生')
    expect(after.profiles.map((p: { name: string }) => p.name)).toEqual(['Dr Li', '王医生'])
    const lines = (await cts(['annotators'])).stdout
    expect(lines).toMatch(/^ {2}Dr Li\t/m)
    expect(lines).toMatch(/^\* 王医生\t/m)
  })
})

describe('cts import --annotator', () => {
  it('records the file’s labels as NAME’s; a second annotator’s file keeps both', async () => {
    expect((await cts(['project', 'create', 'Notes', '--kind', 'binary'])).code).toBe(0)
    const li = await cts(['import', fileLi, '--project', 'Notes', '--annotator', 'Dr Li'])
    expect(li.code).toBe(0)
    expect(li.stdout).toContain('Imported 3 texts into "Notes"')
    expect(li.stdout).toContain('The file\'s labels are recorded as "Dr Li"\'s.')
    const wang = await cts([
      'import',
      fileWang,
      '--project',
      'Notes',
      '--annotator',
      '王医生',
      '--json',
    ])
    expect(wang.code).toBe(0)
    expect(JSON.parse(wang.stdout)).toMatchObject({
      annotator: '王医生',
      imported: 0,
      duplicates: 3,
    })
    expect(rowsByName()).toEqual([
      { text: 1, annotator: 'Dr Li', labels: ['疾病'] },
      { text: 1, annotator: '王医生', labels: ['疾病'] },
      { text: 2, annotator: 'Dr Li', labels: ['健康'] },
      { text: 2, annotator: '王医生', labels: ['疾病'] },
      { text: 3, annotator: 'Dr Li', labels: ['疾病'] },
      { text: 3, annotator: '王医生', labels: ['疾病'] },
    ])
    // The agreement figures are between the two named annotators.
    const agreement = await cts(['agreement', '--project', 'Notes', '--json'])
    expect(agreement.code).toBe(0)
    expect(JSON.parse(agreement.stdout)).toMatchObject({
      annotators: ['Dr Li', '王医生'],
      disagreements: 1,
    })
    const profiles = JSON.parse((await cts(['annotators', '--json'])).stdout).profiles
    expect(
      profiles.map((p: { name: string; annotations: number }) => [p.name, p.annotations]),
    ).toEqual([
      ['Dr Li', 3],
      ['王医生', 3],
    ])
  })

  it('without --annotator keeps the file’s labels as reference labels (nobody named)', async () => {
    expect((await cts(['project', 'create', 'Plain', '--kind', 'binary'])).code).toBe(0)
    expect((await cts(['import', fileLi, '--project', 'Plain'])).code).toBe(0)
    expect(rowsByName().filter((r) => r.text > 3)).toEqual([
      { text: 4, annotator: '', labels: ['疾病'] },
      { text: 5, annotator: '', labels: ['健康'] },
      { text: 6, annotator: '', labels: ['疾病'] },
    ])
    // Reference labels are nobody's, but a text nobody must label twice that has a gold label is
    // done: the queue offers a named annotator nothing here (one annotator as before #12).
    const queue = async (extra: string[]) =>
      JSON.parse(
        (
          await cts([
            'next',
            '--project',
            'Plain',
            '--strategy',
            'random',
            '--n',
            '5',
            '--json',
            ...extra,
          ])
        ).stdout,
      ).texts.map((t: { id: number }) => t.id)
    expect(await queue([])).toEqual([])
    expect(await queue(['--annotator', 'Dr Li'])).toEqual([])
  })
})
