// Crash safety: a child writes labels and acknowledges each after commit; it is killed with
// SIGKILL at a random moment, 20 times over one workspace. Every acknowledged label must survive.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WORKSPACE_FILE } from '../../../main/store/workspace'
import { CRASH_TEXTS } from './crash-plan'
import { checkAcknowledged, killRepeatedly, prepareCrashWorkspace } from './crash-harness'

const RUNS = 20
let dir: string
let home: string
let writer: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cts-crash-'))
  home = join(dir, 'home')
  writer = await prepareCrashWorkspace(dir, home)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('crash safety of label writes', () => {
  it('keeps every acknowledged label across 20 SIGKILLs and the database stays intact', async () => {
    const { acks, inFlight } = await killRepeatedly(writer, home, RUNS)
    const db = new Database(join(home, WORKSPACE_FILE))
    const exact = checkAcknowledged(db, acks, inFlight)
    db.close()
    expect(exact).toBeGreaterThan(CRASH_TEXTS / 2)
    console.log(
      `crash test: ${RUNS} kills, ${acks.length} acknowledged writes, ${exact}/${CRASH_TEXTS} texts checked exactly`,
    )
  }, 90_000)
})
