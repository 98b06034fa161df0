// How services push events (the contract's Events) without knowing who listens: IPC, the web
// bridge or a CLI progress line.
import type { EventName, Events } from '../../preload/contract'

export type Publish = <E extends EventName>(event: E, payload: Events[E]) => void

/** For callers that do not listen (tests, one-off scripts). */
export const publishNowhere: Publish = () => {}
