// A run's model in worker threads behind the Predictor interface: the HTTP server keeps reading,
// validating and answering (/health, 4xx) while the model computes, and merges what arrived.
// Several threads, each with its own session, serve calls side by side (a pool).
import { availableParallelism } from 'node:os'
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { CtsError } from '../shared'
import { PACKAGE_SOURCE_INSTALL } from '../shared/tsx-exec-argv'
import type { Predictor, RunPredictorOptions } from './predictor'

export interface WorkerInit {
  home: string
  runId: number
  /** A run folder to load directly instead of the workspace's run (benchmarks). */
  bundleDir?: string
  options?: RunPredictorOptions
}
export type ToWorker = { type: 'predict'; id: number; texts: string[] } | { type: 'release' }
export type FromWorker =
  | { type: 'ready'; labels: string[] }
  | { type: 'failed'; code: string; message: string }
  | { type: 'rows'; id: number; rows: number[][] }
  | { type: 'error'; id: number; name: string }

/** The worker entry next to this module; a .ts entry is loaded through tsx, as the CLI is (tsx-exec-argv.ts). */
function startWorker(init: WorkerInit): Worker {
  const entry = new URL(
    `./predictor-worker${extname(fileURLToPath(import.meta.url))}`,
    import.meta.url,
  )
  if (entry.pathname.endsWith('.js')) return new Worker(entry, { workerData: init })
  const tsx = import.meta.resolve('tsx/esm/api')
  const hooks = JSON.stringify(PACKAGE_SOURCE_INSTALL)
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${hooks}) }).then(() => import(${JSON.stringify(entry.href)}))`
  return new Worker(boot, { eval: true, workerData: init })
}

export interface WorkerPredictorOptions extends RunPredictorOptions {
  /** A run folder to load directly instead of the workspace's run (benchmarks). */
  bundleDir?: string
  /** Model threads, each with its own session (default defaultModelWorkers()). */
  workers?: number
}

/**
 * Model threads by default: 2 where there are 2 cores or more (each holds its own copy of the
 * model, so no more than measured). One session is busy all the time under 50 clients yet used
 * 1.5 of 2 cores: small merged batches parallelise poorly inside a session (one intra-op thread
 * served 472 requests/s, two 508). On 2 cores, int8 MiniLM, two model threads served 800-900
 * requests/s against 620-700 for one (A/B runs in one invocation, serve-load.ts --before-after;
 * issue #13).
 */
export function defaultModelWorkers(cores = availableParallelism()): number {
  return Math.max(1, Math.min(2, cores))
}

/**
 * Intra-op threads of each session in a pool of `workers`: twice the cores in all. On 2 cores two
 * sessions of 2 threads served as much as two of 1 with the benchmark given priority over other
 * work on the machine (868 against 782 requests/s, 3 rounds each way), and kept far more of the
 * CPU without it (848 against 267 texts/s): ORT's parallel loops hand a waiting thread's blocks
 * to the others, and threads that sleep and wake get a busy CPU back sooner than ones that never
 * yield. Measured on 2 cores only.
 */
export function poolSessionThreads(workers: number, cores = availableParallelism()): number {
  return Math.max(1, Math.ceil((2 * cores) / workers))
}

/**
 * Like loadRunPredictor (same errors), with the model in worker threads (`workers` of them, each
 * its own session). `onCrash` hears of a thread ending on its own after it was ready (every
 * later predict() then rejects); a pool whose thread fails to load frees the others and rejects.
 */
export async function loadRunPredictorInWorker(
  home: string,
  runId: number,
  onCrash?: (err: Error) => void,
  options: WorkerPredictorOptions = {},
): Promise<Predictor> {
  const { workers: n = defaultModelWorkers(), ...rest } = options
  if (n <= 1) return loadOneWorker(home, runId, onCrash, rest)
  const threads = rest.threads ?? poolSessionThreads(n)
  const settled = await Promise.allSettled(
    Array.from({ length: n }, () => loadOneWorker(home, runId, onCrash, { ...rest, threads })),
  )
  const loaded = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  const failed = settled.find((s) => s.status === 'rejected')
  if (failed) {
    await Promise.all(loaded.map((p) => p.release()))
    throw failed.reason
  }
  return predictorPool(loaded)
}

/** Predictors of one model as one: each call goes to the member with the fewest calls under way. */
function predictorPool(members: Predictor[]): Predictor {
  const busy = members.map(() => 0)
  return {
    labels: members[0].labels,
    concurrency: members.length,
    async predict(texts) {
      const i = busy.indexOf(Math.min(...busy))
      busy[i]++
      try {
        return await members[i].predict(texts)
      } finally {
        busy[i]--
      }
    },
    release: async () => {
      await Promise.all(members.map((p) => p.release()))
    },
  }
}

/** One model thread. */
function loadOneWorker(
  home: string,
  runId: number,
  onCrash: ((err: Error) => void) | undefined,
  options: WorkerPredictorOptions,
): Promise<Predictor> {
  const { bundleDir, ...rest } = options
  const worker = startWorker({ home, runId, bundleDir, options: rest })
  const pending = new Map<number, { resolve(rows: number[][]): void; reject(e: Error): void }>()
  let nextId = 1
  let stopped: Error | null = null
  let ready = false
  let releasing = false
  const stop = (err: Error) => {
    if (ready && !releasing && !stopped) onCrash?.(err)
    stopped ??= err
    for (const p of pending.values()) p.reject(stopped)
    pending.clear()
  }
  return new Promise((resolve, reject) => {
    worker.on('error', (err) => {
      const e = new Error(`The model thread failed (${err.name}).`)
      reject(e)
      stop(e)
    })
    worker.on('exit', () => {
      const e = new Error('The model thread has stopped.')
      reject(e)
      stop(e)
    })
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'failed') return reject(new CtsError(m.code, m.message))
      if (m.type === 'ready') {
        ready = true
        return resolve({
          labels: m.labels,
          predict: (texts) =>
            new Promise((res, rej) => {
              if (stopped) return rej(stopped)
              const id = nextId++
              pending.set(id, { resolve: res, reject: rej })
              worker.postMessage({ type: 'predict', id, texts } satisfies ToWorker)
            }),
          release: async () => {
            if (stopped) return
            releasing = true
            const exited = new Promise((r) => worker.once('exit', r))
            worker.postMessage({ type: 'release' } satisfies ToWorker)
            await exited
          },
        })
      }
      const p = pending.get(m.id)
      pending.delete(m.id)
      if (m.type === 'rows') p?.resolve(m.rows)
      else if (p) {
        const e = new Error('The model failed.')
        e.name = m.name
        p.reject(e)
      }
    })
  })
}
