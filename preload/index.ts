// Electron preload (sandboxed): exposes window.cts, built from the contract, and nothing else.
// No raw ipcRenderer and no sendSync cross the bridge; each call is one ipcRenderer.invoke.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { buildApi } from './build-api'
import type { CallEnvelope } from './contract'

const api = buildApi(
  (channel, args) => ipcRenderer.invoke(channel, args) as Promise<CallEnvelope>,
  (event, listener) => {
    // Drop the IpcRendererEvent: it carries the sender and must not reach the page.
    const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload)
    ipcRenderer.on(event, wrapped)
    return () => {
      ipcRenderer.removeListener(event, wrapped)
    }
  },
)

contextBridge.exposeInMainWorld('cts', api)
