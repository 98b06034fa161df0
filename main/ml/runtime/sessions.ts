// The one place that creates onnxruntime sessions: chooses the execution provider (cuda → webgpu
// → cpu for 'auto'), falls back to the CPU with a message a user can act on, sets threads, caches.
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { gpuPackDir, gpuPackPlatform } from '../../shared/gpu-pack-paths'
import {
  GPU_PACK_PLATFORMS,
  cudaSessionFailedMessage,
  driverTooOldMessage,
  gpuPackDamagedMessage,
  gpuPackNotInstalledMessage,
  gpuPackRestartMessage,
  gpuPackUnsupportedMessage,
  noNvidiaGpuMessage,
  packFileProblems,
} from '../../shared/gpu-messages'
import { driverSupportsCuda, readNvidiaInfo } from '../../shared/nvidia-driver'
import { ortBindingLoadedFrom, quickCheckGpuPack } from '../../shared/ort-binding-redirect'
import { trackPlacement, withPlacementProfiling } from './provider-placement'
import { hasHardwareWebGpuAdapter, webgpuUnavailableText } from './webgpu-adapter'

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
  // Without the GPU pack ORT would only fail after printing a native error log; say what to do.
  if (options.executionProviders?.[0] === 'cuda' && !cudaLibraryInstalled()) {
    throw new ProviderUnavailableError(cudaUnavailableReason())
  }
  // On Linux, WebGPU (Dawn) needs a Vulkan driver; without one Dawn prints a native warning first.
  if (options.executionProviders?.[0] === 'webgpu' && !vulkanLoaderInstalled()) {
    throw new Error('no Vulkan driver is installed')
  }
  try {
    return await ort.InferenceSession.create(model, options)
  } catch (err) {
    // The pack is whole and loaded, yet CUDA did not start (no device, a driver problem).
    if (options.executionProviders?.[0] !== 'cuda') throw err
    throw new ProviderUnavailableError(cudaSessionFailedMessage(firstLine(err)))
  }
}

/** A provider that cannot run, with a message made for the user (kept whole, not cut). */
export class ProviderUnavailableError extends Error {}

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

/**
 * Whether onnxruntime's CUDA provider can load: this process loaded onnxruntime-node's binding
 * from a whole NVIDIA GPU pack (main/shared/ort-binding-redirect.ts), so the provider and
 * NVIDIA's libraries sit beside onnxruntime's own library.
 */
export function cudaLibraryInstalled(): boolean {
  return ortBindingLoadedFrom() !== null
}

/**
 * Why CUDA cannot run in this process, as the one next step for the user: no NVIDIA GPU, a
 * driver older than CUDA 13 needs, the GPU pack not installed or damaged, or installed after
 * this process started.
 */
export function cudaUnavailableReason(): string {
  const platform = gpuPackPlatform()
  if (!GPU_PACK_PLATFORMS.includes(platform)) return gpuPackUnsupportedMessage(platform)
  const nvidia = readNvidiaInfo()
  if (!nvidia.present) return noNvidiaGpuMessage()
  if (!driverSupportsCuda(nvidia.driver)) return driverTooOldMessage(nvidia.driver ?? 'unknown')
  const pack = quickCheckGpuPack(gpuPackDir())
  if (pack.state === 'not-installed') return gpuPackNotInstalledMessage()
  if (pack.state === 'damaged') {
    return gpuPackDamagedMessage([
      ...(pack.mismatch ? [pack.mismatch] : []),
      ...packFileProblems(pack.files),
    ])
  }
  return gpuPackRestartMessage()
}

/** 'auto' never picks a software (CPU) WebGPU adapter such as lavapipe: it is slower than the CPU provider. */
const autoOrder = (): Provider[] =>
  hasHardwareWebGpuAdapter() ? ['cuda', 'webgpu', 'cpu'] : ['cuda', 'cpu']

const HOW_TO_ENABLE: Record<Exclude<Provider, 'cpu'>, string> = {
  // The reason that follows is the next step itself (main/shared/gpu-messages.ts).
  cuda: 'CUDA is not available',
  get webgpu() {
    return webgpuUnavailableText()
  },
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
      device === 'auto' ? autoOrder() : device === 'cpu' ? ['cpu'] : [device, 'cpu']
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
        // On a GPU provider the first run is profiled: provider-placement.ts reads where nodes ran.
        const options = withPlacementProfiling(provider, {
          ...base,
          executionProviders: [provider],
          // A missing GPU library is reported by us; keep ORT's own error log quiet then.
          logSeverityLevel: provider === 'cpu' ? 2 : 4,
        })
        const session = trackPlacement(await this.factory(model, options), options)
        const fallbackMessage = skipped.length ? fallbackText(device, skipped) : undefined
        return { session, provider, fallbackMessage }
      } catch (err) {
        if (provider === 'cpu') throw err
        const why = err instanceof ProviderUnavailableError ? err.message : firstLine(err)
        const reason = `${HOW_TO_ENABLE[provider]}: ${why}`
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
  // A reason may end with its own full stop (a whole sentence from gpu-messages.ts).
  return `${head} ${skipped.map((s) => s.replace(/\.$/, '')).join('. ')}.`
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  const line = text.split('\n')[0]
  // A native source location ("/onnxruntime_src/…cc:136 …") tells a clinician nothing; the cause
  // inside the line does ("CUDA failure 100: no CUDA-capable device is detected").
  if (!/^\/[^ ]+\.(cc|cpp|h):\d+/.test(line)) return line.slice(0, 200)
  return nativeErrorCause(line)?.slice(0, 200) ?? 'the runtime could not start it'
}

/**
 * The cause inside an onnxruntime error line that starts with a native source location
 * ("/onnxruntime_src/…cuda_call.cc:154 … CUDA failure 100: no CUDA-capable device is detected ;
 * …"), or undefined when the line is not one of those or names no cause.
 */
export function nativeErrorCause(line: string): string | undefined {
  if (!/^\/[^ ]+\.(cc|cpp|h):\d+/.test(line)) return undefined
  const cause =
    /\b(?:CUDA|CUDNN|CUBLAS|CURAND|CUFFT) failure \d+: [^;]+/i.exec(line)?.[0] ??
    / was false\. (.+)$/.exec(line)?.[1]
  return cause?.trim()
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
