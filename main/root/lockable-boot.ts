// boot() for the app (desktop backend, web bridge): an encrypted workspace that is still locked
// answers 'workspace/status' and 'workspace/unlock' only, until a right passphrase boots the rest.
// It also does the app's "Encrypt this workspace": close the open backend, encrypt atomically,
// boot again on the encrypted workspace, unlocked (a failure reopens the plain one, unchanged).
import { userInfo } from 'node:os'
import { callNames, type ServiceHandlers } from '../../preload/contract'
import { ForkHost, jobEntryPath } from '../jobs/fork-host'
import { gpuHandlers } from '../services/gpu-handlers'
import { publishNowhere } from '../services/events'
import { CtsError } from '../shared'
import { openWorkspace } from '../store/workspace'
import {
  isEncryptedWorkspace,
  PASSPHRASE_FILE_ENV,
  rememberWorkspaceKey,
  unlockWorkspaceKey,
  workspaceKeyFor,
  type ScryptCost,
} from '../store/workspace-key'
import { boot, bootWorkspace, type Backend, type BootOptions } from './boot'
import { dispatchCall } from './dispatch'
import { checkNewPassphrase, encryptAndAudit } from './workspace-admin'
import { teamNotEncryptable } from './workspace-handlers'
import { connectTeamWorkspace, disconnectTeamWorkspace, isTeamWorkspace } from './team-admin'

const LOCKED_MESSAGE =
  'The workspace is encrypted and still locked: unlock it with its passphrase first.'

export interface LockableBootOptions extends BootOptions {
  /** Tests only: a cheaper scrypt for 'workspace/encrypt'. */
  scryptCost?: ScryptCost
}

function osUser(): string {
  try {
    return userInfo().username || 'local user'
  } catch {
    return 'local user'
  }
}

function actorOf(options: BootOptions): string {
  return options.actor ?? osUser()
}

/** True when `home` is encrypted and nothing in this process can unlock it yet. */
function isLocked(home: string): boolean {
  if (!isEncryptedWorkspace(home) || process.env[PASSPHRASE_FILE_ENV]) return false
  try {
    workspaceKeyFor(home)
    return false
  } catch {
    return true
  }
}

/**
 * boot(), except that an encrypted workspace nothing in this process can unlock yet gets a backend
 * answering 'workspace/status' and 'workspace/unlock' only; a right passphrase boots the real
 * backend behind it and records 'unlock' in the audit log. Every other call fails as locked.
 * 'workspace/encrypt' on a plain workspace closes the backend, encrypts, and boots it again.
 */
