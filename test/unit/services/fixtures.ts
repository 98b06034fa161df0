// Loads the bilingual import fixture and opens throw-away workspaces for the services tests,
// through the composition root (main/root/boot.ts) like every entry point.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { callNames, CtsError, type Contract } from '../../../preload/contract'
import type { SourceRecord } from '../../../main/data/types'
import { bootWorkspace, type Backend, type BootOptions } from '../../../main/root/boot'
import { openWorkspace, type Workspace } from '../../../main/store/workspace'
import { onPostgres, pgTestWorkspace } from '../../pg/pg-workspace'

export function clinicalNotes(): SourceRecord[] {
  const url = new URL('../../fixtures/services/clinical-notes.json', import.meta.url)
  return (JSON.parse(readFileSync(url, 'utf8')) as { records: SourceRecord[] }).records
}

export interface TempServices {
  home: string
  backend: Backend
  /** The backend's own connection (audit rows, temp tables). */
  workspace: Workspace
  /** Every call as the window makes it: validated at dispatch, failures thrown as CtsError. */
  handlers: Contract
  /** Closes the workspace. */
  close(): void
  /** Closes the workspace and removes the directory. */
  dispose(): void
}

type TempOptions = Omit<BootOptions, 'home' | 'migrations'> & Pick<BootOptions, 'migrations'>

/** A fresh workspace in a temp dir. */
export function tempServices(options: TempOptions = {}): TempServices {
  return tempServicesIn(mkdtempSync(join(tmpdir(), 'cts-svc-')), options)
}

/** The services on the workspace in `home` (created when missing). */
export function tempServicesIn(home: string, options: TempOptions = {}): TempServices {
  // CTS_TEST_BACKEND=postgres (test/pg/vitest.config.ts): a team workspace on a fresh database;
  // its `db` answers the tests' few direct SQL reads on the same database.
  const team = onPostgres() ? pgTestWorkspace(home, options.migrations) : undefined
  const workspace = team
    ? (team.workspace as unknown as Workspace)
    : openWorkspace(home, { migrations: options.migrations })
  const backend = bootWorkspace(team ? team.workspace : workspace, { actor: 'tester', ...options })
  const handlers = Object.fromEntries(
    callNames.map((name) => [
      name,
      async (args: unknown) => {
        await team?.ready
        const envelope = await backend.dispatch(name, args, { log: () => {} })
        if (envelope.ok) return envelope.value
        throw new CtsError(envelope.error.code, envelope.error.message, envelope.error.details)
      },
    ]),
  ) as unknown as Contract
  let closed = false
  const close = () => {
    if (closed) return
    closed = true
    if (team) void team.workspace.close().catch(() => undefined)
    else workspace.close()
  }
  return {
    home,
    backend,
    workspace,
    handlers,
    close,
    dispose: () => {
      close()
      if (team) void team.drop().catch(() => undefined)
      rmSync(home, { recursive: true, force: true })
    },
  }
}
