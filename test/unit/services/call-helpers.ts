// Calls through the same dispatch as the app's bridge (argument validation, error envelopes) for
// the services tests that open a whole workspace, plus a wait for a training run to finish.
import {
  CtsError,
  type CallArgs,
  type CallName,
  type CallResult,
  type HandlersOf,
  type RunDto,
} from '../../../preload/contract'
import type { Backend } from '../../../main/root/boot'
import { dispatchCall, type Handlers } from '../../../main/root/dispatch'

export interface ServicesCaller {
  /** One call; a failed envelope is thrown as an Error carrying its code and message. */
  call<C extends CallName>(name: C, args: CallArgs<C>): Promise<CallResult<C>>
  /** Polls runs/get until the run is no longer 'running'. */
  finished(runId: number): Promise<RunDto>
}

/** `services` is read on each call, so it may be opened later (in beforeAll). */
export function servicesCaller(services: () => Backend): ServicesCaller {
  async function call<C extends CallName>(name: C, args: CallArgs<C>): Promise<CallResult<C>> {
    const envelope = await services().dispatch(name, args, { log: () => {} })
    if (!envelope.ok) throw Object.assign(new Error(envelope.error.message), envelope.error)
    return envelope.value as CallResult<C>
  }
  async function finished(runId: number): Promise<RunDto> {
    for (;;) {
      const r = await call('runs/get', { runId })
      if (r.status !== 'running') return r
      await new Promise((res) => setTimeout(res, 100))
    }
  }
  return { call, finished }
}

/**
 * A service's handlers as a transport calls them: through the dispatch boundary, which validates
 * the arguments once; a failed envelope is thrown as a CtsError.
 */
export function viaDispatch<C extends CallName>(
  handlers: HandlersOf<C>,
): { [K in C]: (args: CallArgs<K>) => Promise<CallResult<K>> } {
  const out: Record<string, (args: unknown) => Promise<unknown>> = {}
  for (const name of Object.keys(handlers)) {
    out[name] = async (args) => {
      const envelope = await dispatchCall(handlers as Handlers, name, args, { log: () => {} })
      if (envelope.ok) return envelope.value
      throw new CtsError(envelope.error.code, envelope.error.message, envelope.error.details)
    }
  }
  return out as { [K in C]: (args: CallArgs<K>) => Promise<CallResult<K>> }
}
