// The workspace's encryption state for the whole window: locked (the unlock dialog shows),
// encrypted (the top bar says so) and the "Encrypt this workspace" dialog being open; on a team
// workspace its server and whether that server answers right now (connected / reconnecting).
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { TeamConnectionDto, TeamWorkspaceDto } from '../../preload/contract'
import { cts } from '../api'

/** While reconnecting, the status is read this often too, in case an event was missed. */
export const RECONNECTING_POLL_MS = 2000

export const useWorkspaceStore = defineStore('workspace', () => {
  const encrypted = ref(false)
  const locked = ref(false)
  /** True once 'workspace/status' answered (or failed: a plain workspace is assumed). */
  const loaded = ref(false)
  const encryptOpen = ref(false)
  /** The team workspace's server (never a password); undefined for a local workspace. */
  const team = ref<TeamWorkspaceDto | undefined>()
  /** The team workspace's connection as main last said it (event or status). */
  const connection = ref<TeamConnectionDto | undefined>()
  let unfollow: (() => void) | undefined
  let poll: ReturnType<typeof setTimeout> | undefined

  function applyConnection(next: TeamConnectionDto | undefined): void {
    connection.value = next
    clearTimeout(poll)
    poll = undefined
    if (next?.state === 'reconnecting')
      poll = setTimeout(() => void recheck(), RECONNECTING_POLL_MS)
  }

  async function recheck(): Promise<void> {
    try {
      const status = await cts().workspace.status({})
      if (status.team?.connection) applyConnection(status.team.connection)
    } catch {
      applyConnection(connection.value)
    }
  }

  /** Listens to 'workspace/connection' once per window (a team workspace only). */
  function followConnection(): void {
    if (unfollow) return
    unfollow = cts().on('workspace/connection', (next) => applyConnection(next))
  }

  /**
   * A call just failed with 'team-unreachable': show "reconnecting" at once, whether or not main's
   * event arrived yet; main's next event (or the status read while reconnecting) corrects it.
   */
  function markUnreachable(): void {
    if (team.value && connection.value?.state !== 'reconnecting')
      applyConnection({ state: 'reconnecting', since: new Date().toISOString() })
  }

  async function load(): Promise<void> {
    try {
      const status = await cts().workspace.status({})
      encrypted.value = status.encrypted
      locked.value = status.locked
      if (status.team) {
        const { connection: state, ...server } = status.team
        team.value = server
        followConnection()
        applyConnection(state)
      } else team.value = undefined
    } catch {
      encrypted.value = false
      locked.value = false
    } finally {
      loaded.value = true
    }
  }

  function unlocked(): void {
    locked.value = false
  }

  /** Encrypts the open workspace; the backend goes on with it unlocked. Throws the backend's error. */
  async function encrypt(passphrase: string, confirm: string): Promise<void> {
    const status = await cts().workspace.encrypt({ passphrase, confirm })
    encrypted.value = status.encrypted
    locked.value = status.locked
  }

  return {
    encrypted,
    locked,
    loaded,
    encryptOpen,
    team,
    connection,
    load,
    markUnreachable,
    unlocked,
    encrypt,
    openEncrypt: () => void (encryptOpen.value = true),
    closeEncrypt: () => void (encryptOpen.value = false),
  }
})
