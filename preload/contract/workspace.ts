// The workspace itself (issue #15 point 2): whether it is encrypted and still locked, and unlocking
// it with its passphrase (the app asks at start; the CLI takes --passphrase-file instead), and
// encrypting a plain one from the app ("Encrypt this workspace"); and connecting the workspace
// folder to a team workspace on a PostgreSQL server ("Connect to a team workspace", issue #17).
import { z } from 'zod'

export interface WorkspaceStatusDto {
  /** The database and the run artifacts are encrypted (a key file is in the workspace folder). */
  encrypted: boolean
  /** Encrypted and not unlocked yet: every other call fails until 'workspace/unlock' succeeds. */
  locked: boolean
  /** A team workspace: the server, database and user it is on (never a password). */
  team?: TeamWorkspaceDto & {
    /** Whether the server answers right now (issue #17 point 5); absent on a local workspace. */
    connection?: TeamConnectionDto
  }
}

/**
 * The team workspace's connection (event 'workspace/connection', and in the status). While
 * 'reconnecting', every call that needs the server fails with 'team-unreachable' and saves nothing.
 */
export interface TeamConnectionDto {
  state: 'connected' | 'reconnecting'
  /** ISO time of the last change. */
  since: string
  /** Why it is reconnecting, e.g. "the connection was refused"; never SQL. */
  reason?: string
}

/** Where a team workspace lives. */
export interface TeamWorkspaceDto {
  host: string
  port: number
  database: string
  user: string
}

export const workspaceArgs = {
  'workspace/status': z.object({}).strict(),
  /** A wrong passphrase fails with code 'forbidden' and changes nothing. */
  'workspace/unlock': z.object({ passphrase: z.string().min(1).max(1024) }).strict(),
  /**
   * Encrypts the open, plain workspace under `passphrase` (typed twice: `confirm` must equal it;
   * at least 8 characters), atomically, then goes on with it unlocked. A short or mismatched
   * passphrase is 'bad-input', an encrypted workspace 'conflict', a running job 'conflict'.
   */
  'workspace/encrypt': z
    .object({ passphrase: z.string().max(1024), confirm: z.string().max(1024) })
    .strict(),
  /**
   * Connects the workspace folder to a team workspace on PostgreSQL, then goes on with it. `url` is
   * postgres://user@host:port/database (no password in it); the password is kept in the OS keychain
   * (the app) and never in the folder. A folder whose local workspace has projects is 'conflict';
   * a refused login 'team-auth'; a server that cannot be reached 'team-unreachable'.
   */
  'workspace/connect': z
    .object({
      url: z
        .string()
        .min(1)
        .max(2048)
        .regex(/^postgres(ql)?:\/\//, 'must start with postgres://'),
      password: z.string().max(1024),
    })
    .strict(),
}

export interface WorkspaceResults {
  'workspace/status': WorkspaceStatusDto
  'workspace/unlock': WorkspaceStatusDto
  'workspace/encrypt': WorkspaceStatusDto
  'workspace/connect': WorkspaceStatusDto
}
