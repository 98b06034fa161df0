// The model in the loop as the labelling view sees it: the project's loop status (settings, the
// in-loop model, the audit estimate, suggestion agreement), the suggestion for the open text and the
// chosen queue order. Status is re-read after each label and polled while a retrain runs.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { LoopStatusDto, QueueOrder, SuggestionDto, CallArgs } from '../../preload/contract'
import { cts, errorMessage } from '../api'
import { LOOP_POLL_MS } from '../ui-settings'

/** The queue orders offered, in menu order (the contract's list holds zod; this one does not). */
export const QUEUE_ORDER_CHOICES: readonly QueueOrder[] = [
  'sequential',
  'uncertainty',
  'diversity',
  'random',
  'mislabelled',
]
const orderKey = (projectId: number) => `cts.queueOrder.${projectId}`

export type LoopSettings = Omit<CallArgs<'loop/settings'>, 'projectId'>

export const useLoopStore = defineStore('loop', () => {
  const projectId = ref<number | null>(null)
  const status = ref<LoopStatusDto | null>(null)
  const suggestion = ref<SuggestionDto | null>(null)
  /** The text whose suggestion (or its absence) is known: no "none" flashes while one loads. */
  const checkedFor = ref<number | null>(null)
  const order = ref<QueueOrder>('sequential')
  const error = ref('')
  let textId: number | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  let fallback = 'Something went wrong. Please try again.'
  // Polls left while a retrain is due but not yet started (debounced in main, or refused).
  let duePolls = 0

  function stopPolling(): void {
    if (timer) clearTimeout(timer)
    timer = null
  }

  /** Starts following a project: its saved queue order and its loop status. */
  async function open(id: number, fallbackError: string): Promise<void> {
    fallback = fallbackError
    stopPolling()
    projectId.value = id
    status.value = null
    suggestion.value = null
    const saved = localStorage.getItem(orderKey(id)) as QueueOrder | null
    order.value = saved && QUEUE_ORDER_CHOICES.includes(saved) ? saved : 'sequential'
    await refresh()
  }

  function close(): void {
    stopPolling()
    projectId.value = null
  }

  /** Re-reads the status; a newer model re-scores the open text; polls while retraining. */
  function refresh(): Promise<void> {
    duePolls = 10
    return poll()
  }

  async function poll(): Promise<void> {
    const id = projectId.value
    if (id === null) return
    try {
      const before = status.value?.model?.trainedAt
      const next = await cts().loop.status({ projectId: id })
      if (projectId.value !== id) return
      status.value = next
      error.value = ''
      if (next.model?.trainedAt !== before) await suggest(textId)
    } catch (e) {
      error.value = errorMessage(e, fallback)
    }
    stopPolling()
    const s = status.value
    const due = !!s && s.enabled && s.newLabelsSinceModel >= s.threshold && duePolls-- > 0
    if (s?.training || due) timer = setTimeout(() => void poll(), LOOP_POLL_MS)
  }

  /** The suggestion for `id` (null: none, hidden, or no text open). */
  async function suggest(id: number | null): Promise<void> {
    textId = id
    if (id === null || !status.value?.showSuggestions) {
      suggestion.value = null
      checkedFor.value = id
      return
    }
    try {
      const s = await cts().loop.suggestion({ textId: id })
      if (textId === id) suggestion.value = s
    } catch (e) {
      if (textId === id) suggestion.value = null
      error.value = errorMessage(e, fallback)
    }
    if (textId === id) checkedFor.value = id
  }

  async function update(settings: LoopSettings): Promise<void> {
    if (projectId.value === null) return
    try {
      status.value = await cts().loop.settings({ projectId: projectId.value, ...settings })
      error.value = ''
    } catch (e) {
      error.value = errorMessage(e, fallback)
    }
    if (settings.showSuggestions !== undefined) await suggest(textId)
    await refresh()
  }

  async function retrain(): Promise<void> {
    if (projectId.value === null) return
    try {
      await cts().loop.retrain({ projectId: projectId.value })
    } catch (e) {
      error.value = errorMessage(e, fallback)
    }
    await refresh()
  }

  function setOrder(next: QueueOrder): void {
    order.value = next
    if (projectId.value !== null) localStorage.setItem(orderKey(projectId.value), next)
  }

  return {
    status,
    suggestion,
    checkedFor,
    order,
    error,
    open,
    close,
    refresh,
    suggest,
    update,
    retrain,
    setOrder,
  }
})
