// Pages of a project's texts fetched on demand via 'texts/list', so the table can scroll through
// 100,000 rows while holding only the pages it has shown. A new query drops stale answers.
import { ref, shallowRef, watch, type Ref } from 'vue'
import type { TextRowDto } from '../../preload/contract'
import { cts, errorMessage } from '../api'
import { useAnnotatorsStore } from '../stores/annotators-store'
import { TABLE_MAX_CACHED_PAGES, TABLE_PAGE_SIZE } from '../ui-settings'

export interface TextQuery {
  search?: string
  labelId?: number
  unlabelled?: boolean
}

export function useTextPages(
  projectId: number,
  query: Ref<TextQuery>,
  fallbackError: () => string,
) {
  // Rows as the current annotator sees them (their own labels; blinded double-annotated texts).
  const annotators = useAnnotatorsStore()
  const total = ref<number | null>(null)
  const error = ref('')
  /** Whether any loaded row has an ID from the file (the table hides an all-empty ID column). */
  const hasExternalIds = ref(false)
  // Rows live outside Vue's deep reactivity (100k objects); `version` tells the view to re-read.
  const version = ref(0)
  const pages = shallowRef(new Map<number, TextRowDto[]>())
  const pending = new Set<number>()
  let generation = 0

  async function fetchPage(page: number): Promise<void> {
    if (pages.value.has(page) || pending.has(page)) return
    pending.add(page)
    const gen = generation
    try {
      const { search, labelId, unlabelled } = query.value
      const result = await cts().texts.list({
        projectId,
        offset: page * TABLE_PAGE_SIZE,
        limit: TABLE_PAGE_SIZE,
        search: search || undefined,
        labelId,
        unlabelled: unlabelled || undefined,
        annotator: annotators.annotator,
      })
      if (gen !== generation) return
      pages.value.set(page, result.rows)
      evictFarFrom(page)
      if (result.rows.some((r) => r.externalId !== null)) hasExternalIds.value = true
      total.value = result.total
      error.value = ''
      version.value++
    } catch (e) {
      if (gen === generation) error.value = errorMessage(e, fallbackError())
    } finally {
      pending.delete(page)
    }
  }

  // Long scrolls through 100,000 rows would otherwise keep every page ever shown.
  function evictFarFrom(page: number): void {
    const map = pages.value
    while (map.size > TABLE_MAX_CACHED_PAGES) {
      let farthest = page
      for (const p of map.keys()) if (Math.abs(p - page) > Math.abs(farthest - page)) farthest = p
      map.delete(farthest)
    }
  }

  /** Makes sure rows first..last (inclusive) are loaded or on their way. */
  function ensure(first: number, last: number): void {
    if (last < first) return
    const from = Math.floor(first / TABLE_PAGE_SIZE)
    const to = Math.floor(last / TABLE_PAGE_SIZE)
    for (let p = from; p <= to; p++) void fetchPage(p)
  }

  function rowAt(index: number): TextRowDto | undefined {
    void version.value
    return pages.value.get(Math.floor(index / TABLE_PAGE_SIZE))?.[index % TABLE_PAGE_SIZE]
  }

  /** Drops every page and reloads from the top (after a new query, an import or labelling). */
  async function reset(): Promise<void> {
    generation++
    pending.clear()
    pages.value = new Map()
    hasExternalIds.value = false
    version.value++
    await fetchPage(0)
  }

  watch(query, () => void reset(), { deep: true })

  return { total, error, hasExternalIds, rowAt, ensure, reset }
}
