// `cts package export` in one workspace and `cts package import` in another (same texts in both):
// the summary lines, --json, a second import that changes nothing, and a refused package.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { boot } from '../../../main/root/boot'
import { ctsInProcess } from './cts-in-process'
import { REPO_ROOT } from './cts-process'

const FIXTURES = join(REPO_ROOT, 'test/fixtures/packages')
const NOTES = join(FIXTURES, 'notes.csv')
const HASH_ELSEWHERE = '7423f2156bef1f4ceea3f55ce54748cbbbf043ccd9b32864314c53b00ebda11c'

let homeA: string
let homeB: string

/** A workspace with the binary project "Notes" holding the five bilingual fixture notes. */
async function notesWorkspace(prefix: string): Promise<string> {
  const home = mkdtempSync(join(tmpdir(), prefix))
  expect((await ctsInProcess(home, ['project', 'create', 'Notes'])).code).toBe(0)
  expect((await ctsInProcess(home, ['import', NOTES, '--project', 'Notes'])).code).toBe(0)
  return home
}

beforeAll(async () => {
  homeA = await notesWorkspace('cts-pkg-a-')
  homeB = await notesWorkspace('cts-pkg-b-')
  // Dr Li labels two texts in A (疾病 then 健康), through the contract like the window does.
  const backend = await boot({ home: homeA, actor: 'tester' })
  try {
    const call = async (name: string, args: unknown) => {
      const e = await backend.dispatch(name, args, { log: () => {} })
      if (!e.ok) throw new Error(e.error.message)
      return e.value
    }
    const project = (await call('projects/get', { projectId: 1 })) as {
      labels: { id: number; name: string }[]
    }
    const id = (name: string) => project.labels.find((l) => l.name === name)!.id
    const texts = (await call('texts/list', { projectId: 1, offset: 0, limit: 10 })) as {
      rows: { id: number }[]
    }
    await call('labels/set', {
      textId: texts.rows[0].id,
      labelIds: [id('疾病')],
      annotator: 'Dr Li',
    })
    await call('labels/set', {
      textId: texts.rows[2].id,
      labelIds: [id('健康')],
      annotator: 'Dr Li',
    })
  } finally {
    await backend.shutdown()
  }
}, 60_000)
afterAll(() => {
  for (const home of [homeA, homeB]) rmSync(home, { recursive: true, force: true })
})

describe('cts package', () => {
  it("exports Dr Li's labels from A and merges them into B once", async () => {
    const out = join(homeA, 'li.jsonl')
    const exported = await ctsInProcess(homeA, [
      'package',
      'export',
      '--project',
      'Notes',
      '--annotator',
      'Dr Li',
      '--out',
      out,
    ])
    expect(exported).toEqual({
      code: 0,
      stdout: `Exported 2 annotations from "Notes" to ${out}\n`,
      stderr: '',
    })
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(3)

    const imported = await ctsInProcess(homeB, ['package', 'import', out, '--project', 'Notes'])
    expect(imported).toEqual({
      code: 0,
      stdout:
        'Imported 2 annotations by Dr Li into "Notes": 2 merged, 0 unchanged, 0 differ from ' +
        "another annotator (kept as Dr Li's own), 0 texts not in this project.\n",
      stderr: '',
    })

    const again = await ctsInProcess(homeB, [
      'package',
      'import',
      out,
      '--project',
      'Notes',
      '--json',
    ])
    expect(again.code).toBe(0)
    expect(JSON.parse(again.stdout)).toEqual({
      project: 'Notes',
      annotator: 'Dr Li',
      rows: 2,
      merged: 2,
      unchanged: 0,
      conflicts: 0,
      missing: [],
      alreadyImported: true,
    })
  })

  it('lists the lines whose texts are not in the project', async () => {
    const run = await ctsInProcess(homeB, [
      'package',
      'import',
      join(FIXTURES, 'dr-wang.jsonl'),
      '--project',
      'Notes',
    ])
    expect(run.code).toBe(0)
    expect(run.stdout.split('\n')).toEqual([
      'Imported 4 annotations by 王医生 Dr Wang into "Notes": 3 merged, 0 unchanged, 0 differ ' +
        "from another annotator (kept as 王医生 Dr Wang's own), 1 text not in this project.",
      `  Line 4: no text with contentHash ${HASH_ELSEWHERE} in this project`,
      '',
    ])
  })

  it('refuses a package for another project schema with exit 2 and the reason', async () => {
    const run = await ctsInProcess(homeB, [
      'package',
      'import',
      join(FIXTURES, 'multilabel.jsonl'),
      '--project',
      'Notes',
    ])
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'Error: This package is for a multi-label project; this project takes one label per text. Nothing was imported.\n',
    })
  })
})
