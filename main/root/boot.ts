// The composition root: the one place that opens a workspace and constructs the services, the job
// service and their contract handlers. The desktop backend, the web bridge, the CLI and `cts serve`
// all call boot(); nothing else constructs services.
import { userInfo } from 'node:os'
import { join } from 'node:path'
import type { CallEnvelope, ServiceHandlers } from '../../preload/contract'
import type { SourceReader } from '../data/types'
import { ForkHost, jobEntryPath } from '../jobs/fork-host'
import type { JobHost } from '../jobs/job-protocol'
import { JobService } from '../jobs/job-service'
import { AnnotatorsService } from '../services/annotators-service'
import { AuditService, auditTrail } from '../services/audit-service'
import { AdjudicationService } from '../services/adjudication-service'
import { AgreementService } from '../services/agreement-service'
import { CvService } from '../services/cv-service'
import { DatasetsService } from '../services/datasets-service'
import { DeidService } from '../services/deid-service'
import { EvaluationService } from '../services/evaluation-service'
import { publishNowhere, type Publish } from '../services/events'
import { ExportsService, type ExportRowsFn } from '../services/exports-service'
import { gpuHandlers, type GpuDeps } from '../services/gpu-handlers'
import { LabelsService } from '../services/labels-service'
import { LoopService, type LoopOptions } from '../services/loop-service'
import { ModelChoiceService } from '../services/model-choice-service'
import { PackagesService } from '../services/packages-service'
import { modelsHandlers } from '../services/models-handlers'
import { MODELS_DIR, ModelsService } from '../services/models-service'
import { PredictionsService, trainedRunDir } from '../services/predictions-service'
import { ProjectsService } from '../services/projects-service'
import { loopQueueSource, QueueService } from '../services/queue-service'
import { ReviewService } from '../services/review-service'
import { ReportsService, type PdfPrinter } from '../services/reports-service'
import { RunsService } from '../services/runs-service'
import { simulateHandlers } from '../services/simulate'
import { StudyService } from '../services/study-service'
import { TrainingService } from '../services/training-service'
import { TokensService } from '../services/tokens-service'
import type { Migration } from '../store/migrate'
import type { SecretStore } from '../shared/secret-store'
import { openAnyWorkspace, type AnyWorkspace } from '../store/pg/open-team'
import { PgRunArtifacts } from '../store/pg/run-artifacts'
import { dispatchCall, type DispatchOptions } from './dispatch'
import { storeHandlers } from './store-handlers'
import { workspaceHandlers } from './workspace-handlers'

export type { Publish, PdfPrinter, JobHost, DispatchOptions }

export interface BootOptions {
  /** Workspace folder (--home / CTS_HOME); the database is <home>/workspace.sqlite. */
  home: string
  /** Where pushed events go (IPC, the web bridge's event stream, a CLI progress line). */
  publish?: Publish
  /** Where job processes run: child_process.fork unless given (the desktop app: utilityProcess). */
  jobHost?: JobHost
  /** How reports become PDF: headless Chromium unless given (the desktop app: printToPDF). */
  printPdf?: PdfPrinter
  /** Who the audit log names for actions without an explicit annotator. */
  actor?: string
  /** Tests only: a different migration list. */
  migrations?: readonly Migration[]
  /** A study's own messages (estimates, skips, the decision): the CLI prints them on stderr. */
  onStudyMessage?: (studyId: number, message: string) => void
  /** Tests only: file importers other than main/data's. */
  sourceReader?: SourceReader
  /** Tests only: file writers for exports other than main/data's. */
  exportRows?: ExportRowsFn
  /** Tests and benchmarks only: the model in the loop's debounce and feature budget. */
  loop?: LoopOptions
  /** Tests only: the GPU pack's status, installer and removal (the fuzzer must not download). */
  gpu?: Partial<GpuDeps>
  /** Where a team server's password is kept: the CLI's 0600 file unless given (issue #17). */
  secrets?: SecretStore
}

