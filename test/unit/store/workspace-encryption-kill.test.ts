// `cts workspace encrypt` killed with SIGKILL at moments spread over its run (issue #15 point 2):
// afterwards the workspace is either the plaintext one with every label, or the encrypted one with
// every label, never neither; the next open finishes or undoes what was cut short.
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { unlockWorkspace } from '../../../main/root/workspace-admin'
import { openWorkspace } from '../../../main/store/workspace'
import { forgetWorkspaceKeys, KEY_FILE } from '../../../main/store/workspace-key'
import { tempServicesIn } from '../services/fixtures'
import { ArrayReader } from '../services/test-reader'

const PASSPHRASE = 'kill during encryption 口令'
const TEXTS = 2000
let dir: string
let template: string
let passFile: string
let labelledBefore: number

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cts-enc-kill-'))
  template = join(dir, 'template')
  passFile = join(dir, 'pass.txt')
  writeFileSync(passFile, PASSPHRASE)
  // Enough texts that copying and re-keying the database takes a measurable part of the run.
  const app = tempServicesIn(template, {
    sourceReader: new ArrayReader(() =>
      Array.from({ length: TEXTS }, (_, i) => ({
        row: i + 2,
        text: `note ${i}: cough and fever for ${i % 9} days 咳嗽发热${i % 7}天 ${'x'.repeat(i % 200)}`,
      })),
    ),
  })
  const p = await app.handlers['projects/create']({ name: 'kill', kind: 'binary' })
  await app.handlers['datasets/import']({
    projectId: p.id,
    file: { name: 'k.csv', contentBase64: '' },
    mapping: { text: 'text' },
  })
  const rows = (await app.handlers['texts/list']({ projectId: p.id, offset: 0, limit: 300 })).rows
  for (const r of rows)
    await app.handlers['labels/set']({ textId: r.id, labelIds: [p.labels[0].id] })
  labelledBefore = rows.length
  app.close()
}, 120_000)
afterAll(() => {
  forgetWorkspaceKeys()
  rmSync(dir, { recursive: true, force: true })
})

/** Runs `cts workspace encrypt` on `home`, killing it after `killAfterMs` (or not, if undefined). */
function encrypt(home: string, killAfterMs?: number): Promise<{ ms: number; killed: boolean }> {
  return new Promise((done, fail) => {
    const t0 = Date.now()
    const child = spawn(
      process.execPath,
      ['bin/cts.mjs', '--home', home, 'workspace', 'encrypt', '--passphrase-file', passFile],
      { stdio: 'ignore', env: { ...process.env, CTS_HOME: '', CTS_PASSPHRASE_FILE: '' } },
    )
    const timer =
      killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs)
    child.on('error', fail)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (killAfterMs === undefined && code !== 0) fail(new Error(`encrypt exited ${code}`))
      done({ ms: Date.now() - t0, killed: signal === 'SIGKILL' })
    })
  })
}

/** The labels of the workspace in `home`, opened as it now is (plain, or with the passphrase). */
function labelledIn(home: string): { encrypted: boolean; labelled: number; integrity: unknown } {
  forgetWorkspaceKeys()
  const encrypted = existsSync(join(home, KEY_FILE))
  if (encrypted) unlockWorkspace(home, PASSPHRASE)
  const ws = openWorkspace(home)
  try {
    const labelled = ws.db
      .prepare('SELECT count(DISTINCT text_id) FROM annotation_labels')
      .pluck()
      .get() as number
    return {
      encrypted: ws.encrypted,
      labelled,
      integrity: ws.db.pragma('integrity_check', { simple: true }),
    }
  } finally {
    ws.close()
  }
}

describe('cts workspace encrypt under kill -9', () => {
  it('leaves a whole workspace, plain or encrypted, with every label, wherever it is killed', async () => {
    const full = join(dir, 'full')
    cpSync(template, full, { recursive: true })
    const { ms } = await encrypt(full)
    expect(labelledIn(full)).toEqual({ encrypted: true, labelled: labelledBefore, integrity: 'ok' })

    const outcomes: string[] = []
    // Kill points spread over the second half of a full run (start-up and scrypt come first).
    for (const fraction of [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0]) {
      const home = join(dir, `kill-${fraction}`)
      cpSync(template, home, { recursive: true })
      const r = await encrypt(home, Math.round(ms * fraction))
      const after = labelledIn(home)
      expect(after.labelled).toBe(labelledBefore)
      expect(after.integrity).toBe('ok')
      outcomes.push(
        `${fraction}: ${r.killed ? 'killed' : 'finished'} → ${after.encrypted ? 'encrypted' : 'plain'}`,
      )
    }
    console.log(`encrypt kill -9 (full run ${ms} ms): ${outcomes.join('; ')}`)
  }, 300_000)
})
