// The one place that creates onnxruntime sessions: chooses the execution provider (cuda → webgpu
// → cpu for 'auto'), falls back to the CPU with a message a user can act on, sets threads, caches.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { dirname, join } from 'node:path'
import * as ort from 'onnxruntime-node'

export type DeviceChoice = 'auto' | 'cpu' | 'cuda' | 'webgpu'
export type Provider = 'cpu' | 'cuda' | 'webgpu'

export interface CreateSessionOptions {
  device?: DeviceChoice
  /** Intra-op threads (default: the number of cores). */
  threads?: number
  /** Reuse the session created earlier under this key (same model bytes are assumed). */
  cacheKey?: string
  /** ORT's CPU memory arena (default on). It never shrinks, so varied shapes may want it off. */
  memArena?: boolean
  /**
   * ORT's memory pattern (default on): one pre-planned block per input shape, cached. Training
   * graphs want it off — see graph-step-runner.ts.
   */
  memPattern?: boolean
  /**
   * ORT's thread pools spin while waiting for work (default on). Inference callers turn it off:
   * on a busy or shared CPU spinning threads steal the cores the other pool thread needs (issue #13).
   */
  spinning?: boolean
}

export interface SessionHandle {
  session: ort.InferenceSession
  /** The provider that actually runs the model (record it in the run). */
  provider: Provider
  /** Set when the asked-for (or, for 'auto', a GPU) provider was not available. */
  fallbackMessage?: string
}

/** How sessions get made; tests replace it to simulate providers that are missing or present. */
export type SessionFactory = (
  model: Uint8Array,
  options: ort.InferenceSession.SessionOptions,
) => Promise<ort.InferenceSession>

const defaultFactory: SessionFactory = async (model, options) => {
  // Without its provider library ORT would only fail after printing a native error log.
  if (options.executionProviders?.[0] === 'cuda' && !cudaLibraryInstalled()) {
    throw new Error('the onnxruntime CUDA provider library is not installed')
  }
  // On Linux, WebGPU (Dawn) needs a Vulkan driver; without one Dawn prints a native warning first.
  if (options.executionProviders?.[0] === 'webgpu' && !vulkanLoaderInstalled()) {
    throw new Error('no Vulkan driver is installed')
  }
  return ort.InferenceSession.create(model, options)
}

const LINUX_LIB_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu',
  '/usr/local/lib',
]

/** Whether WebGPU can find a GPU driver: always assumed on Windows/macOS, the Vulkan loader on Linux. */
export function vulkanLoaderInstalled(): boolean {
  if (process.platform !== 'linux') return true
  return LINUX_LIB_DIRS.some((dir) => existsSync(join(dir, 'libvulkan.so.1')))
}

/** Whether onnxruntime-node's CUDA provider library sits next to its binding. */
export function cudaLibraryInstalled(): boolean {
  try {
    const pkg = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'))
    const dir = join(pkg, 'bin', 'napi-v6', process.platform, process.arch)
    const lib =
      process.platform === 'win32'
        ? 'onnxruntime_providers_cuda.dll'
        : 'libonnxruntime_providers_cuda.so'
    return existsSync(join(dir, lib))
  } catch {
    return false
  }
}

const AUTO_ORDER: Provider[] = ['cuda', 'webgpu', 'cpu']

const HOW_TO_ENABLE: Record<Exclude<Provider, 'cpu'>, string> = {
  cuda:
    'CUDA is not available (an NVIDIA GPU with CUDA 12 and its onnxruntime libraries are needed: ' +
    'reinstall with ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node)',
  webgpu: 'WebGPU is not available (no GPU adapter was found on this computer)',
}

/** Default intra-op thread count: every core. */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism())
}

export class SessionProvider {
  private readonly cache = new Map<string, Promise<SessionHandle>>()
  /** Providers that failed once in this process, with why; not retried. */
  private readonly unavailable = new Map<Provider, string>()

  constructor(private readonly factory: SessionFactory = defaultFactory) {}

  create(model: Uint8Array, opts: CreateSessionOptions = {}): Promise<SessionHandle> {
    if (opts.cacheKey !== undefined) {
      const hit = this.cache.get(opts.cacheKey)
      if (hit) return hit
      const made = this.make(model, opts)
      this.cache.set(opts.cacheKey, made)
      // A failed creation must not stay cached.
      made.catch(() => this.cache.delete(opts.cacheKey!))
      return made
    }
    return this.make(model, opts)
  }

  /** Release and forget one cached session. */
  async release(cacheKey: string): Promise<void> {
    const hit = this.cache.get(cacheKey)
    this.cache.delete(cacheKey)
    if (hit) await (await hit).session.release()
  }

  async releaseAll(): Promise<void> {
    const keys = [...this.cache.keys()]
    await Promise.all(keys.map((k) => this.release(k)))
  }

  private async make(model: Uint8Array, opts: CreateSessionOptions): Promise<SessionHandle> {
    const device = opts.device ?? 'auto'
    const order: Provider[] =
      device === 'auto' ? AUTO_ORDER : device === 'cpu' ? ['cpu'] : [device, 'cpu']
    const base: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: opts.threads ?? defaultThreads(),
      interOpNumThreads: 1,
      enableCpuMemArena: opts.memArena ?? true,
      enableMemPattern: opts.memPattern ?? true,
      graphOptimizationLevel: 'all',
      ...(opts.spinning === false
        ? {
            extra: {
              session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } },
            },
          }
        : {}),
    }
    const skipped: string[] = []
    for (const provider of order) {
      const known = this.unavailable.get(provider)
      if (known) {
        skipped.push(known)
        continue
      }
      try {
        const session = await this.factory(model, {
          ...base,
          executionProviders: [provider],
          // A missing GPU library is reported by us; keep ORT's own error log quiet then.
          logSeverityLevel: provider === 'cpu' ? 2 : 4,
        })
        const fallbackMessage = skipped.length ? fallbackText(device, skipped) : undefined
        return { session, provider, fallbackMessage }
      } catch (err) {
        if (provider === 'cpu') throw err
        const reason = `${HOW_TO_ENABLE[provider]}: ${firstLine(err)}`
        this.unavailable.set(provider, reason)
        skipped.push(reason)
      }
    }
    throw new Error('no execution provider could run the model')
  }
}

function fallbackText(device: DeviceChoice, skipped: string[]): string {
  const head =
    device === 'auto'
      ? 'No GPU is available, so the model runs on the CPU.'
      : `The ${device.toUpperCase()} device was asked for but the model runs on the CPU.`
  return `${head} ${skipped.join('. ')}.`
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  const line = text.split('\n')[0]
  // A native source location ("/onnxruntime_src/…cc:136 …") tells a clinician nothing.
  return /^\/[^ ]+\.(cc|cpp|h):\d+/.test(line)
    ? 'the runtime could not start it'
    : line.slice(0, 200)
}

const shared = new SessionProvider()

/** Create (or reuse, by opts.cacheKey) a session on the best available provider. */
export function createSession(
  model: Uint8Array,
  opts: CreateSessionOptions = {},
): Promise<SessionHandle> {
  return shared.create(model, opts)
}

/** Release a session cached under a key. */
export function releaseSession(cacheKey: string): Promise<void> {
  return shared.release(cacheKey)
}
