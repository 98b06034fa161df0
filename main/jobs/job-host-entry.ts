// Entry of a job process in the desktop app (bundled to out/main/jobs/job-host-entry.js and run
// by utilityProcess): maps parentPort onto process.send first, then starts the shared job worker.
import '../shared/egress-guard-install' // first: before any other module runs
import '../shared/ort-binding-redirect-install' // second: before onnxruntime-node loads
import { adaptParentPort } from './parent-port'

adaptParentPort()
// Imported only now: the worker checks for process.send as soon as it loads.
await import('./job-entry')
