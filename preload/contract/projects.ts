// Projects and their label sets.
import { z } from 'zod'
import { idSchema } from './common'

export type LabelSetKind = 'binary' | 'multiclass' | 'multilabel'

export interface LabelDto {
  id: number
  name: string
  /** 1-based position; also the hotkey (1–9) for the first nine labels. */
  position: number
  color: string
}

export interface ProjectDto {
  id: number
  name: string
  kind: LabelSetKind
  createdAt: string
  textCount: number
  labelledCount: number
  labels: LabelDto[]
}

export const projectsArgs = {
  'projects/list': z.object({}).strict(),
  'projects/get': z.object({ projectId: idSchema }).strict(),
  'projects/create': z
    .object({
      name: z.string().trim().min(1).max(200),
      /** binary = 健康/疾病 (healthy/disease); the others start from `labels`. */
      kind: z.enum(['binary', 'multiclass', 'multilabel']),
      labels: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
    })
    .strict(),
  'projects/rename': z
    .object({ projectId: idSchema, name: z.string().trim().min(1).max(200) })
    .strict(),
  'projects/delete': z.object({ projectId: idSchema, confirmName: z.string() }).strict(),
  'projects/addLabel': z
    .object({ projectId: idSchema, name: z.string().trim().min(1).max(100) })
    .strict(),
}

export interface ProjectsResults {
  'projects/list': ProjectDto[]
  'projects/get': ProjectDto
  'projects/create': ProjectDto
  'projects/rename': ProjectDto
  'projects/delete': { deleted: true }
  'projects/addLabel': ProjectDto
}
