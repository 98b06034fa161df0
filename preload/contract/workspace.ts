// The workspace itself (issue #15 point 2): whether it is encrypted and still locked, and unlocking
// it with its passphrase (the app asks at start; the CLI takes --passphrase-file instead), and
// encrypting a plain one from the app ("Encrypt this workspace").
import { z } from 'zod'

export interface WorkspaceStatusDto {
  /** The database and the run artifacts are encrypted (a key file is in the workspace folder). */
  encrypted: boolean
  /** Encrypted and not unlocked yet: every other call fails until 'workspace/unlock' succeeds. */
  locked: boolean
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
}

export interface WorkspaceResults {
  'workspace/status': WorkspaceStatusDto
  'workspace/unlock': WorkspaceStatusDto
  'workspace/encrypt': WorkspaceStatusDto
}
