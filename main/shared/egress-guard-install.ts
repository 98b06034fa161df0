// Imported FIRST by every process entry the app starts (Electron main, backend, jobs, predictor
// threads, the CLI): installs the egress guard before any other module of ours is evaluated.
import { installEgressGuard } from './egress-guard'

installEgressGuard()
