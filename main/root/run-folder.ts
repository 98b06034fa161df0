// Where a workspace folder's run folders are, without opening the workspace (the CLI prints them):
// <home>/runs for a local workspace, the team's local cache for a folder bound to a server.
import { join, resolve } from 'node:path'
import { teamRunsDirOf } from '../store/run-artifacts'
import { readTeamBinding } from '../store/team-binding'
import { RUNS_DIR } from '../store/workspace'

/** The folder of run `runId` of the workspace in `home`. */
export function runFolderOf(home: string, runId: number): string {
  const dir = resolve(home)
  const binding = readTeamBinding(dir)
  return join(binding ? teamRunsDirOf(dir, binding) : join(dir, RUNS_DIR), String(runId))
}
