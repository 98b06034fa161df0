// The workspace's encryption state for the whole window: locked (the unlock dialog shows),
// encrypted (the top bar says so) and the "Encrypt this workspace" dialog being open.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { cts } from '../api'

export const useWorkspaceStore = defineStore('workspace', () => {
  const encrypted = ref(false)
  const locked = ref(false)
  /** True once 'workspace/status' answered (or failed: a plain workspace is assumed). */
  const loaded = ref(false)
  const encryptOpen = ref(false)

  async function load(): Promise<void> {
    try {
      const status = await cts().workspace.status({})
      encrypted.value = status.encrypted
      locked.value = status.locked
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
    load,
    unlocked,
    encrypt,
    openEncrypt: () => void (encryptOpen.value = true),
    closeEncrypt: () => void (encryptOpen.value = false),
  }
})
