// Child side of a job process run by Electron's utilityProcess: there is no process.send there,
// only process.parentPort, so this maps one onto the other and job-worker runs unchanged.
/** How long a posted message gets to leave the process before a send callback (then exit) runs. */
const FLUSH_BEFORE_CALLBACK_MS = 100

interface ParentPortLike {
  postMessage(message: unknown): void
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown
}

/**
 * Child side, first line of a job entry run by utilityProcess: there is no process.send there,
 * only process.parentPort, so this maps one onto the other and job-worker runs unchanged.
 * Returns false (and does nothing) under child_process.fork, where process.send exists.
 */
export function adaptParentPort(proc: NodeJS.Process = process): boolean {
  const port = (proc as NodeJS.Process & { parentPort?: ParentPortLike }).parentPort
  if (proc.send || !port) return false
  proc.send = ((message: unknown, ...rest: unknown[]) => {
    port.postMessage(message)
    // parentPort has no delivery callback; the worker exits in its callback, so give the message
    // a moment to leave the process before that happens.
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined
    if (callback) setTimeout(callback, FLUSH_BEFORE_CALLBACK_MS)
    return true
  }) as NodeJS.Process['send']
  port.on('message', (event) => {
    ;(proc.emit as (event: string, ...args: unknown[]) => boolean)('message', event.data)
  })
  return true
}
