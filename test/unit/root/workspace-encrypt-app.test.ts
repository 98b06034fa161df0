// "Encrypt this workspace" from the app (issue #15 point 2): 'workspace/encrypt' checks the
// passphrase typed twice, encrypts atomically, closes and reopens the backend on the encrypted
// workspace (still unlocked), and audits 'workspace.encrypt' as the current profile. And the
// CLI's passphrase-file unlocks: one 'unlock' entry per process and workspace.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AuditPageDto } from '../../../preload/contract'
import { main } from '../../../main/cli/index'
import type { ChildToHost, JobHost } from '../../../main/jobs/job-protocol'
import { boot, type Backend } from '../../../main/root/boot'
import { lockableBoot } from '../../../main/root/lockable-boot'
import { encryptWorkspaceAt, unlockWorkspace } from '../../../main/root/workspace-admin'
import { openWorkspace } from '../../../main/store/workspace'
import { forgetWorkspaceKeys, KEY_FILE } from '../../../main/store/workspace-key'

const PASSPHRASE = 'night shift 夜班口令'
const CHEAP = { N: 2 ** 12, r: 8, p: 1 }
let home: string
let backend: Backend | undefined

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'cts-encrypt-app-'))
})
afterEach(async () => {
  await backend?.shutdown()
  backend = undefined
  delete process.env.CTS_PASSPHRASE_FILE
  forgetWorkspaceKeys()
  vi.restoreAllMocks()
  rmSync(home, { recursive: true, force: true })
})

async function auditOf(b: Backend, action: 'workspace.encrypt' | 'unlock') {
  const r = await b.dispatch('audit/list', { actions: [action] })
  if (!r.ok) throw new Error(r.error.message)
  return (r.value as AuditPageDto).entries
}

