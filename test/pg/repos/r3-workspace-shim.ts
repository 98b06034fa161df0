// For r3-services.vitest.config.ts only: the existing service tests that open their workspace with
// openWorkspace(home) get a team workspace on a fresh PostgreSQL database instead (same `repos`,
// `runsDir`, and a synchronous `db` for their direct SQL reads), everything else unchanged.
import * as real from '../../../main/store/workspace'
import { pgTestWorkspace } from '../pg-workspace'

export * from '../../../main/store/workspace'

export function openWorkspace(
  home: string,
  options: real.OpenWorkspaceOptions = {},
): real.Workspace {
  const team = pgTestWorkspace(home, options.migrations)
  const sync = team.workspace.db
  // Inherits the team workspace (its getters included). close() is synchronous in these tests and
  // keeps the database, so reopening the same home finds its data; the test server's teardown
  // removes every database with the server.
  const ws = Object.create(team.workspace) as Record<string, unknown>
  ws.close = () => void team.workspace.close().catch(() => undefined)
  ws.db = {
    prepare: (sql: string) => sync.prepare(sql),
    exec: (sql: string) => sync.exec(sql),
    close: () => sync.close(),
    // A server has no WAL file in the folder to checkpoint before reading the folder's files.
    pragma: () => undefined,
  }
  return ws as unknown as real.Workspace
}
