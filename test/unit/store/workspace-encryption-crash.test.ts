// The kill -9 crash test (crash.test.ts) on an ENCRYPTED workspace: a child writes labels and
// acknowledges each after commit; it is killed with SIGKILL at a random moment, 20 times. Every
// acknowledged label must survive, the encrypted file must stay intact and hold no text.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, WORKSPACE_FILE } from '../../../main/store/workspace'
import { encryptWorkspaceAt } from '../../../main/root/workspace-admin'
import {
  forgetWorkspaceKeys,
  rememberWorkspaceKey,
  unlockWorkspaceKey,
  type WorkspaceKey,
} from '../../../main/store/workspace-key'
import { CRASH_TEXTS } from './crash-plan'
import { checkAcknowledged, killRepeatedly, prepareCrashWorkspace } from './crash-harness'

const RUNS = 20
let dir: string
let home: string
let writer: string
let passphraseFile: string
let key: WorkspaceKey
const PASSPHRASE = 'crash test passphrase 口令'

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cts-crash-enc-'))
  home = join(dir, 'home')
  passphraseFile = join(dir, 'passphrase.txt')
  writeFileSync(passphraseFile, PASSPHRASE + '\n')
  // A cheap scrypt: each of the 20 children derives the key again from the passphrase file.
  encryptWorkspaceAt(home, PASSPHRASE, 'setup', { cost: { N: 2 ** 12, r: 8, p: 1 } })
  key = unlockWorkspaceKey(home, PASSPHRASE)
  rememberWorkspaceKey(home, key)
  writer = await prepareCrashWorkspace(dir, home)
})
afterAll(() => {
  forgetWorkspaceKeys()
  rmSync(dir, { recursive: true, force: true })
})

describe('crash safety of label writes on an encrypted workspace', () => {
  it('keeps every acknowledged label across 20 SIGKILLs and the database stays intact', async () => {
    // The child unlocks the workspace as every command does: from the passphrase file.
    const { acks, inFlight } = await killRepeatedly(writer, home, RUNS, {
      CTS_PASSPHRASE_FILE: passphraseFile,
    })
    const db = openDatabase(join(home, WORKSPACE_FILE), key)
    const exact = checkAcknowledged(db, acks, inFlight)
    db.close()
    expect(exact).toBeGreaterThan(CRASH_TEXTS / 2)
    const files = readdirSync(home).map((f) => readFileSync(join(home, f)))
    for (let i = 0; i < CRASH_TEXTS; i++)
      expect(files.some((b) => b.includes(Buffer.from(`crash note ${i} 记录`)))).toBe(false)
    console.log(
      `encrypted crash test: ${RUNS} kills, ${acks.length} acknowledged writes, ${exact}/${CRASH_TEXTS} texts checked exactly`,
    )
  }, 90_000)
})
