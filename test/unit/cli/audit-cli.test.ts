// `cts audit verify [--json]` (issue #15 point 4): exit 0 on the log the app wrote; after an entry
// is edited in the database directly, a non-zero exit naming the first broken entry.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openWorkspace } from '../../../main/store/workspace'
import { ctsInProcess } from './cts-in-process'

let home: string

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'cts-audit-cli-'))
})
afterAll(() => rmSync(home, { recursive: true, force: true }))

const cts = (args: string[]) => ctsInProcess(home, args)

describe('cts audit verify', () => {
  it('exits 0 on an intact log and 2 naming the first entry edited behind its back', async () => {
    const file = join(home, 'notes.csv')
    writeFileSync(file, 'text,label\n患者胸痛三天。,疾病\nRoutine check-up.,健康\n')
    expect((await cts(['project', 'create', '门诊', '--kind', 'binary'])).code).toBe(0)
    expect((await cts(['import', file, '--project', '门诊'])).code).toBe(0)
    expect((await cts(['annotators', '--use', 'Dr Li'])).code).toBe(0)
    // project.create, import, annotator.use
    expect(await cts(['audit', 'verify'])).toEqual({
      code: 0,
      stdout: 'Audit log intact: 3 entries, every link verified.\n',
      stderr: '',
    })
    const json = await cts(['audit', 'verify', '--json'])
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toEqual({
      entries: 3,
      intact: true,
      brokenAt: null,
      reason: null,
      problem: null,
    })

    const ws = openWorkspace(home)
    ws.db.prepare(`UPDATE audit_log SET actor = 'someone else' WHERE id = 2`).run()
    ws.close()
    expect(await cts(['audit', 'verify'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'Error: The audit log was tampered with at entry 2: entry 2 was changed after it was written.\n',
    })
  })
})
