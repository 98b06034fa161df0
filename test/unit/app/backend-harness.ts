// Test harness for the backend process: main's side (BackendClient + the IPC adapter on a fake
// ipcMain) with the real backend entry run by child_process.fork under tsx, standing in for
// Electron's utilityProcess.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { CallEnvelope } from '../../../preload/contract'
import {
  BackendClient,
  type BackendClientOptions,
  type BackendProcessLike,
} from '../../../main/backend/backend-client'
import { forkBackend } from '../../../main/backend/fork-launcher'
import {
  registerContract,
  type IpcInvokeEventLike,
  type IpcLike,
} from '../../../main/app/ipc-adapter'

export const BACKEND_ENTRY = resolve('main/backend/backend-entry.ts')
export const APP_URL = 'file:///app/out/renderer/index.html'

type Listener = (event: IpcInvokeEventLike, ...args: unknown[]) => unknown

export interface Harness {
  home: string
  dir: string
  client: BackendClient
  /** Every backend process launched so far (a restart adds one). */
  processes: BackendProcessLike[]
  /** Invokes a channel as the renderer would, from the app page unless another URL is given. */
  invoke(channel: string, args: unknown, url?: string): Promise<CallEnvelope>
  /** Events the backend pushed, in order. */
  events: { name: string; payload: unknown }[]
  close(): Promise<void>
}

export async function startHarness(options: Partial<BackendClientOptions> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'cts-backend-'))
  const home = join(dir, 'workspace')
  const processes: BackendProcessLike[] = []
  const fork = forkBackend(BACKEND_ENTRY)
  const client = await BackendClient.start({
    launch: () => {
      const proc = fork()
      processes.push(proc)
      return proc
    },
    home,
    log: () => {},
    ...options,
  })
  const events: { name: string; payload: unknown }[] = []
  client.onEvent((name, payload) => events.push({ name, payload }))
  const listeners = new Map<string, Listener>()
  const ipc: IpcLike = {
    handle: (channel, listener) => void listeners.set(channel, listener),
    removeHandler: (channel) => listeners.delete(channel),
  }
  const unregister = registerContract(ipc, (channel, args) => client.call(channel, args), {
    isTrustedSender: (frame) => frame.url.startsWith(APP_URL),
  })
  return {
    home,
    dir,
    client,
    processes,
    events,
    invoke: async (channel, args, url = APP_URL) =>
      (await listeners.get(channel)!({ senderFrame: { url } }, args)) as CallEnvelope,
    close: async () => {
      unregister()
      await client.shutdown()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The value of an ok envelope (fails loudly with the error otherwise). */
export function valueOf<T>(envelope: CallEnvelope): T {
  if (!envelope.ok) throw new Error(`${envelope.error.code}: ${envelope.error.message}`)
  return envelope.value as T
}

/** A bilingual synthetic note; no commas or quotes, so a row is `text,label`. */
export function note(i: number): string {
  return `Patient ${i} reports chest pain for ${i % 13} days 患者${i}主诉胸痛${i % 7}天 伴随症状${i % 5}`
}
