// The container: opens the workspace and wires the store-backed services into the contract's
// handlers (projects, datasets/texts, labels, exports). Other containers (jobs, training) merge
// their handlers into the same object; the IPC adapter, web bridge and CLI call the result.
import { userInfo } from 'node:os'
import { callSchemas, type Contract } from '../../preload/contract'
import type { DatasetsResults } from '../../preload/contract/datasets'
import type { ExportsResults } from '../../preload/contract/exports'
import type { LabelsResults } from '../../preload/contract/labels'
import type { ProjectsResults } from '../../preload/contract/projects'
import type { SourceReader } from '../data/types'
import type { Migration } from '../store/migrate'
import { openWorkspace, type Workspace } from '../store/workspace'
import { DatasetsService } from './datasets-service'
import { publishNowhere, type Publish } from './events'
import { ExportsService, type ExportRowsFn } from './exports-service'
import { LabelsService } from './labels-service'
import { ProjectsService } from './projects-service'
import { validArgs } from './valid-args'

/** The calls this container answers. */
export type StoreCallName =
  keyof ProjectsResults | keyof DatasetsResults | keyof LabelsResults | keyof ExportsResults
export type StoreHandlers = Pick<Contract, StoreCallName>

export interface AppServicesOptions {
  /** Workspace directory (--home / CTS_HOME); the database is <home>/workspace.sqlite. */
  home: string
  /** File importers; main/data's sourceReader when omitted. */
  sourceReader?: SourceReader
  /** File writers for exports; main/data's exportRows when omitted. */
  exportRows?: ExportRowsFn
  /** Where pushed events go (import progress as 'jobs/progress'). */
  publish?: Publish
  /** Who the audit log names for actions without an explicit annotator. */
  actor?: string
  /** Tests only: a different migration list. */
  migrations?: readonly Migration[]
}

export interface AppServices {
  handlers: StoreHandlers
  workspace: Workspace
  projects: ProjectsService
  datasets: DatasetsService
  labels: LabelsService
  exports: ExportsService
  /** Closes the database. Call once, after the last handler call has settled. */
  close(): void
}

function defaultActor(): string {
  try {
    return userInfo().username || 'local user'
  } catch {
    return 'local user'
  }
}

async function loadSourceReader(): Promise<SourceReader> {
  return (await import('../data/open-source')).sourceReader
}

async function loadExportRows(): Promise<ExportRowsFn> {
  return (await import('../data/exporters')).exportRows
}

/** Opens the workspace in `home` and returns the handlers for the store-backed calls. */
export function createAppServices(options: AppServicesOptions): AppServices {
  const workspace = openWorkspace(options.home, { migrations: options.migrations })
  const db = workspace.db
  const actor = options.actor ?? defaultActor()
  const publish = options.publish ?? publishNowhere
  // main/data's readers and writers are loaded on first use, so opening a workspace stays fast.
  const reader: SourceReader = options.sourceReader ?? {
    preview: async (input, opts) => (await loadSourceReader()).preview(input, opts),
    records: (input, opts, mapping) => ({
      async *[Symbol.asyncIterator]() {
        yield* (await loadSourceReader()).records(input, opts, mapping)
      },
    }),
  }
  const exportRows: ExportRowsFn =
    options.exportRows ?? (async (format, rows, out) => (await loadExportRows())(format, rows, out))

  const projects = new ProjectsService(db, actor)
  const datasets = new DatasetsService(db, projects, reader, actor, publish)
  const labels = new LabelsService(db, projects, actor)
  const exports = new ExportsService(db, projects, exportRows, actor)
  const s = callSchemas

  const handlers: StoreHandlers = {
    'projects/list': async (a) => {
      validArgs(s['projects/list'], a)
      return projects.list()
    },
    'projects/get': async (a) => projects.get(validArgs(s['projects/get'], a).projectId),
    'projects/create': async (a) => projects.create(validArgs(s['projects/create'], a)),
    'projects/rename': async (a) => {
      const v = validArgs(s['projects/rename'], a)
      return projects.rename(v.projectId, v.name)
    },
    'projects/delete': async (a) => {
      const v = validArgs(s['projects/delete'], a)
      return projects.delete(v.projectId, v.confirmName)
    },
    'projects/addLabel': async (a) => {
      const v = validArgs(s['projects/addLabel'], a)
      return projects.addLabel(v.projectId, v.name)
    },
    'datasets/preview': async (a) => datasets.preview(validArgs(s['datasets/preview'], a)),
    'datasets/import': async (a) => datasets.import(validArgs(s['datasets/import'], a)),
    'texts/list': async (a) => datasets.listTexts(validArgs(s['texts/list'], a)),
    'texts/get': async (a) => datasets.getText(validArgs(s['texts/get'], a).textId),
    'texts/next': async (a) => datasets.next(validArgs(s['texts/next'], a)),
    'texts/splits': async (a) => datasets.splitCounts(validArgs(s['texts/splits'], a).projectId),
    'labels/set': async (a) => labels.set(validArgs(s['labels/set'], a)),
    'labels/skip': async (a) => labels.skip(validArgs(s['labels/skip'], a).textId),
    'labels/undo': async (a) => labels.undo(validArgs(s['labels/undo'], a).projectId),
    'labels/redo': async (a) => labels.redo(validArgs(s['labels/redo'], a).projectId),
    'labels/stats': async (a) => labels.stats(validArgs(s['labels/stats'], a).projectId),
    'exports/texts': async (a) => exports.texts(validArgs(s['exports/texts'], a)),
  }

  return {
    handlers,
    workspace,
    projects,
    datasets,
    labels,
    exports,
    close: () => workspace.close(),
  }
}
