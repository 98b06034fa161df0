// The encrypted workspace (issue #15 point 2): no imported text in any file of the workspace, a
// wrong passphrase changes nothing, encrypting a plain workspace keeps every label and removes the
// plaintext, a half-done encryption is finished or undone, migrations run on an encrypted file.
import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { encryptWorkspaceAt, unlockWorkspace } from '../../../main/root/workspace-admin'
import { migrations } from '../../../main/store/migrations/index'
import { openWorkspace, WORKSPACE_FILE } from '../../../main/store/workspace'
import {
  forgetWorkspaceKeys,
  KEY_FILE,
  PENDING_KEY_FILE,
  WRONG_PASSPHRASE,
} from '../../../main/store/workspace-key'
import { isPlaintextSqlite } from '../../../main/store/workspace-recovery'
import { encryptWorkspace, type EncryptStep } from '../../../main/store/workspace-encrypt'
import { tempServicesIn, type TempServices } from '../services/fixtures'
import { ArrayReader } from '../services/test-reader'

/** A cheap scrypt for tests (the product uses N = 2^17). */
const COST = { N: 2 ** 12, r: 8, p: 1 }
const PASSPHRASE = 'correct horse battery 马 staple'
const TEXTS = Array.from({ length: 100 }, (_, i) =>
  i % 2 === 0
    ? `Patient ${i} reports chest pain radiating to the left arm, marker PHI-${1000 + i}.`
    : `患者${i}号主诉反复咳嗽三周，伴低热，标记病历号${2000 + i}。`,
)

let dir: string
let home: string
let open: TempServices | undefined

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cts-enc-'))
  home = join(dir, 'home')
})
afterEach(() => {
  open?.close()
  open = undefined
  forgetWorkspaceKeys()
  delete process.env.CTS_PASSPHRASE_FILE
  rmSync(dir, { recursive: true, force: true })
})

/** Every file under `root`, recursively (database, WAL, SHM, key file, run folders …). */
function allFiles(root: string): string[] {
  if (!existsSync(root)) return []
  return readdirSync(root, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? allFiles(join(root, e.name)) : [join(root, e.name)],
  )
}

/** The texts whose UTF-8 bytes appear in some file under `root`. */
function textsFoundIn(root: string, texts: readonly string[]): string[] {
  const blobs = allFiles(root).map((f) => readFileSync(f))
  return texts.filter((t) => blobs.some((b) => b.includes(Buffer.from(t, 'utf8'))))
}

/** name → sha256 of every file under `root`. */
function fingerprint(root: string): Record<string, string> {
  return Object.fromEntries(
    allFiles(root).map((f) => [
      f.slice(root.length),
      createHash('sha256').update(readFileSync(f)).digest('hex'),
    ]),
  )
}

/** Imports TEXTS into a new project and labels every third text; the services stay open. */
async function importAndLabel(): Promise<{ projectId: number; labelled: number }> {
  open = tempServicesIn(home, { sourceReader: new ArrayReader(() => recordsOf(TEXTS)) })
  const project = await open.handlers['projects/create']({
    name: 'Encrypted notes 加密',
    kind: 'binary',
    labels: ['urgent 紧急', 'routine 常规'],
  })
  await open.handlers['datasets/import']({
    projectId: project.id,
    file: { name: 'notes.csv', contentBase64: '' },
    mapping: { text: 'text' },
  })
  const rows = (await open.handlers['texts/list']({ projectId: project.id, offset: 0, limit: 500 }))
    .rows
  expect(rows).toHaveLength(100)
  let labelled = 0
  for (const [k, row] of rows.entries()) {
    if (k % 3 !== 0) continue
    await open.handlers['labels/set']({
      textId: row.id,
      labelIds: [project.labels[k % 2].id],
    })
    labelled += 1
  }
  return { projectId: project.id, labelled }
}

function recordsOf(texts: readonly string[]) {
  return texts.map((text, i) => ({ row: i + 2, text }))
}

/** texts/list's labels of every text, by text, as the services report them. */
async function labelsByText(projectId: number): Promise<Record<string, number[]>> {
  const rows = (await open!.handlers['texts/list']({ projectId, offset: 0, limit: 500 })).rows
  return Object.fromEntries(rows.map((r) => [r.text, r.labelIds]))
}

