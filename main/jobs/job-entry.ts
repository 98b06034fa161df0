// Entry module of the job process (forked by the CLI, a utilityProcess in the app): registers the
// long-running job kinds and waits for the host's 'start'.
import { runJobWorker } from './job-worker'
import { runTrainJob } from './train-job'
import { runPredictFileJob } from './predict-file-job'

runJobWorker({
  train: runTrainJob,
  'predict-file': runPredictFileJob,
})
