// Projects and their label sets, as the renderer knows them; refreshed from main after each change.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { LabelSetKind, ProjectDto } from '../../preload/contract'
import { cts } from '../api'

export const useProjectsStore = defineStore('projects', () => {
  const projects = ref<ProjectDto[]>([])
  const loaded = ref(false)
  const current = ref<ProjectDto | null>(null)

  const sorted = computed(() =>
    [...projects.value].sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
  )

  async function load(): Promise<void> {
    projects.value = await cts().projects.list({})
    loaded.value = true
  }

  async function create(name: string, kind: LabelSetKind, labels?: string[]): Promise<ProjectDto> {
    const project = await cts().projects.create({ name, kind, labels })
    projects.value = [...projects.value.filter((p) => p.id !== project.id), project]
    return project
  }

  /** Re-reads one project (counts and labels change with imports and labelling). */
  async function refresh(projectId: number): Promise<ProjectDto> {
    const project = await cts().projects.get({ projectId })
    if (current.value?.id === projectId || current.value === null) current.value = project
    const i = projects.value.findIndex((p) => p.id === projectId)
    if (i >= 0) projects.value.splice(i, 1, project)
    return project
  }

  async function open(projectId: number): Promise<ProjectDto> {
    if (current.value?.id !== projectId) current.value = null
    const project = await cts().projects.get({ projectId })
    current.value = project
    return project
  }

  return { projects, sorted, loaded, current, load, create, refresh, open }
})