describe("'workspace/encrypt' in the app", () => {
  it('refuses a short or mismatched passphrase with a clear message and changes nothing', async () => {
    backend = await lockableBoot({ home, actor: 'tester', scryptCost: CHEAP })
    const files = readdirSync(home).sort()
    expect(
      await backend.dispatch('workspace/encrypt', { passphrase: 'short', confirm: 'short' }),
    ).toEqual({
      ok: false,
      error: {
        code: 'bad-input',
        message:
          'The passphrase is too short: use at least 8 characters (a few unrelated words are best).',
        details: { issues: [expect.objectContaining({ path: ['passphrase'] })] },
      },
    })
    expect(
      await backend.dispatch('workspace/encrypt', {
        passphrase: PASSPHRASE,
        confirm: 'night shift',
      }),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'bad-input',
        message: 'The two passphrases are not the same: type the same passphrase in both fields.',
        details: { issues: [expect.objectContaining({ path: ['confirm'] })] },
      },
    })
    expect((await backend.dispatch('workspace/encrypt', { passphrase: PASSPHRASE })).ok).toBe(false)
    expect(readdirSync(home).sort()).toEqual(files)
    expect(existsSync(join(home, KEY_FILE))).toBe(false)
    expect(await backend.dispatch('workspace/status', {})).toEqual({
      ok: true,
      value: { encrypted: false, locked: false },
    })
  })

  it('encrypts, goes on unlocked with every project, audits it, and asks for the passphrase next start', async () => {
    backend = await lockableBoot({ home, actor: 'tester', scryptCost: CHEAP })
    await backend.dispatch('projects/create', { name: 'Cardiology 心内科', kind: 'binary' })
    await backend.dispatch('annotators/use', { name: 'Dr Wang 王医生' })

    expect(
      await backend.dispatch('workspace/encrypt', { passphrase: PASSPHRASE, confirm: PASSPHRASE }),
    ).toEqual({ ok: true, value: { encrypted: true, locked: false } })
    expect(existsSync(join(home, KEY_FILE))).toBe(true)
    expect(await backend.dispatch('workspace/status', {})).toEqual({
      ok: true,
      value: { encrypted: true, locked: false },
    })
    const projects = await backend.dispatch('projects/list', {})
    expect(projects.ok && (projects.value as { name: string }[]).map((p) => p.name)).toEqual([
      'Cardiology 心内科',
    ])
    // The reopened backend writes to the encrypted database.
    expect(
      (await backend.dispatch('projects/create', { name: 'Oncology', kind: 'binary' })).ok,
    ).toBe(true)
    const entries = await auditOf(backend, 'workspace.encrypt')
    expect(entries.map((e) => [e.actor, e.action])).toEqual([
      ['Dr Wang 王医生', 'workspace.encrypt'],
    ])
    expect(entries[0]!.details).toMatchObject({ created: false })
    expect(
      await backend.dispatch('workspace/encrypt', { passphrase: PASSPHRASE, confirm: PASSPHRASE }),
    ).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: 'This workspace is already encrypted.' },
    })

    // The next start (a new process: no key remembered) is locked until the passphrase is given.
    await backend.shutdown()
    forgetWorkspaceKeys()
    backend = await lockableBoot({ home, actor: 'tester' })
    expect(await backend.dispatch('workspace/status', {})).toEqual({
      ok: true,
      value: { encrypted: true, locked: true },
    })
    expect(await backend.dispatch('workspace/unlock', { passphrase: PASSPHRASE })).toMatchObject({
      ok: true,
    })
    const after = await backend.dispatch('projects/list', {})
    expect(after.ok && (after.value as { name: string }[]).map((p) => p.name).sort()).toEqual([
      'Cardiology 心内科',
      'Oncology',
    ])
  })

  it('refuses while a job is running (closing the backend would stop it), and changes nothing', async () => {
    // A job process that runs until it is cancelled.
    const exits: ((code: number | null, signal: string | null) => void)[] = []
    const messages: ((m: ChildToHost) => void)[] = []
    const jobHost: JobHost = {
      spawn: () => ({
        send: (m) => {
          if (m.type !== 'cancel') return
          messages.forEach((l) => l({ type: 'cancelled' }))
          exits.forEach((l) => l(0, null))
        },
        onMessage: (l) => void messages.push(l),
        onExit: (l) => void exits.push(l),
        kill: () => exits.forEach((l) => l(null, 'SIGKILL')),
      }),
    }
    backend = await lockableBoot({ home, actor: 'tester', jobHost, scryptCost: CHEAP })
    const project = await backend.handlers['projects/create']({
      name: 'Jobs 任务',
      kind: 'binary',
      labels: ['yes 是', 'no 否'],
    })
    const rows = Array.from(
      { length: 20 },
      (_, i) => `"note ${i} 病历",${i % 2 ? 'yes 是' : 'no 否'}`,
    )
    await backend.handlers['datasets/import']({
      projectId: project.id,
      file: {
        name: 'notes.csv',
        contentBase64: Buffer.from(['text,label', ...rows].join('\n')).toString('base64'),
      },
      mapping: { text: 'text', label: 'label' },
    })
    const { jobId } = await backend.handlers['training/start']({
      projectId: project.id,
      config: { model: 'baseline', epochs: 1 },
    })
    const files = readdirSync(home).sort()
    expect(
      await backend.dispatch('workspace/encrypt', { passphrase: PASSPHRASE, confirm: PASSPHRASE }),
    ).toEqual({
      ok: false,
      error: {
        code: 'conflict',
        message:
          'A job is still running (training, prediction or import): wait for it to finish or cancel it, then encrypt the workspace.',
      },
    })
    expect(readdirSync(home).sort()).toEqual(files)
    expect(existsSync(join(home, KEY_FILE))).toBe(false)
    // The backend is the same one, still open.
    expect(await backend.dispatch('jobs/cancel', { jobId })).toMatchObject({ ok: true })
    expect((await backend.dispatch('projects/list', {})).ok).toBe(true)
  })

  it('reopens the plain workspace, unchanged, when encrypting fails (another program has it open)', async () => {
    backend = await lockableBoot({ home, actor: 'tester', scryptCost: CHEAP })
    await backend.dispatch('projects/create', { name: 'Kept 保留', kind: 'binary' })
    const other = openWorkspace(home)
    try {
      expect(
        await backend.dispatch('workspace/encrypt', {
          passphrase: PASSPHRASE,
          confirm: PASSPHRASE,
        }),
      ).toMatchObject({ ok: false, error: { code: 'conflict', message: /open/ } })
    } finally {
      other.close()
    }
    expect(existsSync(join(home, KEY_FILE))).toBe(false)
    expect(await backend.dispatch('workspace/status', {})).toEqual({
      ok: true,
      value: { encrypted: false, locked: false },
    })
    const projects = await backend.dispatch('projects/list', {})
    expect(projects.ok && (projects.value as { name: string }[]).map((p) => p.name)).toEqual([
      'Kept 保留',
    ])
    // Once the other program is gone it works.
    expect(
      await backend.dispatch('workspace/encrypt', { passphrase: PASSPHRASE, confirm: PASSPHRASE }),
    ).toEqual({ ok: true, value: { encrypted: true, locked: false } })
  })

  it('is refused by a backend that is not the app’s (boot): it cannot encrypt its own open database', async () => {
    backend = await boot({ home, actor: 'tester' })
    expect(
      await backend.dispatch('workspace/encrypt', { passphrase: PASSPHRASE, confirm: PASSPHRASE }),
    ).toMatchObject({ ok: false, error: { code: 'unsupported', message: /cts workspace encrypt/ } })
    expect(existsSync(join(home, KEY_FILE))).toBe(false)
  })
})

