// Entry of the CUDA probe child (issue #14, `cts gpu status`): runs the CUDA check and prints the
// outcome as one JSON line. A child, because a failing CUDA start-up may abort.
import '../../shared/egress-guard-install' // first: before any other module runs
import '../../shared/ort-binding-redirect-install' // second: the binding of the GPU pack
import { runCudaProbe } from './cuda-probe-run'

process.stdout.write(JSON.stringify(await runCudaProbe()) + '\n')
