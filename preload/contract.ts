// The one contract between the renderer and main: every call ('domain/verb') with its argument
// schema and result type, and every pushed event. Types only for the renderer; no environment.
import type { z } from 'zod'
import { projectsArgs, type ProjectsResults } from './contract/projects'
import { datasetsArgs, type DatasetsResults } from './contract/datasets'
import { labelsArgs, type LabelsResults } from './contract/labels'
import { exportsArgs, type ExportsResults } from './contract/exports'
import { jobsArgs, type JobsResults, type JobProgressDto } from './contract/jobs'
import { trainingArgs, type TrainingResults } from './contract/training'
import { evaluationArgs, type EvaluationResults } from './contract/evaluation'
import { reportsArgs, type ReportsResults } from './contract/reports'
import { modelsArgs, type ModelsResults } from './contract/models'
import { modelChoiceArgs, type ModelChoiceResults } from './contract/model-choice'
import { predictArgs, type PredictResults } from './contract/predict'
import { cvArgs, type CvResults } from './contract/cv'
import { studiesArgs, type StudiesResults } from './contract/studies'
import { simulateArgs, type SimulateResults } from './contract/simulate'
import { loopArgs, type LoopResults } from './contract/loop'
import { annotatorsArgs, type AnnotatorsResults } from './contract/annotators'
import { agreementArgs, type AgreementResults } from './contract/agreement'
import { packagesArgs, type PackagesResults } from './contract/packages'
import { auditArgs, type AuditResults } from './contract/audit'
import { deidArgs, type DeidResults } from './contract/deid'
import { workspaceArgs, type TeamConnectionDto, type WorkspaceResults } from './contract/workspace'
import { gpuArgs, type GpuResults, type GpuProgressDto } from './contract/gpu'
import type { CtsErrorDto } from './contract/common'

export * from './contract/common'
export type * from './contract/projects'
export type * from './contract/datasets'
export type * from './contract/labels'
export type * from './contract/exports'
export type * from './contract/jobs'
export type * from './contract/training'
export type * from './contract/evaluation'
export type * from './contract/reports'
export type * from './contract/models'
export type * from './contract/model-choice'
export type * from './contract/predict'
export type * from './contract/cv'
export type * from './contract/studies'
export type * from './contract/simulate'
export type * from './contract/loop'
export * from './contract/annotators'
export type * from './contract/agreement'
export type * from './contract/packages'
export type * from './contract/audit'
export type * from './contract/workspace'
export type * from './contract/deid'
export type * from './contract/gpu'

/** Argument schemas of every call, validated by main before any service runs. */
export const callSchemas = {
  ...projectsArgs,
  ...datasetsArgs,
  ...labelsArgs,
  ...exportsArgs,
  ...jobsArgs,
  ...trainingArgs,
  ...evaluationArgs,
  ...reportsArgs,
  ...modelsArgs,
  ...modelChoiceArgs,
  ...predictArgs,
  ...cvArgs,
  ...studiesArgs,
  ...simulateArgs,
  ...loopArgs,
  ...annotatorsArgs,
  ...agreementArgs,
  ...packagesArgs,
  ...auditArgs,
  ...workspaceArgs,
  ...deidArgs,
  ...gpuArgs,
}

export type CallName = keyof typeof callSchemas
export type CallArgs<C extends CallName> = z.input<(typeof callSchemas)[C]>
export type CallResults = ProjectsResults &
  DatasetsResults &
  LabelsResults &
  ExportsResults &
  JobsResults &
  TrainingResults &
  EvaluationResults &
  ReportsResults &
  ModelsResults &
  ModelChoiceResults &
  PredictResults &
  CvResults &
  StudiesResults &
  SimulateResults &
  LoopResults &
  AnnotatorsResults &
  AgreementResults &
  PackagesResults &
  AuditResults &
  WorkspaceResults &
  DeidResults &
  GpuResults
export type CallResult<C extends CallName> = CallResults[C]

/** The flat contract main implements: one async function per call. */
export type Contract = { [C in CallName]: (args: CallArgs<C>) => Promise<CallResult<C>> }

/** A call's arguments after the dispatch boundary parsed them (defaults filled, values checked). */
export type ValidArgs<C extends CallName> = z.output<(typeof callSchemas)[C]>

/**
 * What main implements: one handler per call, given the schema's OUTPUT (validated once, at
 * dispatch). A mapped type over every CallName, so a call without a handler fails the typecheck.
 */
export type ServiceHandlers = {
  [C in CallName]: (args: ValidArgs<C>) => Promise<CallResult<C>>
}

/** The handlers of some calls (a service's share of ServiceHandlers). */
export type HandlersOf<C extends CallName> = Pick<ServiceHandlers, C>

/** Events main pushes to every window. */
export interface Events {
  'jobs/progress': JobProgressDto
  /** While 'gpu/install' runs: download, verify, extract … done. */
  'gpu/progress': GpuProgressDto
  /** A team workspace's connection changed: connected ↔ reconnecting (issue #17 point 5). */
  'workspace/connection': TeamConnectionDto
}
export type EventName = keyof Events
export const eventNames: EventName[] = ['jobs/progress', 'gpu/progress', 'workspace/connection']

/** Channel names as a runtime list (the preload and the web client build window.cts from it). */
export const callNames = Object.keys(callSchemas) as CallName[]

type Domain = CallName extends `${infer D}/${string}` ? D : never

/** window.cts: `window.cts.projects.create(args)` for `'projects/create'`, plus `on(event, cb)`. */
export type CtsApi = {
  [D in Domain]: {
    [C in CallName as C extends `${D}/${infer V}` ? V : never]: Contract[C]
  }
} & {
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void
}

/** What every call returns over a transport (IPC or HTTP); rebuilt into a value or a CtsError. */
export type CallEnvelope<T = unknown> = { ok: true; value: T } | { ok: false; error: CtsErrorDto }
