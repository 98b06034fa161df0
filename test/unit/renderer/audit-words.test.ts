// The audit view's words: both languages have the same keys, every action the log records has a
// name in each, and entries' details read as sentences (the new training, prediction, model export
// and report entries included), with label names, and "key: value" for shapes without a sentence.
import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import type { AuditEntryDto } from '../../../preload/contract'
import { AUDIT_ACTIONS } from '../../../preload/contract/audit-actions'
import { enAudit } from '../../../renderer/i18n/en-audit'
import { zhCNAudit } from '../../../renderer/i18n/zh-cn-audit'
import { actionKey, actionWords, detailWords } from '../../../renderer/components/audit/audit-words'
import { dayBound } from '../../../renderer/stores/audit-store'

const keys = (o: object, prefix = ''): string[] =>
  Object.entries(o).flatMap(([k, v]) =>
    typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`],
  )

const i18n = createI18n({
  legacy: false,
  locale: 'en',
  messages: { en: enAudit, 'zh-CN': zhCNAudit },
})
const g = i18n.global
const t = (key: string, named?: Record<string, unknown>) => g.t(key, named ?? {})
const te = (key: string) => g.te(key)

const entry = (action: string, details: Record<string, unknown>): AuditEntryDto => ({
  id: 1,
  at: '2026-12-06T08:00:00.000Z',
  actor: 'Dr Li',
  action: action as AuditEntryDto['action'],
  projectId: 1,
  projectName: '心内科',
  details,
  hash: null,
})
const words = (locale: 'en' | 'zh-CN', action: string, details: Record<string, unknown>) => {
  g.locale.value = locale
  const names = new Map([
    [1, '健康'],
    [2, '疾病'],
  ])
  return detailWords(entry(action, details), t, (id) => names.get(id))
}

describe('audit view strings', () => {
  it('has the same keys in English and Chinese, and a name for every action', () => {
    expect(keys(zhCNAudit)).toEqual(keys(enAudit))
    const named = Object.keys(enAudit.audit.actions)
    expect(AUDIT_ACTIONS.map(actionKey)).toEqual(named)
    g.locale.value = 'zh-CN'
    expect(actionWords('model.export', t, te)).toBe('导出模型')
    g.locale.value = 'en'
    expect(actionWords('train', t, te)).toBe('Model training')
    // An action this version does not know is shown as recorded.
    expect(actionWords('future.thing', t, te)).toBe('future.thing')
  })

  it('words a training run from start to outcome, in both languages', () => {
    const started = {
      event: 'started',
      runId: 7,
      model: 'baseline',
      modelKind: 'baseline',
      labels: 2,
      texts: { train: 26, dev: 3, test: 3 },
    }
    expect(words('en', 'train', started)).toBe(
      'Run #7 started: baseline, 26 training, 3 tuning and 3 test texts, 2 labels',
    )
    expect(words('zh-CN', 'train', started)).toBe(
      '运行 #7 开始：baseline，训练 26 条、调参 3 条、测试 3 条文本，2 个标签',
    )
    const completed = { event: 'completed', runId: 7, model: 'baseline', macroF1: 0.8571428 }
    expect(words('en', 'train', completed)).toBe(
      'Run #7 completed: baseline, macro-F1 on test texts 0.857',
    )
    expect(words('en', 'train', { ...completed, macroF1: null })).toBe(
      'Run #7 completed: baseline, macro-F1 on test texts not scored',
    )
    expect(words('en', 'train', { event: 'failed', runId: 7, error: 'job-crashed' })).toBe(
      'Run #7 failed (job-crashed)',
    )
    expect(words('zh-CN', 'train', { event: 'cancelled', runId: 7 })).toBe('运行 #7 已取消')
  })

  it('words predictions, model exports and reports', () => {
    expect(words('en', 'predict', { runId: 3, texts: 1, input: 'typed text' })).toBe(
      'One typed text with run #3 (not stored)',
    )
    const file = { runId: 3, texts: 5, input: 'ward.csv', output: 'ward-run3.csv' }
    expect(words('en', 'predict', file)).toBe('5 texts from ward.csv with run #3 → ward-run3.csv')
    expect(words('zh-CN', 'predict', file)).toBe(
      '用运行 #3 预测 ward.csv 中的 5 条文本 → ward-run3.csv',
    )
    expect(
      words('en', 'model.export', { runId: 3, model: 'm3e-small', fileName: 'run-3-model.zip' }),
    ).toBe('Model of run #3 (m3e-small) → run-3-model.zip')
    const report = { runId: 3, format: 'pdf', locale: 'zh-CN', fileName: 'r.pdf' }
    expect(words('zh-CN', 'report', report)).toBe('运行 #3 的报告（pdf，zh-CN）→ r.pdf')
  })

  it('names labels, and lists details it has no sentence for', () => {
    expect(words('en', 'label.set', { textId: 12, labelIds: [2, 9], revision: 4 })).toBe(
      'Text #12 → 疾病, label 9',
    )
    expect(words('zh-CN', 'label.undo', { textId: 12, labelIds: [] })).toBe(
      '文本 #12 恢复为 无标签',
    )
    expect(words('en', 'workspace.encrypt', { tables: 9, rows: 120, created: false })).toBe(
      'tables: 9 · rows: 120 · created: false',
    )
    // A known action whose details lack a field the sentence needs falls back too.
    expect(words('en', 'import', { fileName: 'a.csv' })).toBe('fileName: a.csv')
    expect(words('en', 'deid.import', { importId: 2, counts: { PHONE: 3, NAME: 1 } })).toBe(
      'importId: 2 · counts: PHONE 3, NAME 1',
    )
  })

  it('turns days on this computer into instants: from the start, to the end of the day', () => {
    expect(new Date(dayBound('2026-12-06', false)).getTime()).toBe(new Date(2026, 11, 6).getTime())
    expect(new Date(dayBound('2026-12-06', true)).getTime()).toBe(
      new Date(2026, 11, 7).getTime() - 1,
    )
  })
})
