// Entry module of the job process (forked by the CLI, a utilityProcess in the app): registers the
// long-running job kinds and waits for the host's 'start'.
import '../shared/egress-guard-install' // first: before any other module runs
import '../shared/ort-binding-redirect-install' // second: before onnxruntime-node loads
import { runJobWorker } from './job-worker'
import { runTestRunJob, runTrainJob } from './train-job'
import { runPredictFileJob } from './predict-file-job'
import { runCvJob } from './cv-job'
import { runStepProbeJob } from './step-probe-job'
import { runLoopTrainJobProcess } from './loop-train-job'
import { runCudaProbeJob } from './cuda-probe-job'

runJobWorker({
  train: runTrainJob,
  'predict-file': runPredictFileJob,
  cv: runCvJob,
  'test-run': runTestRunJob,
  'step-probe': runStepProbeJob,
  'loop-train': runLoopTrainJobProcess,
  'cuda-probe': runCudaProbeJob,
})
