// Registers the contract on Electron IPC: one ipc.handle per call, sender check first, then the
// call goes on to the backend process, where it is validated and run (main holds no services).
// No electron import, so tests drive it with a fake ipc and fake frames.
import { callNames, type CallEnvelope, type EventName, type Events } from '../../preload/contract'

/** The part of a WebFrameMain the adapter reads. */
export interface FrameLike {
  url: string
}

/** The part of an IpcMainInvokeEvent the adapter reads. */
export interface IpcInvokeEventLike {
  senderFrame?: FrameLike | null
}

/** The part of ipcMain the adapter uses. */
export interface IpcLike {
  handle(
    channel: string,
    listener: (event: IpcInvokeEventLike, ...args: unknown[]) => unknown,
  ): void
  removeHandler?(channel: string): void
}

const INTERNAL_MESSAGE =
  'Something went wrong inside the app. Your data was not changed by this step.'

export interface RegisterOptions {
  /** True only for the app's own page (file:// index.html, or the dev server in development). */
  isTrustedSender(frame: FrameLike): boolean
  log?: (line: string) => void
}

/** Sends a call on to where it is validated and run (the app: the backend process). */
export type Forward = (channel: string, args: unknown) => Promise<CallEnvelope>

/** Registers every call of the contract; returns a function that removes the handlers again. */
export function registerContract(
  ipc: IpcLike,
  forward: Forward,
  opts: RegisterOptions,
): () => void {
  for (const channel of callNames) {
    ipc.handle(channel, async (event, args): Promise<CallEnvelope> => {
      const frame = event?.senderFrame
      if (!frame || !opts.isTrustedSender(frame)) {
        return {
          ok: false,
          error: { code: 'forbidden', message: 'This request did not come from the app window.' },
        }
      }
      try {
        return await forward(channel, args)
      } catch (error) {
        // A forward function answers with envelopes; should one throw, the window still gets one
        // (and the log gets the error's class only: its message may quote patient text).
        const name = error instanceof Error ? error.name : typeof error
        ;(opts.log ?? console.error)(`[cts] internal error forwarding ${channel}: ${name}`)
        return { ok: false, error: { code: 'internal', message: INTERNAL_MESSAGE } }
      }
    })
  }
  return () => {
    for (const channel of callNames) ipc.removeHandler?.(channel)
  }
}

/** Something an event can be sent to: a window's webContents. */
export interface EventSink {
  send(channel: string, payload: unknown): void
  isDestroyed?(): boolean
}

export type Broadcast = <E extends EventName>(event: E, payload: Events[E]) => void

/** `broadcast(event, payload)` sends to every live window that getTargets returns at that moment. */
export function createBroadcast(getTargets: () => Iterable<EventSink>): Broadcast {
  return (event, payload) => {
    for (const target of getTargets()) {
      if (target.isDestroyed?.()) continue
      target.send(event, payload)
    }
  }
}
