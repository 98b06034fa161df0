// Builds window.cts (namespaced: cts.projects.create) from the contract's call names over any
// transport. Pure: the Electron preload and the browser bridge client both use it.
import {
  callNames,
  CtsError,
  eventNames,
  type CallEnvelope,
  type CtsApi,
  type EventName,
  type Events,
} from './contract'

/** Sends one call and resolves with its envelope; it rejects only when the transport itself fails. */
export type Invoke = (channel: string, args: unknown) => Promise<CallEnvelope>
/** Listens to one pushed event; returns the function that stops listening. */
export type Subscribe = (event: EventName, listener: (payload: unknown) => void) => () => void

/** Turns an envelope into its value, or throws the error rebuilt as a CtsError. */
export function unwrapEnvelope<T>(envelope: CallEnvelope<T>): T {
  if (envelope && envelope.ok === true) return envelope.value
  if (envelope && envelope.ok === false && envelope.error) {
    const { code, message, details } = envelope.error
    throw new CtsError(code, message, details)
  }
  throw new CtsError('internal', 'The app sent a reply it could not read.')
}

/** window.cts for one transport. Every call in the contract is present; nothing else is. */
export function buildApi(invoke: Invoke, subscribe: Subscribe): CtsApi {
  const api: Record<string, unknown> = {}
  for (const name of callNames) {
    const [domain, verb] = name.split('/') as [string, string]
    const group = (api[domain] ??= {}) as Record<string, unknown>
    group[verb] = async (args?: unknown) => unwrapEnvelope(await invoke(name, args ?? {}))
  }
  api.on = <E extends EventName>(event: E, listener: (payload: Events[E]) => void) => {
    if (!eventNames.includes(event)) throw new CtsError('bad-input', `Unknown event "${event}".`)
    return subscribe(event, listener as (payload: unknown) => void)
  }
  return freezeDeep(api) as unknown as CtsApi
}

// A frozen object cannot be patched by page scripts to intercept calls.
function freezeDeep<T extends object>(value: T): T {
  for (const inner of Object.values(value)) {
    if (inner && typeof inner === 'object') freezeDeep(inner)
  }
  return Object.freeze(value)
}
