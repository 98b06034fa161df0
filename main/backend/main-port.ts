// The backend's channel to main: process.parentPort in an Electron utilityProcess, process.send
// and 'message' under child_process.fork (tests, tools).
import type { BackendToMain, MainToBackend } from './backend-protocol'
import type { BackendPort } from './backend-server'

/** How long a posted message gets to leave a utilityProcess before a `sent` callback runs. */
const FLUSH_MS = 100

interface ParentPortLike {
  postMessage(message: unknown): void
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown
}

export function mainPort(proc: NodeJS.Process = process): BackendPort {
  const parentPort = (proc as NodeJS.Process & { parentPort?: ParentPortLike }).parentPort
  const exit = (code: number) => proc.exit(code)
  if (parentPort) {
    return {
      send: (message: BackendToMain, sent?: () => void) => {
        parentPort.postMessage(message)
        // parentPort has no delivery callback: give the message a moment to leave the process.
        if (sent) setTimeout(sent, FLUSH_MS)
      },
      onMessage: (listener) =>
        void parentPort.on('message', (event) => listener(event.data as MainToBackend)),
      // A utilityProcess is ended by Electron together with main: no disconnect to watch.
      onDisconnect: () => {},
      exit,
    }
  }
  return {
    send: (message, sent) => {
      // After main has gone, sending would throw; there is nobody left to tell.
      if (proc.send && proc.connected) proc.send(message, undefined, undefined, () => sent?.())
      else sent?.()
    },
    onMessage: (listener) => void proc.on('message', (m) => listener(m as MainToBackend)),
    onDisconnect: (listener) => void proc.once('disconnect', listener),
    exit,
  }
}