describe('passphrase-file unlocks in the audit log', () => {
  function unlockEntries(): { actor: string; details: string }[] {
    unlockWorkspace(home, PASSPHRASE)
    const ws = openWorkspace(home, {})
    try {
      return ws.db
        .prepare("SELECT actor, details FROM audit_log WHERE action = 'unlock' ORDER BY id")
        .all() as { actor: string; details: string }[]
    } finally {
      ws.close()
    }
  }

  it('writes one entry per process and workspace, naming the OS user, then the current profile', async () => {
    encryptWorkspaceAt(home, PASSPHRASE, 'setup', { cost: CHEAP })
    const file = join(home, '..', `pass-${process.pid}-${Date.now()}.txt`)
    writeFileSync(file, PASSPHRASE + '\n')
    try {
      process.env.CTS_PASSPHRASE_FILE = file
      openWorkspace(home).close()
      openWorkspace(home).close()
      delete process.env.CTS_PASSPHRASE_FILE
      const os = userInfo().username || 'local user'
      let entries = unlockEntries()
      expect(entries).toEqual([{ actor: os, details: JSON.stringify({ via: 'passphrase-file' }) }])

      // A remembered key (unlocked before in this process) is not a new unlock.
      openWorkspace(home).close()
      expect(unlockEntries()).toHaveLength(1)

      // A new process (keys forgotten): the CLI with --passphrase-file, after a profile is chosen.
      forgetWorkspaceKeys()
      const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
      expect(
        await main(['--home', home, '--passphrase-file', file, 'annotators', '--use', 'Dr Li']),
      ).toBe(0)
      forgetWorkspaceKeys()
      expect(await main(['--home', home, '--passphrase-file', file, 'project', 'list'])).toBe(0)
      write.mockRestore()
      forgetWorkspaceKeys()
      entries = unlockEntries()
      expect(entries.map((e) => e.actor)).toEqual([os, os, 'Dr Li'])
      expect(entries.every((e) => JSON.parse(e.details).via === 'passphrase-file')).toBe(true)
    } finally {
      rmSync(file, { force: true })
    }
  })

  it('writes none for a plain workspace or a wrong passphrase file', () => {
    const file = join(home, '..', `pass-wrong-${process.pid}-${Date.now()}.txt`)
    writeFileSync(file, 'not the passphrase\n')
    try {
      process.env.CTS_PASSPHRASE_FILE = file
      const plain = openWorkspace(home)
      const n = plain.db
        .prepare("SELECT count(*) FROM audit_log WHERE action = 'unlock'")
        .pluck()
        .get()
      plain.close()
      expect(n).toBe(0)
      delete process.env.CTS_PASSPHRASE_FILE
      rmSync(home, { recursive: true, force: true })
      encryptWorkspaceAt(home, PASSPHRASE, 'setup', { cost: CHEAP })
      process.env.CTS_PASSPHRASE_FILE = file
      expect(() => openWorkspace(home)).toThrow(/does not unlock/)
      delete process.env.CTS_PASSPHRASE_FILE
      expect(unlockEntries()).toEqual([])
    } finally {
      rmSync(file, { force: true })
    }
  })
})
