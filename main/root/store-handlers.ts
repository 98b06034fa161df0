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
import type { AnnotatorsService } from '../services/annotators-service'

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
  /** labels/stats as one annotator sees them (issue #12). */
  annotators: AnnotatorsService
}

export function storeHandlers(s: StoreServices): HandlersOf<StoreCallName> {
  const { projects, datasets, labels, exports, queue, annotators } = s
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
    'texts/get': async ({ textId, annotator }) => datasets.getText(textId, annotator),
    'texts/next': async (a) => queue.next(a),
    'texts/splits': async ({ projectId }) => datasets.splitCounts(projectId),
    'labels/set': async (a) => labels.set(a),
    'labels/skip': async ({ textId }) => labels.skip(textId),
    'labels/undo': async ({ projectId, annotator }) => labels.undo(projectId, annotator),
    'labels/redo': async ({ projectId, annotator }) => labels.redo(projectId, annotator),
    'labels/stats': async ({ projectId, annotator }) =>
      (annotator !== undefined ? await annotators.statsFor(projectId, annotator) : null) ??
      labels.stats(projectId),
    'exports/texts': async (a) => exports.texts(a),
  }
}
