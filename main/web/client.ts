// Browser side of the loopback bridge, bundled by esbuild and served as /cts-bridge.js: defines
// window.cts with the same buildApi as the Electron preload, over fetch and EventSource.
import { buildApi } from '../../preload/build-api'
import type { CallEnvelope, EventName } from '../../preload/contract'

const CALL_PATH = '/api/call/'
const EVENTS_PATH = '/api/events'

// The session token is an HttpOnly cookie, sent by the browser and invisible to page scripts.
async function invoke(channel: string, args: unknown): Promise<CallEnvelope> {
  let response: Response
  try {
    response = await fetch(CALL_PATH + channel, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(args ?? {}),
    })
  } catch {
    return { ok: false, error: { code: 'internal', message: 'The app server is not reachable.' } }
  }
  if ((response.headers.get('content-type') ?? '').includes('application/json')) {
    return (await response.json()) as CallEnvelope
  }
  const message =
    response.status === 401
      ? 'This page has no session. Open the address the server printed.'
      : `The app server answered ${response.status}.`
  return { ok: false, error: { code: response.status === 401 ? 'forbidden' : 'internal', message } }
}

// One EventSource for all events, opened on the first subscription; it reconnects by itself.
let source: EventSource | undefined
const listeners = new Map<string, Set<(payload: unknown) => void>>()

function subscribe(event: EventName, listener: (payload: unknown) => void): () => void {
  source ??= new EventSource(EVENTS_PATH)
  let set = listeners.get(event)
  if (!set) {
    const created = new Set<(payload: unknown) => void>()
    listeners.set(event, created)
    source.addEventListener(event, (message) => {
      const payload = JSON.parse((message as unknown as { data: string }).data) as unknown
      for (const fn of created) fn(payload)
    })
    set = created
  }
  set.add(listener)
  return () => {
    set.delete(listener)
  }
}

Object.defineProperty(globalThis, 'cts', {
  value: buildApi(invoke, subscribe),
  writable: false,
  configurable: false,
  enumerable: true,
})
