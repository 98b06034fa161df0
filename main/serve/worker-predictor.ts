// A run's model in a worker thread behind the Predictor interface: the HTTP server keeps reading,
// validating and answering (/health, 4xx) while the model computes, and merges what arrived.
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { CtsError } from '../shared'
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

/** The worker entry next to this module; a .ts entry is loaded through tsx, as the CLI is. */
function startWorker(init: WorkerInit): Worker {
  const entry = new URL(
    `./predictor-worker${extname(fileURLToPath(import.meta.url))}`,
    import.meta.url,
  )
  if (entry.pathname.endsWith('.js')) return new Worker(entry, { workerData: init })
  const tsx = import.meta.resolve('tsx/esm/api')
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}) })`
  return new Worker(boot, { eval: true, workerData: init })
}

/**
 * Like loadRunPredictor (same errors), with the model in its own thread. `onCrash` hears of the
 * thread ending on its own after it was ready (every later predict() then rejects).
 */
export function loadRunPredictorInWorker(
  home: string,
  runId: number,
  onCrash?: (err: Error) => void,
  options: RunPredictorOptions & { bundleDir?: string } = {},
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
