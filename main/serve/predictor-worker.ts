// Worker-thread entry that hosts a run's model (see worker-predictor.ts): onnxruntime's run()
// holds its thread, so the model lives here and the server's event loop stays free.
import '../shared/egress-guard-install' // first: a worker thread has its own net, dns, fetch
import '../shared/ort-binding-redirect-install' // second: a worker thread has its own loader too
import { parentPort, workerData } from 'node:worker_threads'
import { loadBundlePredictor, loadRunPredictor, type Predictor } from './predictor'
import type { FromWorker, ToWorker, WorkerInit } from './worker-predictor'

const port = parentPort!
const post = (m: FromWorker) => port.postMessage(m)
const { home, runId, bundleDir, options } = workerData as WorkerInit

let predictor: Predictor
try {
  predictor = bundleDir
    ? await loadBundlePredictor(bundleDir, options)
    : await loadRunPredictor(home, runId, options)
  post({ type: 'ready', labels: predictor.labels })
} catch (err) {
  const e = err as { code?: unknown; message?: unknown; name?: string }
  // loadRunPredictor throws CtsErrors with messages made for the user; anything else: class only.
  post({
    type: 'failed',
    code: typeof e.code === 'string' ? e.code : 'internal',
    message:
      e.name === 'CtsError'
        ? String(e.message)
        : `The model of run ${runId} cannot be loaded (${e.name ?? typeof err}).`,
  })
  process.exit(0)
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'release') {
    void predictor.release().finally(() => port.close())
    return
  }
  predictor.predict(m.texts).then(
    (rows) => post({ type: 'rows', id: m.id, rows }),
    // The class only: a model error's message might quote the text it failed on.
    (err: unknown) =>
      post({ type: 'error', id: m.id, name: err instanceof Error ? err.name : typeof err }),
  )
})
