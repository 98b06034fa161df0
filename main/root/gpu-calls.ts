// The 'gpu/…' calls without a workspace, for `cts gpu`: the GPU pack is the machine's, so the
// command needs no --home and works whatever state the workspace is in (locked, absent).
import type { CallEnvelope } from '../../preload/contract'
import type { Publish } from '../services/events'
import { gpuHandlers, type GpuDeps } from '../services/gpu-handlers'
import { dispatchCall, type DispatchOptions } from './dispatch'

export type { GpuDeps }

/** Dispatches 'gpu/status' | 'gpu/install' | 'gpu/remove' through the one validation path. */
export function gpuDispatcher(
  publish: Publish,
  deps: Partial<GpuDeps> = {},
): (name: string, args: unknown, opts?: DispatchOptions) => Promise<CallEnvelope> {
  const handlers = gpuHandlers(publish, deps)
  return (name, args, opts) => dispatchCall(handlers, name, args, opts)
}
