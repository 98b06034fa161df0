// The backend process behind main: calls and events cross from the fake ipcMain through
// BackendClient to the real backend entry (child_process.fork standing in for utilityProcess);
// a backend that dies mid-call gives a readable error and is restarted; shutdown is clean.
import { fork } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { constants, getPriority, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { ImportResultDto, ProjectDto } from '../../../preload/contract'
import {
  BACKEND_STOPPED_MESSAGE,
  BACKEND_UNAVAILABLE_MESSAGE,
  BackendClient,
} from '../../../main/backend/backend-client'
import { forkBackend } from '../../../main/backend/fork-launcher'
import { BACKEND_ENTRY, note, startHarness, valueOf, type Harness } from './backend-harness'

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

function writeCsv(path: string, rows: number): void {
  const lines = ['text,label']
  for (let i = 0; i < rows; i++)
    lines.push(`${note(i)},${i % 2 ? '心脏 cardiac' : '呼吸 respiratory'}`)
  writeFileSync(path, `${lines.join('\n')}\n`, 'utf8')
}

describe('backend process', () => {
  it('answers calls through the backend: validated there, sender-checked in main', async () => {
    const h = (harness = await startHarness())
    const created = valueOf<ProjectDto>(
      await h.invoke('projects/create', { name: '  Ward 7 病房 ', kind: 'binary' }),
    )
    expect(created).toMatchObject({ name: 'Ward 7 病房', kind: 'binary', textCount: 0 })
    const listed = valueOf<ProjectDto[]>(await h.invoke('projects/list', {}))
    expect(listed.map((p) => p.name)).toEqual(['Ward 7 病房'])
    const bad = await h.invoke('projects/create', { name: ' ', kind: 'ternary' })
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad-input' } })
    expect(!bad.ok && bad.error.message).toMatch(/^Invalid arguments for projects\/create: /)
    expect(await h.invoke('projects/list', {}, 'https://evil.example/')).toEqual({
      ok: false,
      error: { code: 'forbidden', message: 'This request did not come from the app window.' },
    })
    expect(h.processes).toHaveLength(1)
    // Bulk work yields the CPU to the windows.
    expect(getPriority(h.processes[0]!.pid!)).toBe(constants.priority.PRIORITY_BELOW_NORMAL)
  }, 60_000)

  it("forwards the backend's events (an import's progress) to main", async () => {
    const h = (harness = await startHarness())
    const project = valueOf<ProjectDto>(
      await h.invoke('projects/create', { name: 'events', kind: 'binary' }),
    )
    const file = join(h.dir, 'notes.csv')
    writeCsv(file, 3)
    const result = valueOf<ImportResultDto>(
      await h.invoke('datasets/import', {
        projectId: project.id,
        file: { path: file },
        mapping: { text: 'text', label: 'label' },
      }),
    )
    expect(result).toMatchObject({ imported: 3, duplicates: 0, rejected: 0 })
    const imports = h.events.filter(
      (e) => e.name === 'jobs/progress' && (e.payload as { kind: string }).kind === 'import',
    )
    expect(imports.at(-1)?.payload).toMatchObject({ kind: 'import', status: 'success' })
  }, 60_000)

  it('answers a call in flight when the backend dies with a readable error, then restarts it', async () => {
    const h = (harness = await startHarness())
    const project = valueOf<ProjectDto>(
      await h.invoke('projects/create', { name: 'crash', kind: 'binary' }),
    )
    const file = join(h.dir, 'many.csv')
    writeCsv(file, 40_000)
    // Killed as soon as the import reports that it is reading: the call is certainly in flight.
    const off = h.client.onEvent((name, payload) => {
      if (name === 'jobs/progress' && (payload as { status: string }).status === 'running') {
        off()
        h.processes[0]!.kill()
      }
    })
    const reply = await h.invoke('datasets/import', {
      projectId: project.id,
      file: { path: file },
      mapping: { text: 'text', label: 'label' },
    })
    expect(reply).toEqual({
      ok: false,
      error: { code: 'backend-stopped', message: BACKEND_STOPPED_MESSAGE },
    })
    // The next call reaches a new backend process on the same workspace.
    const listed = valueOf<ProjectDto[]>(await h.invoke('projects/list', {}))
    expect(listed.map((p) => p.name)).toEqual(['crash'])
    expect(h.processes).toHaveLength(2)
  }, 120_000)

  it('stops restarting after too many deaths and answers that the app needs a restart', async () => {
    const h = (harness = await startHarness({ maxRestarts: 0 }))
    const pending = h.invoke('projects/list', {})
    h.processes[0]!.kill()
    expect(await pending).toMatchObject({ ok: false, error: { code: 'backend-stopped' } })
    expect(await h.invoke('projects/list', {})).toEqual({
      ok: false,
      error: { code: 'backend-unavailable', message: BACKEND_UNAVAILABLE_MESSAGE },
    })
    expect(h.processes).toHaveLength(1)
  }, 60_000)

  it('shuts down cleanly on request: the process exits 0 and later calls are refused', async () => {
    const h = (harness = await startHarness())
    valueOf(await h.invoke('projects/create', { name: 'closing', kind: 'binary' }))
    const exited = new Promise<number | null>((resolve) =>
      h.processes[0]!.once('exit', (code) => resolve(code)),
    )
    await h.client.shutdown()
    expect(await exited).toBe(0)
    expect(await h.invoke('projects/list', {})).toMatchObject({
      ok: false,
      error: { code: 'backend-stopped' },
    })
  }, 60_000)

  it('exits by itself when main goes away', async () => {
    const child = fork(BACKEND_ENTRY, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
    })
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    child.disconnect()
    expect(await exited).toBe(0)
  }, 60_000)

  it('refuses to start on a workspace it cannot open, with the reason', async () => {
    const notAFolder = join(mkdtempSync(join(tmpdir(), 'cts-backend-')), 'file.txt')
    writeFileSync(notAFolder, 'x')
    const started = BackendClient.start({
      launch: forkBackend(BACKEND_ENTRY),
      home: notAFolder,
      log: () => {},
    })
    // The backend's own reason arrives (not just "it exited"): the app shows it at start-up.
    const error = (await started.catch((e: unknown) => e)) as Error & { code: string }
    expect(error).toMatchObject({ name: 'CtsError', code: 'bad-input' })
    expect(error.message).toContain(`The workspace folder ${notAFolder} cannot be created`)
    rmSync(dirname(notAFolder), { recursive: true, force: true })
  }, 60_000)
})
