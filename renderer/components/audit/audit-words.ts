// An audit entry in words for the audit view: the action's name and a sentence from its details
// (ids, counts, file names). Entries whose details have another shape (older versions, actions
// added later) fall back to "key: value" pairs, so nothing is hidden.
import type { AuditEntryDto } from '../../../preload/contract'

type Translate = (key: string, params?: Record<string, unknown>) => string

/** vue-i18n reads dots as paths: 'label.set' → 'label_set'. */
export const actionKey = (action: string): string => action.replace(/\./g, '_')

export function actionWords(action: string, t: Translate, te: (key: string) => boolean): string {
  const key = `audit.actions.${actionKey(action)}`
  return te(key) ? t(key) : action
}

/** Sentence templates and the detail fields each needs. */
const SENTENCES: Record<string, { key: string; needs: string[] }> = {
  'project.create': { key: 'project_create', needs: ['name', 'labels'] },
  'project.rename': { key: 'project_rename', needs: ['from', 'to'] },
  'project.delete': { key: 'project_delete', needs: ['name', 'texts'] },
  'label.add': { key: 'label_add', needs: ['name'] },
  import: { key: 'import', needs: ['imported', 'fileName', 'duplicates', 'rejected'] },
  'label.set': { key: 'label_set', needs: ['textId', 'labelIds'] },
  'label.skip': { key: 'label_skip', needs: ['textId'] },
  'label.undo': { key: 'label_undo', needs: ['textId', 'labelIds'] },
  'label.redo': { key: 'label_redo', needs: ['textId', 'labelIds'] },
  export: { key: 'export', needs: ['rows', 'format', 'fileName'] },
  'run.delete': { key: 'run_delete', needs: ['runId', 'baseModel', 'status'] },
  'review.keep': { key: 'review', needs: ['textId'] },
  'review.relabel': { key: 'review', needs: ['textId'] },
  'annotator.use': { key: 'annotator_use', needs: ['name'] },
  'adjudication.set': { key: 'adjudication_set', needs: ['textId', 'labelIds'] },
  'adjudication.revert': { key: 'adjudication', needs: ['textId'] },
  'package.import': { key: 'package_import', needs: ['rows', 'annotator', 'fileName'] },
  'package.export': { key: 'package_export', needs: ['rows', 'annotator', 'fileName'] },
  'model.export': { key: 'model_export', needs: ['runId', 'model', 'fileName'] },
  report: { key: 'report', needs: ['runId', 'format', 'locale', 'fileName'] },
  'token.requests': { key: 'token_requests', needs: ['token', 'requests', 'rejected'] },
  'token.create': { key: 'token', needs: ['token'] },
  'token.revoke': { key: 'token', needs: ['token'] },
}

const TRAIN: Record<string, { key: string; needs: string[] }> = {
  started: { key: 'trainStarted', needs: ['runId', 'model', 'texts', 'labels'] },
  completed: { key: 'trainCompleted', needs: ['runId', 'model'] },
  failed: { key: 'trainFailed', needs: ['runId'] },
  cancelled: { key: 'trainCancelled', needs: ['runId'] },
  resumed: { key: 'trainResumed', needs: ['runId'] },
}

/** A detail value as text: lists joined, objects as "key value" pairs. */
function show(value: unknown): string {
  if (value === null || value === undefined) return '—'
  if (Array.isArray(value)) return value.map(show).join(', ')
  if (typeof value === 'object')
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k} ${show(v)}`)
      .join(', ')
  return String(value)
}

function fallback(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([k, v]) => `${k}: ${show(v)}`)
    .join(' · ')
}

/** A label's name by its id (the projects' label sets); undefined when it is gone. */
export type LabelName = (labelId: number) => string | undefined

/** The entry's details as one sentence in the current language. */
export function detailWords(e: AuditEntryDto, t: Translate, labelName?: LabelName): string {
  const d = e.details
  let sentence = SENTENCES[e.action]
  let params: Record<string, unknown> = d
  if (Array.isArray(d.labelIds)) {
    // Label ids in words: the names, or "label 7" for a label since deleted.
    const ids = d.labelIds as number[]
    const labels = ids.length
      ? ids.map((id) => labelName?.(id) ?? t('audit.details.labelId', { id })).join(', ')
      : t('audit.details.noLabel')
    params = { ...d, labels }
  }
  if (e.action === 'train') {
    sentence = TRAIN[String(d.event)]
    const texts = (d.texts ?? {}) as Record<string, unknown>
    const f1 = typeof d.macroF1 === 'number' ? d.macroF1.toFixed(3) : t('audit.details.notScored')
    params = { ...d, train: texts.train, dev: texts.dev, test: texts.test, f1 }
  } else if (e.action === 'predict') {
    sentence =
      d.input === 'typed text'
        ? { key: 'predictTyped', needs: ['runId'] }
        : { key: 'predictFile', needs: ['texts', 'input', 'runId', 'output'] }
  }
  if (!sentence || sentence.needs.some((k) => d[k] === undefined)) return fallback(d)
  const shown = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, show(v)]))
  return t(`audit.details.${sentence.key}`, shown)
}
