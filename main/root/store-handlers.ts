// The store-backed calls (projects, datasets/texts, labels, exports) as contract handlers over
// their services. Arguments arrive parsed by the dispatch boundary (main/root/dispatch.ts).
import type { HandlersOf } from '../../preload/contract'
import type { DatasetsResults } from '../../preload/contract/datasets'
import type { ExportsResults } from '../../preload/contract/exports'
import type { LabelsResults } from '../../preload/contract/labels'
import type { ProjectsResults } from '../../preload/contract/projects'
import type { DatasetsService } from '../services/datasets-service'
import type { ExportsService } from '../services/exports-service'
import type { LabelsService } from '../services/labels-service'
import type { ProjectsService } from '../services/projects-service'
import type { QueueService } from '../services/queue-service'

/** The calls these handlers answer. */
export type StoreCallName =
  keyof ProjectsResults | keyof DatasetsResults | keyof LabelsResults | keyof ExportsResults

export interface StoreServices {
  projects: ProjectsService
  datasets: DatasetsService
  labels: LabelsService
  exports: ExportsService
  /** texts/next: the sequential order (datasets) or another queue order (issue #11). */
  queue: QueueService
}

export function storeHandlers(s: StoreServices): HandlersOf<StoreCallName> {
  const { projects, datasets, labels, exports, queue } = s
  return {
    'projects/list': async () => projects.list(),
    'projects/get': async ({ projectId }) => projects.get(projectId),
    'projects/create': async (a) => projects.create(a),
    'projects/rename': async ({ projectId, name }) => projects.rename(projectId, name),
    'projects/delete': async ({ projectId, confirmName }) =>
      projects.delete(projectId, confirmName),
    'projects/addLabel': async ({ projectId, name }) => projects.addLabel(projectId, name),
    'datasets/preview': async (a) => datasets.preview(a),
    'datasets/import': async (a) => datasets.import(a),
    'texts/list': async (a) => datasets.listTexts(a),
    'texts/get': async ({ textId }) => datasets.getText(textId),
    'texts/next': async (a) => queue.next(a),
    'texts/splits': async ({ projectId }) => datasets.splitCounts(projectId),
    'labels/set': async (a) => labels.set(a),
    'labels/skip': async ({ textId }) => labels.skip(textId),
    'labels/undo': async ({ projectId }) => labels.undo(projectId),
    'labels/redo': async ({ projectId }) => labels.redo(projectId),
    'labels/stats': async ({ projectId }) => labels.stats(projectId),
    'exports/texts': async (a) => exports.texts(a),
  }
}