export interface Backend {
  readonly home: string
  /** Every call of the contract, typed: a call without a handler fails the typecheck. */
  readonly handlers: ServiceHandlers
  /** The one validation path: name check, schema parse (once), handler, envelope. */
  dispatch(name: string, args: unknown, opts?: DispatchOptions): Promise<CallEnvelope>
  /** The folder of a run that finished training (`cts serve` loads its model from there). */
  trainedRunDir(runId: number): Promise<string>
  /** `cts serve`'s named API tokens (not a contract call: only the CLI manages them). */
  readonly tokens: TokensService
  /** Stops running jobs, releases model sessions, then closes the workspace. Idempotent. */
  shutdown(): Promise<void>
}

function defaultActor(): string {
  try {
    return userInfo().username || 'local user'
  } catch {
    return 'local user'
  }
}

// main/data's readers and writers are loaded on first use, so opening a workspace stays fast.
async function loadSourceReader(): Promise<SourceReader> {
  return (await import('../data/open-source')).sourceReader
}
const lazySourceReader: SourceReader = {
  preview: async (input, opts) => (await loadSourceReader()).preview(input, opts),
  records: (input, opts, mapping) => ({
    async *[Symbol.asyncIterator]() {
      yield* (await loadSourceReader()).records(input, opts, mapping)
    },
  }),
}
const lazyExportRows: ExportRowsFn = async (format, rows, out) =>
  (await import('../data/exporters')).exportRows(format, rows, out)

/**
 * Opens the workspace in `home` (the team workspace on its server when the folder is bound to one,
 * else the local SQLite one) and wires every service and handler of the contract.
 */
export async function boot(options: BootOptions): Promise<Backend> {
  const workspace = await openAnyWorkspace(options.home, {
    migrations: options.migrations,
    ...(options.secrets ? { secrets: options.secrets } : {}),
  })
  try {
    return bootWorkspace(workspace, options)
  } catch (error) {
    await workspace.close()
    throw error
  }
}

/**
 * boot() on a workspace the caller opened (tests that also read its database). The backend owns
 * it from here: shutdown() closes it.
 */
