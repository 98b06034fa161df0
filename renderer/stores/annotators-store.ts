// Who is labelling: the current annotator profile (chosen at first start, switched from the top
// bar), the profiles known here, and per project the annotation settings and each annotator's
// progress. `generation` changes on every switch so views showing one annotator's labels reload.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type {
  AnnotationProgressDto,
  AnnotationSettingsDto,
  AnnotatorProfileDto,
  AnnotatorsDto,
} from '../../preload/contract'
import { cts, errorMessage } from '../api'
import type { SettingsPatch } from '../components/annotators/settings-form'

export const useAnnotatorsStore = defineStore('annotators', () => {
  const current = ref<string | null>(null)
  const osUser = ref('')
  const profiles = ref<AnnotatorProfileDto[]>([])
  /** True once annotators/list answered (or failed: the app must not wait forever). */
  const loaded = ref(false)
  const chooserOpen = ref(false)
  /** Why the profiles could not be read (the app still opens; labels then go to the OS user). */
  const error = ref('')
  const generation = ref(0)
  const settings = ref<Record<number, AnnotationSettingsDto>>({})
  const progress = ref<Record<number, AnnotationProgressDto>>({})

  /** The name to pass as `annotator` in calls; undefined before a profile is chosen. */
  const annotator = computed(() => current.value ?? undefined)
  /** Known names, the current one first, then by how much each has labelled. */
  const names = computed(() =>
    [...profiles.value]
      .sort(
        (a, b) =>
          Number(b.name === current.value) - Number(a.name === current.value) ||
          b.annotations - a.annotations ||
          a.name.localeCompare(b.name),
      )
      .map((p) => p.name),
  )

  function apply(dto: AnnotatorsDto): void {
    const before = current.value
    current.value = dto.current
    osUser.value = dto.osUser
    profiles.value = dto.profiles
    if (loaded.value && before !== dto.current) generation.value++
  }

  /** Reads the profiles; opens the chooser when none is chosen yet (first start). */
  async function load(): Promise<void> {
    try {
      apply(await cts().annotators.list({}))
      error.value = ''
      if (current.value === null) chooserOpen.value = true
    } catch (e) {
      error.value = errorMessage(e, 'The annotator profiles could not be read.')
    } finally {
      loaded.value = true
    }
  }

  /** Re-reads the names known here (a package or an import may have added one); no switch. */
  async function refreshProfiles(): Promise<void> {
    const dto = await cts().annotators.list({})
    osUser.value = dto.osUser
    profiles.value = dto.profiles
  }

  /** Chooses (and creates when new) the profile later labels are recorded under. */
  async function use(name: string): Promise<void> {
    apply(await cts().annotators.use({ name: name.trim() }))
    chooserOpen.value = false
  }

  /** Opens the chooser to switch; it cannot be dismissed while no profile is chosen. */
  function openChooser(): void {
    chooserOpen.value = true
  }

  function closeChooser(): void {
    if (current.value !== null) chooserOpen.value = false
  }

  async function loadSettings(projectId: number): Promise<AnnotationSettingsDto> {
    const s = await cts().annotation.settings({ projectId })
    settings.value = { ...settings.value, [projectId]: s }
    return s
  }

  async function saveSettings(
    projectId: number,
    patch: SettingsPatch,
  ): Promise<AnnotationSettingsDto> {
    const s = await cts().annotation.setSettings({ projectId, ...patch })
    settings.value = { ...settings.value, [projectId]: s }
    return s
  }

  async function loadProgress(projectId: number): Promise<AnnotationProgressDto> {
    const p = await cts().annotation.progress({ projectId })
    progress.value = { ...progress.value, [projectId]: p }
    return p
  }

  return {
    current,
    osUser,
    profiles,
    loaded,
    chooserOpen,
    error,
    generation,
    settings,
    progress,
    annotator,
    names,
    load,
    refreshProfiles,
    use,
    openChooser,
    closeChooser,
    loadSettings,
    saveSettings,
    loadProgress,
  }
})
