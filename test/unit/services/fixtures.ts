// Loads the bilingual import fixture and opens throw-away workspaces for the services tests.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SourceRecord } from '../../../main/data/types'
import {
  createAppServices,
  type AppServices,
  type AppServicesOptions,
} from '../../../main/services/app-services'

export function clinicalNotes(): SourceRecord[] {
  const url = new URL('../../fixtures/services/clinical-notes.json', import.meta.url)
  return (JSON.parse(readFileSync(url, 'utf8')) as { records: SourceRecord[] }).records
}

/** A fresh workspace in a temp dir; dispose() closes it and removes the directory. */
export function tempServices(options: Omit<AppServicesOptions, 'home'> = {}): AppServices & {
  home: string
  dispose(): void
} {
  const home = mkdtempSync(join(tmpdir(), 'cts-svc-'))
  const app = createAppServices({ home, actor: 'tester', ...options })
  return {
    ...app,
    home,
    dispose: () => {
      app.close()
      rmSync(home, { recursive: true, force: true })
    },
  }
}
