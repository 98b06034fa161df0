// `cts workspace encrypt|status` and the global --passphrase-file / $CTS_PASSPHRASE_FILE that every
// command takes (issue #15 point 2).
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { forgetWorkspaceKeys, KEY_FILE } from '../../../main/store/workspace-key'
import { WORKSPACE_FILE } from '../../../main/store/workspace'
import { ctsInProcess } from './cts-in-process'

let dir: string
let home: string
let right: string
let wrong: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cts-ws-cli-'))
  home = join(dir, 'home')
  right = join(dir, 'pass.txt')
  wrong = join(dir, 'wrong.txt')
  writeFileSync(right, 'a long passphrase 长口令\n')
  writeFileSync(wrong, 'another passphrase\n')
})
afterAll(() => {
  forgetWorkspaceKeys()
  delete process.env.CTS_PASSPHRASE_FILE
  rmSync(dir, { recursive: true, force: true })
})

const cts = (args: string[]) => ctsInProcess(home, args)

describe('cts workspace', () => {
  it('encrypts a plain workspace; every command then needs the passphrase', async () => {
    expect((await cts(['project', 'create', 'Notes 笔记', '--kind', 'binary'])).code).toBe(0)
    expect((await cts(['workspace', 'status', '--json'])).stdout).toBe(
      JSON.stringify({ home, encrypted: false }) + '\n',
    )

    const enc = await cts(['workspace', 'encrypt', '--passphrase-file', right, '--json'])
    expect(enc.stderr).toBe('')
    expect(enc.code).toBe(0)
    expect(JSON.parse(enc.stdout)).toMatchObject({ encrypted: true, home, created: false })
    expect(readdirSync(home).sort()).toEqual([KEY_FILE, WORKSPACE_FILE])

    const locked = await cts(['project', 'list'])
    expect(locked.code).toBe(2)
    expect(locked.stderr).toMatch(/is encrypted: give its passphrase with --passphrase-file/)

    const bad = await cts(['--passphrase-file', wrong, 'project', 'list'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toBe(
      'Error: The passphrase does not unlock this workspace; nothing was changed.\n',
    )

    const ok = await cts(['--passphrase-file', right, 'project', 'list', '--json'])
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.stdout).map((p: { name: string }) => p.name)).toEqual(['Notes 笔记'])

    // The environment variable, as `cts serve` and scripts use it; the option may follow the command.
    process.env.CTS_PASSPHRASE_FILE = right
    try {
      expect((await cts(['audit', 'verify'])).code).toBe(0)
    } finally {
      delete process.env.CTS_PASSPHRASE_FILE
    }
    const after = await cts([
      'audit',
      'list',
      '--action',
      'workspace.encrypt',
      '--json',
      '--passphrase-file',
      right,
    ])
    expect(after.code).toBe(0)
    expect(JSON.parse(after.stdout).total).toBe(1)

    const again = await cts(['workspace', 'encrypt', '--passphrase-file', right])
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/already encrypted/)
  }, 60_000)

  it('creates an encrypted workspace when there is none', async () => {
    const fresh = join(dir, 'fresh')
    const r = await ctsInProcess(fresh, ['workspace', 'encrypt', '--passphrase-file', right])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`Created an encrypted workspace in ${fresh}.`)
    expect(readdirSync(fresh).sort()).toEqual([KEY_FILE, WORKSPACE_FILE])
  }, 60_000)

  it('needs a passphrase, and a passphrase file that is a regular, non-empty file', async () => {
    const none = await cts(['workspace', 'encrypt'])
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/needs the passphrase: --passphrase-file FILE/)
    const folder = join(dir, 'a-folder')
    mkdirSync(folder)
    const notFile = await cts(['--passphrase-file', folder, 'project', 'list'])
    expect(notFile.code).toBe(2)
    expect(notFile.stderr).toMatch(/--passphrase-file: .* is not a regular file/)
    const empty = join(dir, 'empty.txt')
    writeFileSync(empty, '\n')
    const emptyR = await cts(['--passphrase-file', empty, 'project', 'list'])
    expect(emptyR.code).toBe(2)
    expect(emptyR.stderr).toMatch(/passphrase file .* is empty/)
  })
})
