// The labelling session: which text is open, the trail of texts seen (for ← and →), the pending
// multi-label choice, and the save state. Every label is committed by main before "saved" shows;
// on an error the session stays on the text. Actions run one after another, in keystroke order.
// The queue order (sequential, uncertainty …) picks each next text; main says why it chose it.
// Every read and write names the current annotator: their share, their own labels, their undo.
// On a team workspace whose server cannot be reached a write fails: "not saved", never "saved".
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type {
  AnnotationDto,
  LabelStatsDto,
  NextReasonDto,
  ProjectDto,
  QueueOrder,
  TextRowDto,
} from '../../preload/contract'
import { cts, errorMessage } from '../api'
import { isTeamUnreachable, type UnreachableFailure } from '../components/team/team-connection'
import { useAnnotatorsStore } from './annotators-store'
import { useWorkspaceStore } from './workspace-store'

export type SaveState = 'idle' | 'saving' | 'saved' | 'error'
export type Note = '' | 'skipped' | 'undone' | 'redone' | 'nothingToUndo' | 'nothingToRedo'

function sameSet(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x))
}

export const useLabellingStore = defineStore('labelling', () => {
  const annotators = useAnnotatorsStore()
  const workspace = useWorkspaceStore()
  const project = ref<ProjectDto | null>(null)
  const trail = ref<number[]>([])
  const cursor = ref(-1)
  const text = ref<TextRowDto | null>(null)
  const selection = ref<number[]>([])
  const positions = new Map<number, number>()
  const position = ref<number | null>(null)
  const stats = ref<LabelStatsDto | null>(null)
  const saveState = ref<SaveState>('idle')
  const error = ref('')
  /** The last failure was the team workspace's server being away: a write (not saved) or a read. */
  const unreachable = ref<UnreachableFailure | null>(null)
  const note = ref<Note>('')
  const done = ref(false)
  const loading = ref(false)
  const unlabelledOnly = ref(true)
  const order = ref<QueueOrder>('sequential')
  /** Why main served each text of the trail (absent for texts opened from the table). */
  const reasons = ref<Record<number, NextReasonDto>>({})
  let queue: Promise<void> = Promise.resolve()
  let ticket = 0
  let dropUpTo = 0
  let fallbackError = 'Something went wrong. Please try again.'
  /** True while the running action waits for a write (set, undo, redo, skip) to be committed. */
  let writing = false

  const multi = computed(() => project.value?.kind === 'multilabel')
  const dirty = computed(
    () => text.value !== null && !sameSet(selection.value, text.value.labelIds),
  )
  const busy = computed(() => loading.value || saveState.value === 'saving')

  /** Runs actions strictly in order; a failure drops the keystrokes already queued behind it. */
  function enqueue(action: () => Promise<void>): Promise<void> {
    const mine = ++ticket
    queue = queue.then(async () => {
      if (mine <= dropUpTo) return
      writing = false
      try {
        await action()
      } catch (e) {
        // A read that failed after a committed label leaves "saved" standing: it is true.
        const lost = isTeamUnreachable(e)
        if (!lost || writing || saveState.value !== 'saved') saveState.value = 'error'
        unreachable.value = lost ? (writing ? 'write' : 'read') : null
        if (lost) workspace.markUnreachable()
        error.value = errorMessage(e, fallbackError)
        dropUpTo = ticket
      } finally {
        writing = false
      }
    })
    return queue
  }

  async function refreshStats(): Promise<void> {
    if (project.value)
      stats.value = await cts().labels.stats({
        projectId: project.value.id,
        annotator: annotators.annotator,
      })
  }

  async function show(textId: number): Promise<void> {
    loading.value = true
    try {
      const row = await cts().texts.get({ textId, annotator: annotators.annotator })
      text.value = row
      selection.value = [...row.labelIds]
      position.value = positions.get(textId) ?? null
      done.value = false
    } finally {
      loading.value = false
    }
  }

  async function fetchNext(afterTextId = text.value?.id): Promise<void> {
    if (!project.value) return
    const next = await cts().texts.next({
      projectId: project.value.id,
      afterTextId,
      unlabelledOnly: unlabelledOnly.value,
      order: order.value,
      annotator: annotators.annotator,
    })
    if (next.textId === null) {
      done.value = true
      text.value = null
      cursor.value = trail.value.length
      return
    }
    positions.set(next.textId, next.position)
    if (next.reason) reasons.value = { ...reasons.value, [next.textId]: next.reason }
    trail.value = [...trail.value.slice(0, cursor.value + 1), next.textId]
    cursor.value = trail.value.length - 1
    await show(next.textId)
  }

  async function goNext(): Promise<void> {
    if (cursor.value < trail.value.length - 1) {
      cursor.value++
      await show(trail.value[cursor.value]!)
    } else if (!done.value) {
      await fetchNext()
    }
  }

  /** Awaits one write; a failure of it is a write's ("not saved"), not a read's. */
  async function write<T>(call: () => Promise<T>): Promise<T> {
    writing = true
    const done = await call()
    writing = false
    return done
  }

  async function save(labelIds: number[]): Promise<void> {
    if (!text.value) return
    saveState.value = 'saving'
    error.value = ''
    const textId = text.value.id
    const saved = await write(() =>
      cts().labels.set({ textId, labelIds, annotator: annotators.annotator }),
    )
    text.value = { ...text.value, labelIds: saved.labelIds }
    selection.value = [...saved.labelIds]
    // Committed by main: "saved" is true now, even if reading the counts fails next.
    saveState.value = 'saved'
    await refreshStats()
  }

  /** Shows the text an undo/redo changed, wherever it is in the trail. */
  async function applyHistory(state: AnnotationDto): Promise<void> {
    if (text.value?.id !== state.textId) {
      const at = trail.value.indexOf(state.textId)
      if (at >= 0) cursor.value = at
      else {
        trail.value = [...trail.value.slice(0, cursor.value + 1), state.textId]
        cursor.value = trail.value.length - 1
      }
    }
    // Re-read rather than trust state.labelIds: the row says how this annotator sees the text
    // (their own labels, blinded or not).
    await show(state.textId)
    await refreshStats()
  }

  function start(
    p: ProjectDto,
    textId: number | null,
    fallback: string,
    queueOrder: QueueOrder = 'sequential',
  ): Promise<void> {
    project.value = p
    order.value = queueOrder
    reasons.value = {}
    fallbackError = fallback
    trail.value = []
    cursor.value = -1
    text.value = null
    done.value = false
    saveState.value = 'idle'
    error.value = ''
    unreachable.value = null
    note.value = ''
    positions.clear()
    return enqueue(async () => {
      await refreshStats()
      if (textId !== null) {
        trail.value = [textId]
        cursor.value = 0
        await show(textId)
      } else {
        await fetchNext()
      }
    })
  }

  function clearError() {
    if (saveState.value === 'error') saveState.value = 'idle'
    error.value = ''
    unreachable.value = null
  }

  /** Key 1–9: single-label kinds save and move on; multi-label toggles until accepted. */
  function choose(index: number): Promise<void> {
    clearError()
    return enqueue(async () => {
      const label = project.value?.labels.find((l) => l.position === index)
      if (!label || !text.value) return
      note.value = ''
      if (multi.value) {
        selection.value = selection.value.includes(label.id)
          ? selection.value.filter((id) => id !== label.id)
          : [...selection.value, label.id]
        return
      }
      selection.value = [label.id]
      await save([label.id])
      await goNext()
    })
  }

  /** Enter or →: commit a changed choice, then move on. */
  function accept(): Promise<void> {
    clearError()
    return enqueue(async () => {
      note.value = ''
      if (dirty.value) await save(selection.value)
      await goNext()
    })
  }

  /** The suggestion's key: saves `labelIds` (the model's choice) and moves on. */
  function acceptLabels(labelIds: number[]): Promise<void> {
    clearError()
    return enqueue(async () => {
      if (!text.value || labelIds.length === 0) return
      note.value = ''
      selection.value = [...labelIds]
      await save(labelIds)
      await goNext()
    })
  }

  /**
   * A new queue order: texts ahead in the trail are dropped, and an open text that is still
   * unlabelled is swapped for the new order's pick, so the choice shows at once.
   */
  function reorder(next: QueueOrder): Promise<void> {
    order.value = next
    return enqueue(async () => {
      trail.value = trail.value.slice(0, cursor.value + 1)
      const open = text.value
      if (open && open.labelIds.length === 0 && trail.value[cursor.value] === open.id) {
        trail.value = trail.value.slice(0, cursor.value)
        cursor.value = trail.value.length - 1
        await fetchNext(trail.value[cursor.value])
      } else if (done.value) {
        done.value = false
        await fetchNext()
      }
    })
  }

  function back(): Promise<void> {
    clearError()
    return enqueue(async () => {
      note.value = ''
      if (cursor.value > 0) {
        cursor.value--
        await show(trail.value[cursor.value]!)
      }
    })
  }

  function skip(): Promise<void> {
    clearError()
    return enqueue(async () => {
      if (!text.value) return
      const textId = text.value.id
      await write(() => cts().labels.skip({ textId }))
      await refreshStats()
      await goNext()
      note.value = 'skipped'
    })
  }

  function undo(): Promise<void> {
    clearError()
    return enqueue(async () => {
      if (!project.value) return
      const projectId = project.value.id
      const state = await write(() =>
        cts().labels.undo({ projectId, annotator: annotators.annotator }),
      )
      if (state === null) {
        note.value = 'nothingToUndo'
        return
      }
      await applyHistory(state)
      note.value = 'undone'
    })
  }

  function redo(): Promise<void> {
    clearError()
    return enqueue(async () => {
      if (!project.value) return
      const projectId = project.value.id
      const state = await write(() =>
        cts().labels.redo({ projectId, annotator: annotators.annotator }),
      )
      if (state === null) {
        note.value = 'nothingToRedo'
        return
      }
      await applyHistory(state)
      note.value = 'redone'
    })
  }

  /** Re-reads the next text after switching "unlabelled only". */
  function restartFromCurrent(): Promise<void> {
    return enqueue(async () => {
      trail.value = trail.value.slice(0, cursor.value + 1)
      if (done.value) {
        done.value = false
        text.value = null
        const last = trail.value[trail.value.length - 1]
        if (last !== undefined) {
          cursor.value = trail.value.length - 1
          await show(last)
        }
        await fetchNext()
      }
    })
  }

  return {
    project,
    text,
    selection,
    position,
    stats,
    saveState,
    error,
    unreachable,
    note,
    done,
    loading,
    busy,
    multi,
    dirty,
    unlabelledOnly,
    order,
    reason: computed(() => (text.value ? reasons.value[text.value.id] : undefined)),
    canGoBack: computed(() => cursor.value > 0),
    start,
    choose,
    accept,
    acceptLabels,
    reorder,
    back,
    skip,
    undo,
    redo,
    restartFromCurrent,
  }
})
