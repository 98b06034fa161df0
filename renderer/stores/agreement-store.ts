// The agreement view's state: the project's agreement report, the confusion of two chosen
// annotators, the disagreement list with adjudication, and annotation package exchange.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type {
  AgreementDto,
  DisagreementDto,
  PackageExportDto,
  PackageImportDto,
  PairConfusionDto,
} from '../../preload/contract'
import { cts, downloadBase64, fileToBase64 } from '../api'

/** Disagreements fetched per page ('Show more' fetches the next). */
export const DISAGREEMENT_PAGE = 50

export const useAgreementStore = defineStore('agreement', () => {
  const projectId = ref<number | null>(null)
  const report = ref<AgreementDto | null>(null)
  const pair = ref<PairConfusionDto | null>(null)
  const pairA = ref('')
  const pairB = ref('')
  const rows = ref<DisagreementDto[]>([])
  const total = ref(0)
  const openOnly = ref(false)
  /** The current profile (export default; the adjudicator). */
  const me = ref<string | null>(null)
  const lastImport = ref<PackageImportDto | null>(null)
  /** Multi-label projects have no pair confusion (main refuses it): agreement is per label. */
  let multi = false

  /** Starts on a project: report, a default pair, the first page of disagreements. */
  async function open(id: number, multiLabel: boolean): Promise<void> {
    projectId.value = id
    multi = multiLabel
    report.value = null
    pair.value = null
    rows.value = []
    lastImport.value = null
    const who = await cts().annotators.list({})
    me.value = who.current
    await refresh()
  }

  /** Re-reads everything that depends on the labels (after an import or an adjudication). */
  async function refresh(): Promise<void> {
    const id = projectId.value
    if (id === null) return
    const next = await cts().agreement.report({ projectId: id })
    if (projectId.value !== id) return
    report.value = next
    const names = next.annotators
    if (
      !names.includes(pairA.value) ||
      !names.includes(pairB.value) ||
      pairA.value === pairB.value
    ) {
      // The pair that labelled most texts together first: the most informative confusion.
      const best = [...(next.overall?.cohen ?? next.perLabel[0]?.figures.cohen ?? [])].sort(
        (x, y) => y.texts - x.texts,
      )[0]
      pairA.value = best?.a ?? names[0] ?? ''
      pairB.value = best?.b ?? names[1] ?? ''
    }
    await Promise.all([loadPair(), loadDisagreements()])
  }

  async function loadPair(): Promise<void> {
    const id = projectId.value
    if (id === null || multi || !pairA.value || !pairB.value || pairA.value === pairB.value) {
      pair.value = null
      return
    }
    pair.value = await cts().agreement.pair({ projectId: id, a: pairA.value, b: pairB.value })
  }

  async function choosePair(a: string, b: string): Promise<void> {
    pairA.value = a
    pairB.value = b
    await loadPair()
  }

  async function loadDisagreements(more = false): Promise<void> {
    const id = projectId.value
    if (id === null) return
    const page = await cts().agreement.disagreements({
      projectId: id,
      offset: more ? rows.value.length : 0,
      limit: DISAGREEMENT_PAGE,
      open: openOnly.value || undefined,
    })
    if (projectId.value !== id) return
    rows.value = more ? [...rows.value, ...page.rows] : page.rows
    total.value = page.total
  }

  function replaceRow(row: DisagreementDto): void {
    const i = rows.value.findIndex((r) => r.textId === row.textId)
    if (i >= 0) rows.value.splice(i, 1, row)
  }

  /** Saves an adjudicator's decision; the row shows the new gold label, the figures recount. */
  async function adjudicate(textId: number, labelIds: number[], note: string): Promise<void> {
    const trimmed = note.trim()
    replaceRow(
      await cts().adjudication.set({
        textId,
        labelIds,
        note: trimmed === '' ? undefined : trimmed,
      }),
    )
    await refreshReport()
  }

  async function revert(textId: number): Promise<void> {
    replaceRow(await cts().adjudication.revert({ textId }))
    await refreshReport()
  }

  async function refreshReport(): Promise<void> {
    if (projectId.value !== null)
      report.value = await cts().agreement.report({ projectId: projectId.value })
  }

  /** Desktop: main writes the file and says where; browser: the bytes come back as a download. */
  async function exportPackage(annotator: string | undefined): Promise<PackageExportDto> {
    const result = await cts().packages.export({ projectId: projectId.value!, annotator })
    if (result.contentBase64 !== undefined)
      downloadBase64(result.contentBase64, result.fileName, 'application/x-ndjson')
    return result
  }

  async function importPackage(file: File): Promise<PackageImportDto> {
    const contentBase64 = await fileToBase64(file)
    const result = await cts().packages.import({
      projectId: projectId.value!,
      file: { name: file.name, contentBase64 },
    })
    lastImport.value = result
    await refresh()
    return result
  }

  return {
    projectId,
    report,
    pair,
    pairA,
    pairB,
    rows,
    total,
    openOnly,
    me,
    lastImport,
    open,
    refresh,
    choosePair,
    loadDisagreements,
    adjudicate,
    revert,
    exportPackage,
    importPackage,
  }
})
