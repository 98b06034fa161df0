// Calls through the same dispatch as the app's bridge (argument validation, error envelopes) for
// the services tests that open a whole workspace, plus a wait for a training run to finish.
import type { CallArgs, CallName, CallResult, RunDto } from '../../../preload/contract'
import { dispatchCall } from '../../../main/web/call-dispatch'
import type { OpenedServices } from '../../../main/web/open-services'

export interface ServicesCaller {
  /** One call; a failed envelope is thrown as an Error carrying its code and message. */
  call<C extends CallName>(name: C, args: CallArgs<C>): Promise<CallResult<C>>
  /** Polls runs/get until the run is no longer 'running'. */
  finished(runId: number): Promise<RunDto>
}

/** `services` is read on each call, so it may be opened later (in beforeAll). */
export function servicesCaller(services: () => OpenedServices): ServicesCaller {
  async function call<C extends CallName>(name: C, args: CallArgs<C>): Promise<CallResult<C>> {
    const envelope = await dispatchCall(services().handlers, name, args, { log: () => {} })
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