export function bootWorkspace(
  workspace: AnyWorkspace,
  options: Omit<BootOptions, 'home' | 'migrations' | 'secrets'>,
): Backend {
  const { home } = workspace
  // A team workspace knows its people by their logins (issue #17 point 3), not this computer's user.
  const actor = options.actor ?? (workspace.kind === 'team' ? workspace.team.user : defaultActor())
  const publish = options.publish ?? publishNowhere
  // A team workspace's connected ↔ reconnecting changes go to every window (issue #17 point 5).
  const unwatchConnection =
    workspace.kind === 'team'
      ? workspace.pg.connection?.onChange((c) => publish('workspace/connection', c))
      : undefined
  const modelsDir = join(home, MODELS_DIR)

  // One job service for job processes and in-process jobs (imports), so jobs/list shows them all.
  const jobHost = options.jobHost ?? new ForkHost({ entry: jobEntryPath() })
  const jobs = new JobService({
    host: jobHost,
    publish,
    // Job processes of an encrypted workspace get its artifact key in their start message (#15).
    ...(workspace.artifactKey
      ? { encryptedWorkspace: { home, artifactKey: workspace.artifactKey } }
      : {}),
  })

  // Store-backed services.
  const projects = new ProjectsService(workspace.repos, actor)
  // Profiles, double annotation and label policy (issue #12); label writes default to its profile.
  const annotators = new AnnotatorsService(workspace.repos, projects, actor)
  // Training, prediction, model export and reports append to the audit log as the current profile.
  const audit = auditTrail(workspace.repos, () => annotators.currentAnnotator())
  const datasets = new DatasetsService(
    workspace.repos,
    projects,
    options.sourceReader ?? lazySourceReader,
    actor,
    jobs,
  )
  // The model in the loop: label writes tell it; it retrains in 'loop-train' jobs (issue #11).
  const loop = new LoopService(workspace.repos, projects, jobs, join(home, 'loop'), options.loop)
  const labels = new LabelsService(workspace.repos, projects, actor, (projectId) =>
    loop.labelled(projectId),
  )
  // The labelling queue's orders and the label-error review (issue #11).
  const review = new ReviewService(workspace.repos, projects, labels, actor)
  const queue = new QueueService(
    workspace.repos,
    projects,
    datasets,
    review,
    loopQueueSource(loop, workspace.repos),
  )
  const exports = new ExportsService(
    workspace.repos,
    projects,
    options.exportRows ?? lazyExportRows,
    actor,
  )

  // Agreement between annotators and adjudication (issue #12); training records labelProvenance.
  const agreement = new AgreementService(workspace.repos, projects)

  // Runs, training, studies, cross-validation.
  // Run artifacts holding patient text are encrypted in an encrypted workspace (issue #15).
  // A team workspace keeps finished runs' files in its database too (issue #17 point 6).
  const runs = new RunsService(
    workspace.repos,
    workspace.runsDir,
    workspace.artifactKey,
    workspace.kind === 'team' ? new PgRunArtifacts(workspace.pg) : undefined,
  )
  const models = new ModelsService({ home })
  // 'default' follows the texts: which installed model that is, and why (train view, CLI, studies).
  const modelChoice = new ModelChoiceService(models, workspace.repos)
  const training = new TrainingService(runs, jobs, workspace.repos, {
    modelsDir,
    modelChoice,
    // Each run from a project records its annotators, gold-label policy and agreement (#12).
    labelProvenance: (projectId) => agreement.labelProvenance(projectId),
    audit,
  })
  const studies = new StudyService(training, runs, jobs, workspace.repos, {
    onMessage: options.onStudyMessage,
  })
  const cv = new CvService(home, jobs, training, runs, workspace.repos)
  const predictions = new PredictionsService(runs, jobs, audit)
  const jobHandlers = jobs.handlers()

  const handlers: ServiceHandlers = {
    ...storeHandlers({ projects, datasets, labels, exports, queue, annotators }),
    ...annotators.handlers(),
    ...new AuditService(workspace.repos).handlers(),
    'review/list': async (a) => review.list(a),
    'review/decide': async (a) => review.decide(a),
    ...loop.handlers(),
    'jobs/list': async (a) => jobHandlers['jobs/list'](a),
    'jobs/cancel': async (a) => jobHandlers['jobs/cancel'](a),
    ...training.handlers(),
    ...studies.handlers(),
    ...cv.handlers(),
    ...new EvaluationService(runs).handlers(),
    ...new ReportsService(runs, {
      store: workspace.repos,
      printPdf: options.printPdf,
      crossValidation: (projectId) => cv.latest(projectId),
      audit,
    }).handlers(),
    ...modelsHandlers(models),
    ...modelChoice.handlers(),
    ...predictions.handlers(),
    ...simulateHandlers(),
    // Annotation packages between installations (issue #12 point 3).
    ...new PackagesService(workspace.repos, projects, actor, (id) => loop.labelled(id)).handlers(),
    ...agreement.handlers(),
    // Encryption status and unlock (issue #15 point 2).
    ...workspaceHandlers(workspace),
    ...new AdjudicationService(workspace.repos, projects, agreement, actor).handlers(),
    // De-identification preview before an import (issue #15 point 3).
    ...new DeidService(projects, options.sourceReader ?? lazySourceReader).handlers(),
    // The NVIDIA GPU pack: machine-level, not the workspace's (issue #14 point 1).
    // Its CUDA check runs in a job process: the app's backend cannot fork Node.
    ...gpuHandlers(publish, { jobHost, ...options.gpu }),
  }

  let closing: Promise<void> | undefined
  return {
    home,
    handlers,
    dispatch: (name, args, opts) => dispatchCall(handlers, name, args, opts),
    trainedRunDir: async (runId) => trainedRunDir(runs, runId),
    tokens: new TokensService(workspace.repos, actor),
    shutdown: () =>
      (closing ??= (async () => {
        try {
          await predictions.dispose()
        } finally {
          loop.dispose()
          jobs.dispose()
          unwatchConnection?.()
          await workspace.close()
        }
      })()),
  }
}
