// A small project for the queue and review tests: 8 texts (ids 1–8), labels A, B, C (ids 1–3),
// the queue and review services built over its workspace with a fake model in the loop.
import type { SourceRecord } from '../../../main/data/types'
import { DatasetsService } from '../../../main/services/datasets-service'
import { LabelsService } from '../../../main/services/labels-service'
import { ProjectsService } from '../../../main/services/projects-service'
import { noLoop, QueueService, type LoopQueueSource } from '../../../main/services/queue-service'
import { ReviewService, type OutOfFoldFn } from '../../../main/services/review-service'
import { tempServices, type TempServices } from './fixtures'
import { anyFile, ArrayReader, textMapping } from './test-reader'

export const QUEUE_TEXTS = [
  'Chest pain for three days with sweating.',
  'Shortness of breath and wheezing at night.',
  '患者胸痛三天，伴出汗。',
  'Routine check-up; no complaints.',
  'Cough with fever and green sputum.',
  '咳嗽发热一周，痰多。',
  'Knee pain after a fall, no swelling.',
  'Headache and blurred vision since morning.',
]

/** The fixture's hand-built in-loop probabilities (label ids 1, 2, 3); text 8 is not scored. */
export const PROBS: Record<number, number[]> = {
  1: [0.9, 0.05, 0.05],
  2: [0.4, 0.35, 0.25],
  3: [0.5, 0.3, 0.2],
  4: [0.34, 0.33, 0.33],
  5: [0.6, 0.2, 0.2],
  6: [0.5, 0.48, 0.02],
  7: [0.7, 0.2, 0.1],
}

/** A loop source with the table above (or no model), and optionally an audit sample. */
export function fakeLoop(
  o: { model?: boolean; audit?: number[]; mixEvery?: number; version?: string } = {},
): LoopQueueSource {
  return {
    async modelVersion() {
      return o.model === false ? null : (o.version ?? 'm1')
    },
    async probabilities() {
      if (o.model === false) return null
      return {
        version: o.version ?? 'm1',
        labelIds: [1, 2, 3],
        byText: new Map(Object.entries(PROBS).map(([id, p]) => [Number(id), p])),
      }
    },
    async audit() {
      return o.audit ? { textIds: o.audit, mixEvery: o.mixEvery ?? 10 } : null
    },
  }
}

export interface QueueFixture {
  app: TempServices
  projectId: number
  labels: LabelsService
  datasets: DatasetsService
  review: ReviewService
  /** A fresh queue service (its own caches and audit counter) over the same workspace. */
  queue(loop?: LoopQueueSource): QueueService
}

/** The project (multiclass, A/B/C) with the 8 texts imported, none labelled. */
export async function queueFixture(outOfFold?: OutOfFoldFn): Promise<QueueFixture> {
  const records: SourceRecord[] = QUEUE_TEXTS.map((text, i) => ({ row: i + 2, text }))
  const app = tempServices({ sourceReader: new ArrayReader(() => records) })
  const p = await app.handlers['projects/create']({
    name: 'Queue',
    kind: 'multiclass',
    labels: ['A', 'B', 'C'],
  })
  await app.handlers['datasets/import']({ projectId: p.id, file: anyFile, mapping: textMapping })
  const repos = app.workspace.repos
  const projects = new ProjectsService(repos, 'tester')
  const noJobs = {
    run: () => {
      throw new Error('no jobs in the queue tests')
    },
  }
  const datasets = new DatasetsService(
    repos,
    projects,
    new ArrayReader(() => []),
    'tester',
    noJobs as never,
  )
  const labels = new LabelsService(repos, projects, 'tester')
  const review = new ReviewService(repos, projects, labels, 'tester', outOfFold)
  return {
    app,
    projectId: p.id,
    labels,
    datasets,
    review,
    queue: (loop = noLoop) => new QueueService(repos, projects, datasets, review, loop),
  }
}