export async function lockableBoot(options: LockableBootOptions): Promise<Backend> {
  let inner: Backend | undefined = isLocked(options.home) ? undefined : await boot(options)
  let unlocking: Promise<Backend> | undefined
  // While the workspace is being encrypted (its backend closed) other calls wait for it.
  let switching: Promise<unknown> | undefined
  let stopped = false
  // The GPU pack is the machine's, not the workspace's: its calls answer while locked too, and
  // one set serves before and after unlocking (one install at a time across both).
  // Its CUDA check runs in a job process, as boot()'s jobs do: the app's backend cannot fork Node.
  const jobHost = options.jobHost ?? new ForkHost({ entry: jobEntryPath() })
  const gpu = gpuHandlers(options.publish ?? publishNowhere, {
    jobHost,
    ...options.gpu,
  }) as unknown as Record<string, (a: unknown) => unknown>

  const unlock = async (passphrase: string): Promise<Backend> => {
    // The key check runs before the database is opened: a wrong passphrase changes nothing.
    const key = unlockWorkspaceKey(options.home, passphrase)
    const workspace = openWorkspace(options.home, { key, migrations: options.migrations })
    try {
      // Through the repositories, as every other entry (D2: the root no longer reaches for `db`).
      await workspace.repos.audit.write(actorOf(options), 'unlock', null, { via: 'app' })
      const backend = bootWorkspace(workspace, options)
      rememberWorkspaceKey(options.home, key)
      return backend
    } catch (error) {
      workspace.close()
      throw error
    }
  }

  const encrypt = async (args: { passphrase: string; confirm: string }) => {
    const current = inner
    if (isTeamWorkspace(options.home)) throw teamNotEncryptable()
    if (!current || isEncryptedWorkspace(options.home))
      throw new CtsError('conflict', 'This workspace is already encrypted.')
    checkNewPassphrase(args.passphrase, args.confirm)
    // Closing the backend stops its jobs: a training or prediction in progress would be lost.
    const jobs = await current.handlers['jobs/list']({})
    if (jobs.some((j) => j.status === 'running'))
      throw new CtsError(
        'conflict',
        'A job is still running (training, prediction or import): wait for it to finish or cancel it, then encrypt the workspace.',
      )
    // The audit entry names the current profile, as the other entries of the app do.
    const actor = (await current.handlers['annotators/list']({})).current ?? actorOf(options)
    await current.shutdown()
    inner = undefined
    try {
      const { key } = encryptAndAudit(options.home, args.passphrase, actor, {
        migrations: options.migrations,
        ...(options.scryptCost ? { cost: options.scryptCost } : {}),
      })
      rememberWorkspaceKey(options.home, key)
    } finally {
      // Encrypted and unlocked, or (after a failure) the plain workspace as it was.
      inner = await boot(options)
    }
    return { encrypted: true, locked: false }
  }

  // "Connect to a team workspace" (D2, issue #17): bind the folder (refused while its local
  // workspace has projects), then boot again on the team workspace; a failed boot unbinds it.
  const connect = async (args: { url: string; password: string }) => {
    const current = inner
    if (!current) throw new CtsError('forbidden', LOCKED_MESSAGE)
    const actor = (await current.handlers['annotators/list']({})).current ?? actorOf(options)
    await connectTeamWorkspace(options.home, args.url, {
      actor,
      ...(args.password ? { password: args.password } : {}),
      ...(options.secrets ? { secrets: options.secrets } : {}),
    })
    await current.shutdown()
    inner = undefined
    try {
      inner = await boot(options)
    } catch (error) {
      await disconnectTeamWorkspace(options.home)
      inner = await boot(options)
      throw error
    }
    return inner.handlers['workspace/status']({})
  }

  const lockedHandler = (name: string) => async (args: unknown) => {
    if (name in gpu) return gpu[name](args)
    while (switching) await switching
    if (name === 'workspace/encrypt' || name === 'workspace/connect') {
      if (stopped)
        throw new CtsError(
          'conflict',
          name === 'workspace/connect'
            ? 'The workspace is closing, so it was not connected.'
            : 'The workspace is closing, so it was not encrypted.',
        )
      const run =
        name === 'workspace/connect'
          ? connect(args as { url: string; password: string })
          : encrypt(args as { passphrase: string; confirm: string })
      // Only a gate for the calls that wait: the caller gets the outcome (or error) from `run`.
      switching = run
        .catch(() => undefined)
        .finally(() => {
          switching = undefined
        })
      return run
    }
    if (inner)
      return (inner.handlers as unknown as Record<string, (a: unknown) => unknown>)[name](args)
    if (name === 'workspace/status') return { encrypted: true, locked: true }
    if (name === 'workspace/unlock') {
      unlocking ??= unlock((args as { passphrase: string }).passphrase).finally(() => {
        unlocking = undefined
      })
      inner = await unlocking
      return { encrypted: true, locked: false }
    }
    throw new CtsError('forbidden', LOCKED_MESSAGE)
  }
  const handlers = Object.fromEntries(
    callNames.map((name) => [name, lockedHandler(name)]),
  ) as unknown as ServiceHandlers

  return {
    home: options.home,
    handlers,
    dispatch: (name, args, opts) => dispatchCall(handlers, name, args, opts),
    get tokens() {
      if (!inner) throw new CtsError('forbidden', LOCKED_MESSAGE)
      return inner.tokens
    },
    trainedRunDir: async (runId) => {
      if (!inner) throw new CtsError('forbidden', LOCKED_MESSAGE)
      return inner.trainedRunDir(runId)
    },
    shutdown: async () => {
      stopped = true
      await switching
      await inner?.shutdown()
    },
  }
}
