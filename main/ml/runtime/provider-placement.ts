// Which graph nodes ran on which execution provider, from onnxruntime's profiling events of a
// session's first run: on a GPU provider a node that fell back to the CPU must be visible.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type * as ort from 'onnxruntime-node'

export interface ProviderPlacement {
  /** Short provider name ('cpu', 'cuda', 'webgpu', …) → how many nodes ran there. */
  nodesByProvider: Record<string, number>
  totalNodes: number
  /** The nodes that ran on the CPU, by op type then name (empty when all ran elsewhere). */
  cpuNodes: { name: string; op: string }[]
}

const SHORT: Record<string, string> = {
  CPUExecutionProvider: 'cpu',
  CUDAExecutionProvider: 'cuda',
  WebGpuExecutionProvider: 'webgpu',
  TensorrtExecutionProvider: 'tensorrt',
  DmlExecutionProvider: 'dml',
}

interface ProfileEvent {
  cat?: string
  name?: string
  args?: { provider?: string; op_name?: string; node_index?: string }
}

/**
 * Node placement from onnxruntime profiling events (the JSON endProfiling writes): one entry per
 * distinct node that ran, however often it ran (Loop bodies run K times).
 */
export function placementFromProfile(events: unknown): ProviderPlacement {
  if (!Array.isArray(events)) throw new Error('the profile is not a list of events')
  const seen = new Map<string, { name: string; op: string; provider: string }>()
  for (const e of events as ProfileEvent[]) {
    if (e?.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || !e.args?.provider) continue
    const name = e.name.slice(0, -'_kernel_time'.length)
    const op = e.args.op_name ?? '?'
    // Unnamed nodes share the empty name: tell them apart by their index and op.
    const key = name ? name : `#${e.args.node_index ?? '?'}:${op}`
    if (!seen.has(key)) seen.set(key, { name: name || key, op, provider: e.args.provider })
  }
  const nodesByProvider: Record<string, number> = {}
  const cpuNodes: { name: string; op: string }[] = []
  for (const n of seen.values()) {
    const p = SHORT[n.provider] ?? n.provider
    nodesByProvider[p] = (nodesByProvider[p] ?? 0) + 1
    if (p === 'cpu') cpuNodes.push({ name: n.name, op: n.op })
  }
  cpuNodes.sort((a, b) => a.op.localeCompare(b.op) || a.name.localeCompare(b.name))
  return { nodesByProvider, totalNodes: seen.size, cpuNodes }
}

/**
 * One line for the user when a GPU session ran nodes on the CPU ("12 of 340 nodes ran on the
 * CPU: Gather ×3, Shape, …"); null when every node ran on the session's provider.
 */
export function placementLine(p: ProviderPlacement, provider: string): string | null {
  if (provider === 'cpu' || p.cpuNodes.length === 0) return null
  const byOp = new Map<string, number>()
  for (const n of p.cpuNodes) byOp.set(n.op, (byOp.get(n.op) ?? 0) + 1)
  const ops = [...byOp].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
  const shown = ops.slice(0, 8).map(([op, n]) => (n > 1 ? `${op} ×${n}` : op))
  const more = ops.length > 8 ? ', …' : ''
  return (
    `${p.cpuNodes.length} of ${p.totalNodes} nodes ran on the CPU instead of ` +
    `${provider.toUpperCase()}: ${shown.join(', ')}${more}`
  )
}

let profileRoot: string | undefined
let counter = 0
const pending = new WeakMap<object, string>()

function root(): string {
  if (!profileRoot) {
    profileRoot = mkdtempSync(join(tmpdir(), 'cts-placement-'))
    const dir = profileRoot
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  }
  return profileRoot
}

/**
 * Session options that make onnxruntime profile the session (only GPU providers: on the CPU
 * every node runs on the CPU by definition, and profiling costs a little on every run until read).
 */
export function withPlacementProfiling(
  provider: string,
  options: ort.InferenceSession.SessionOptions,
  force = false,
): ort.InferenceSession.SessionOptions {
  if (provider === 'cpu' && !force) return options
  const dir = join(root(), String(++counter))
  mkdirSync(dir, { recursive: true })
  return { ...options, enableProfiling: true, profileFilePrefix: join(dir, 'profile') }
}

/** Remember where a session made with withPlacementProfiling's options writes its profile. */
export function trackPlacement<S extends object>(
  session: S,
  options: ort.InferenceSession.SessionOptions,
): S {
  if (options.enableProfiling && options.profileFilePrefix) {
    pending.set(session, join(options.profileFilePrefix, '..'))
  }
  return session
}

/**
 * After the session's first run: stop profiling and report where its nodes ran. Null for a session
 * that was not profiled, or whose placement was read already (profiling stops at the first read).
 */
export function readPlacement(session: ort.InferenceSession): ProviderPlacement | null {
  const dir = pending.get(session)
  if (!dir) return null
  pending.delete(session)
  try {
    session.endProfiling()
    const file = readdirSync(dir).find((f) => f.endsWith('.json'))
    if (!file) return null
    return placementFromProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')))
  } catch {
    // A report is a help, never a reason for a run to fail.
    return null
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** What a run's result records about placement: nothing on the CPU, else the report and its line. */
export function placementFields(
  p: ProviderPlacement | null | undefined,
  provider: string,
): { placement?: ProviderPlacement; placementMessage?: string } {
  if (!p || provider === 'cpu') return {}
  const line = placementLine(p, provider)
  return line ? { placement: p, placementMessage: line } : { placement: p }
}
