// Entry of the backend process (bundled to out/main/backend/backend-entry.js and run by Electron's
// utilityProcess; tests and tools run it with child_process.fork): the workspace lives here.
import '../shared/egress-guard-install' // first: before any other module runs
import '../shared/ort-binding-redirect-install' // second: before onnxruntime-node loads
import { serveBackend } from './backend-server'
import { mainPort } from './main-port'

serveBackend(mainPort())