describe('an encrypted workspace', () => {
  it('holds none of 100 imported texts in plaintext in any file, open or closed', async () => {
    const created = encryptWorkspaceAt(home, PASSPHRASE, 'tester', { cost: COST })
    expect(created).toMatchObject({ created: true, rows: 0 })
    unlockWorkspace(home, PASSPHRASE)
    await importAndLabel()
    // While open: the WAL and SHM hold the newest pages.
    expect(allFiles(home).map((f) => f.slice(home.length + 1))).toEqual(
      expect.arrayContaining([WORKSPACE_FILE, `${WORKSPACE_FILE}-wal`, KEY_FILE]),
    )
    expect(textsFoundIn(home, TEXTS)).toEqual([])
    open!.close()
    expect(textsFoundIn(home, TEXTS)).toEqual([])
    expect(isPlaintextSqlite(join(home, WORKSPACE_FILE))).toBe(false)
    // The key file holds parameters, salt and check value: neither the passphrase nor the key.
    const keyFile = readFileSync(join(home, KEY_FILE), 'utf8')
    expect(keyFile).not.toContain('correct horse')
    expect(Object.keys(JSON.parse(keyFile)).sort()).toEqual(['check', 'cipher', 'format', 'kdf'])
  })

  it('leaves nothing of an export in the temporary folder (its work folder is removed)', async () => {
    const tmp = join(dir, 'tmp')
    mkdirSync(tmp)
    const before = process.env.TMPDIR
    process.env.TMPDIR = tmp
    try {
      encryptWorkspaceAt(home, PASSPHRASE, 'tester', { cost: COST })
      unlockWorkspace(home, PASSPHRASE)
      const { projectId } = await importAndLabel()
      for (const format of ['csv', 'xlsx', 'jsonl'] as const) {
        const r = await open!.handlers['exports/texts']({ projectId, format })
        expect(r.rows).toBe(100)
        expect(r.contentBase64!.length).toBeGreaterThan(0)
      }
      expect(readdirSync(tmp)).toEqual([])
      expect(textsFoundIn(home, TEXTS)).toEqual([])
    } finally {
      if (before === undefined) delete process.env.TMPDIR
      else process.env.TMPDIR = before
    }
  })

  it('the same byte search finds every text in a plain workspace (so the search can fail)', async () => {
    await importAndLabel()
    expect(textsFoundIn(home, TEXTS)).toHaveLength(100)
    open!.close()
    expect(textsFoundIn(home, TEXTS)).toHaveLength(100)
  })

  it('refuses a wrong passphrase with a clear message and leaves every file byte-identical', async () => {
    encryptWorkspaceAt(home, PASSPHRASE, 'tester', { cost: COST })
    unlockWorkspace(home, PASSPHRASE)
    await importAndLabel()
    open!.close()
    forgetWorkspaceKeys()
    const before = fingerprint(home)

    expect(() => unlockWorkspace(home, 'not the passphrase')).toThrow(WRONG_PASSPHRASE)
    // Through $CTS_PASSPHRASE_FILE, as every command and job reads it.
    const wrong = join(dir, 'wrong.txt')
    writeFileSync(wrong, 'not the passphrase\n')
    process.env.CTS_PASSPHRASE_FILE = wrong
    expect(() => openWorkspace(home)).toThrow(
      expect.objectContaining({ code: 'forbidden', message: WRONG_PASSPHRASE }),
    )
    delete process.env.CTS_PASSPHRASE_FILE
    // No key at all: it says how to unlock.
    expect(() => openWorkspace(home)).toThrow(/is encrypted: give its passphrase/)
    expect(fingerprint(home)).toEqual(before)

    // The right one (file with a trailing newline) opens it.
    const right = join(dir, 'right.txt')
    writeFileSync(right, PASSPHRASE + '\n')
    process.env.CTS_PASSPHRASE_FILE = right
    const ws = openWorkspace(home)
    expect(ws.encrypted).toBe(true)
    ws.close()
  })

  it('encrypts a plain workspace with labels: every label kept, the plaintext gone', async () => {
    const { projectId, labelled } = await importAndLabel()
    const labelsBefore = await labelsByText(projectId)
    expect(Object.values(labelsBefore).filter((l) => l.length > 0)).toHaveLength(labelled)
    open!.close()
    expect(textsFoundIn(home, TEXTS)).toHaveLength(100)

    const summary = encryptWorkspaceAt(home, PASSPHRASE, 'tester', { cost: COST })
    expect(summary.created).toBe(false)
    expect(summary.rows).toBeGreaterThan(100)
    expect(readdirSync(home).sort()).toEqual([KEY_FILE, WORKSPACE_FILE])
    expect(textsFoundIn(home, TEXTS)).toEqual([])

    forgetWorkspaceKeys()
    expect(() => openWorkspace(home)).toThrow(/is encrypted/)
    unlockWorkspace(home, PASSPHRASE)
    open = tempServicesIn(home)
    expect(await labelsByText(projectId)).toEqual(labelsBefore)
    const audit = await open.handlers['audit/verify']({})
    expect(audit.intact).toBe(true)
    open.close()
    expect(textsFoundIn(home, TEXTS)).toEqual([])
  })

  it.each<EncryptStep>(['copied', 'rekeyed', 'verified', 'closed', 'key-staged'])(
    'a failure after step "%s" leaves the plaintext workspace as it was',
    async (failAt) => {
      const { projectId } = await importAndLabel()
      const labelsBefore = await labelsByText(projectId)
      open!.close()
      const before = fingerprint(home)
      expect(() =>
        encryptWorkspaceAt(home, PASSPHRASE, 'tester', {
          cost: COST,
          onStep: (s) => {
            if (s === failAt) throw new Error(`disk full at ${s}`)
          },
        }),
      ).toThrow(/disk full.*The workspace was not changed/)
      expect(fingerprint(home)).toEqual(before)
      forgetWorkspaceKeys()
      open = tempServicesIn(home)
      expect(await labelsByText(projectId)).toEqual(labelsBefore)
    },
  )

  it('refuses while another program has the workspace open, and changes nothing', async () => {
    const { projectId } = await importAndLabel()
    const labelsBefore = await labelsByText(projectId)
    // `open` (the app, say) keeps its connection while the encryption runs.
    expect(() => encryptWorkspaceAt(home, PASSPHRASE, 'tester', { cost: COST })).toThrow(
      /Another program has the workspace in .* open \(the app\?\)\. Close it and try again\. The workspace was not changed\./,
    )
    expect(existsSync(join(home, KEY_FILE))).toBe(false)
    expect(readdirSync(home).filter((f) => f.includes('encrypting'))).toEqual([])
    expect(await labelsByText(projectId)).toEqual(labelsBefore)
  })

  it('refuses a passphrase shorter than 8 characters and an already encrypted workspace', () => {
    expect(() => encryptWorkspaceAt(home, 'short', 'tester', { cost: COST })).toThrow(
      /too short: use at least 8 characters/,
    )
    expect(existsSync(join(home, WORKSPACE_FILE))).toBe(false)
    encryptWorkspaceAt(home, PASSPHRASE, 'tester', { cost: COST })
    expect(() => encryptWorkspaceAt(home, PASSPHRASE, 'tester', { cost: COST })).toThrow(
      /already encrypted/,
    )
  })

  it('finishes an encryption stopped between the swap and the key file (kill -9 there)', async () => {
    encryptWorkspaceAt(home, PASSPHRASE, 'tester', { cost: COST })
    // The state a crash right after the commit rename leaves: the key file still pending.
    renameSync(join(home, KEY_FILE), join(home, PENDING_KEY_FILE))
    forgetWorkspaceKeys()
    const right = join(dir, 'right.txt')
    writeFileSync(right, PASSPHRASE)
    process.env.CTS_PASSPHRASE_FILE = right
    const ws = openWorkspace(home)
    expect(ws.encrypted).toBe(true)
    ws.close()
    expect(readdirSync(home).sort()).toEqual([KEY_FILE, WORKSPACE_FILE])
  })

  it('undoes an encryption stopped before the swap (pending key file, plaintext database)', async () => {
    const ws = openWorkspace(home)
    ws.close()
    writeFileSync(join(home, PENDING_KEY_FILE), '{}')
    writeFileSync(join(home, `${WORKSPACE_FILE}.encrypting-123`), 'half a copy')
    const again = openWorkspace(home)
    expect(again.encrypted).toBe(false)
    again.close()
    expect(readdirSync(home)).toEqual([WORKSPACE_FILE])
  })

  it('runs the migrations on an encrypted workspace built at an older schema', async () => {
    const old = migrations.slice(0, 7)
    openWorkspace(home, { migrations: old }).close()
    encryptWorkspace(home, PASSPHRASE, { cost: COST, migrations: old })
    forgetWorkspaceKeys()
    expect(() => openWorkspace(home)).toThrow(/is encrypted/)
    unlockWorkspace(home, PASSPHRASE)
    const ws = openWorkspace(home)
    expect(ws.encrypted).toBe(true)
    expect(ws.migration.from).toBe(7)
    expect(ws.migration.to).toBe(migrations.length)
    expect(ws.migration.applied).toHaveLength(migrations.length - 7)
    expect(ws.db.pragma('integrity_check', { simple: true })).toBe('ok')
    ws.close()
    expect(isPlaintextSqlite(join(home, WORKSPACE_FILE))).toBe(false)
    expect(statSync(join(home, WORKSPACE_FILE)).size).toBeGreaterThan(0)
  })
})
