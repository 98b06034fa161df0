// The audit view's state: the filters (action, who, project, days, words), the page of entries
// newest first with the total, the chain check's result, and the CSV export of the filtered log.
import { defineStore } from 'pinia'
import { reactive, ref } from 'vue'
import type {
  AuditActionName,
  AuditCsvDto,
  AuditEntryDto,
  AuditVerifyDto,
} from '../../preload/contract'
import { cts, downloadBase64 } from '../api'

/** Entries per page of the table. */
export const AUDIT_PAGE = 50

export interface AuditFilters {
  action: AuditActionName | ''
  actor: string
  projectId: number | null
  /** Days as the date input gives them (YYYY-MM-DD, this computer's calendar); '' for none. */
  from: string
  to: string
  search: string
}

const emptyFilters = (): AuditFilters => ({
  action: '',
  actor: '',
  projectId: null,
  from: '',
  to: '',
  search: '',
})

/** A day on this computer's clock as an instant: its start, or (end) its last millisecond. */
export function dayBound(day: string, end: boolean): string {
  const [y, m, d] = day.split('-').map(Number)
  return (end ? new Date(y, m - 1, d + 1, 0, 0, 0, -1) : new Date(y, m - 1, d)).toISOString()
}

export const useAuditStore = defineStore('audit', () => {
  const filters = reactive<AuditFilters>(emptyFilters())
  const entries = ref<AuditEntryDto[]>([])
  const total = ref(0)
  const offset = ref(0)
  const actors = ref<string[]>([])
  const loaded = ref(false)
  const check = ref<AuditVerifyDto | null>(null)

  /** The filters as the contract takes them (empty ones left out). */
  function query() {
    return {
      ...(filters.action ? { actions: [filters.action] } : {}),
      ...(filters.actor ? { actor: filters.actor } : {}),
      ...(filters.projectId !== null ? { projectId: filters.projectId } : {}),
      ...(filters.from ? { from: dayBound(filters.from, false) } : {}),
      ...(filters.to ? { to: dayBound(filters.to, true) } : {}),
      ...(filters.search.trim() ? { search: filters.search.trim() } : {}),
    }
  }

  /** Reads the page at `at` (default: the first, after a filter changed). */
  async function load(at = 0): Promise<void> {
    const page = await cts().audit.list({ ...query(), offset: at, limit: AUDIT_PAGE })
    entries.value = page.entries
    total.value = page.total
    offset.value = page.offset
    actors.value = page.actors
    loaded.value = true
  }

  function clear(): Promise<void> {
    Object.assign(filters, emptyFilters())
    return load()
  }

  async function verify(): Promise<AuditVerifyDto> {
    check.value = await cts().audit.verify({})
    return check.value
  }

  /** Desktop: main writes the file and says where; browser: the bytes come back as a download. */
  async function exportCsv(): Promise<AuditCsvDto> {
    const result = await cts().audit['export-csv'](query())
    if (result.contentBase64 !== undefined)
      downloadBase64(result.contentBase64, result.fileName, 'text/csv')
    return result
  }

  return { filters, entries, total, offset, actors, loaded, check, load, clear, verify, exportCsv }
})
