// Run files kept by a workspace's store (issue #17 point 6), whatever the backend: what a stored
// file is, the store's interface, the error for a damaged one, and where a team's local cache lives.
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { CtsError } from '../shared'
import { parseTeamUrl, type TeamBinding } from './team-binding'

/** One stored file of a run: where it goes in the run folder, its size and sha256 (hex). */
export interface RunArtifactFile {
  /** Relative to the run folder, '/'-separated. */
  path: string
  size: number
  sha256: string
}

/** Where a team workspace keeps run files; absent on a local workspace (files only). */
export interface RunArtifactStore {
  /** Replaces the run's stored files with these local ones (absolute path → stored path), atomically. */
  put(runId: number, files: { path: string; file: string }[]): Promise<RunArtifactFile[]>
  /** The run's stored files, by path; empty when none were stored. */
  list(runId: number): Promise<RunArtifactFile[]>
  /**
   * Writes one stored file to `file` (created or truncated) and checks its size and sha256;
   * throws CtsError 'run-artifact-damaged' when they differ (the caller must not use `file`).
   */
  fetch(runId: number, stored: RunArtifactFile, file: string): Promise<void>
}

/** The message for a stored file whose bytes are not the ones recorded (nothing of it is used). */
export function damagedArtifact(runId: number, path: string, why: string): CtsError {
  return new CtsError(
    'run-artifact-damaged',
    `Run ${runId}'s file ${path} in the team workspace is damaged (${why}); it was not used. Train the run again, or ask the team's database administrator to restore the database from a backup.`,
    { runId, path },
  )
}

/** Where a team workspace identifies its server: its fingerprint when known, else host:port/db. */
export interface TeamCacheKey {
  host: string
  port: number
  database: string
  serverFingerprint?: string
}

/**
 * A team workspace's run folders on this computer: `<home>/team-runs-<16 hex>`, one per server
 * and database. Never `<home>/runs`: that is the local workspace's (kept across connect and
 * disconnect), and run ids of two servers overlap. A sibling of runs/ so the folder above it is
 * still the workspace folder.
 */
export function teamRunsDir(home: string, key: TeamCacheKey): string {
  const identity = key.serverFingerprint ?? `${key.host.toLowerCase()}:${key.port}/${key.database}`
  const digest = createHash('sha256').update(identity).digest('hex').slice(0, 16)
  return join(home, `team-runs-${digest}`)
}

/** The run folders of the team workspace `home` is bound to by `binding` (its team.json). */
export function teamRunsDirOf(home: string, binding: TeamBinding): string {
  return teamRunsDir(home, { ...parseTeamUrl(binding.url).target, ...binding })
}
