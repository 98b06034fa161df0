// Registers the contract on Electron IPC: one ipc.handle per call, sender check first, then the
// shared validation path. No electron import, so tests drive it with a fake ipc and fake frames.
import { callNames, type CallEnvelope, type EventName, type Events } from '../../preload/contract'
import { dispatchCall, type Handlers } from '../web/call-dispatch'

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

export interface RegisterOptions {
  /** True only for the app's own page (file:// index.html, or the dev server in development). */
  isTrustedSender(frame: FrameLike): boolean
  log?: (line: string) => void
}

/** Registers every call of the contract; returns a function that removes the handlers again. */
export function registerContract(
  ipc: IpcLike,
  handlers: Handlers,
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
      return dispatchCall(handlers, channel, args, { log: opts.log })
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
