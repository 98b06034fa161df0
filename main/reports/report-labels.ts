// The report's "Labels and agreement" section (en, zh-CN): who labelled the texts, how a text's
// gold label was decided (the policy in words), how many gold labels came about each way, and
// Krippendorff's α / Cohen's κ / Fleiss' κ with their bootstrap intervals, as the run recorded them.
import type {
  AgreementValueDto,
  LabelProvenanceDto,
  ResolutionHow,
} from '../../preload/contract/agreement'
import { escapeHtml as e } from './html-escape'
import type { ReportLocale } from './report-model'
import { fmt, pct } from './report-sections'

/** The agreement intervals are percentile-bootstrap 95 % (agreement-report.ts). */
const LEVEL = 0.95

/** The order the counts are listed in: how much a person decided, most first. */
export const RESOLUTION_ORDER: ResolutionHow[] = [
  'adjudicated',
  'agreed',
  'majority',
  'single',
  'tie-annotator',
  'excluded',
  'reference',
  'none',
]

interface LabelsText {
  heading: string
  annotators: string
  oneAnnotator: (name: string) => string
  reference: string
  policy: (tieAnnotator: string | null) => string
  how: string
  texts: string
  counts: Record<ResolutionHow, (tieAnnotator: string) => string>
  statistic: string
  estimate: string
  ci: string
  alpha: string
  cohen: (a: string, b: string) => string
  fleiss: string
  pairNote: (a: string, b: string, n: number, observed: string) => string
  undefinedNote: string
  noFleiss: string
  noOverlap: string
  snapshot: string
  list: (names: string[]) => string
}

const en: LabelsText = {
  heading: 'Labels and agreement',
  annotators: 'Annotators',
  oneAnnotator: (name) => `Labels by one annotator (${name}).`,
  reference: 'Reference labels from the imported file.',
  policy: (tie) =>
    "Gold labels: an adjudicator's decision where there is one; otherwise the label a strict " +
    'majority of the annotators chose; ' +
    (tie === null
      ? 'on a tie the text is excluded from training.'
      : `on a tie, ${tie}'s label (the text is excluded when ${tie} did not label it).`),
  how: 'How the gold label came about',
  texts: 'Texts',
  counts: {
    adjudicated: () => 'Adjudicated',
    agreed: () => 'All annotators agreed',
    majority: () => 'Strict majority',
    single: () => 'One annotator only',
    'tie-annotator': (tie) => `Tie: ${tie}'s label`,
    excluded: () => 'Tie: excluded from training',
    reference: () => 'Reference label from the imported file',
    none: () => 'No label (not trained on)',
  },
  statistic: 'Statistic',
  estimate: 'Estimate',
  ci: `${Math.round(LEVEL * 100)}% CI (bootstrap)`,
  alpha: "Krippendorff's α (nominal)",
  cohen: (a, b) => `Cohen's κ (${a} – ${b})`,
  fleiss: "Fleiss' κ",
  pairNote: (a, b, n, o) =>
    `${a} and ${b} both labelled ${n} text${n === 1 ? '' : 's'}; their labels were identical on ${o}.`,
  undefinedNote:
    '—: not defined (too few texts labelled by two or more annotators, or too little variation in their labels).',
  noFleiss: "Fleiss' κ is not given: the texts were labelled by different numbers of annotators.",
  noOverlap:
    'No text was labelled by two or more annotators, so their agreement cannot be measured.',
  snapshot:
    'As they stood when the run took its training texts. Reference labels that came with an import never count towards agreement.',
  list: (names) => names.join(', '),
}

const zh: LabelsText = {
  heading: '标签与一致性',
  annotators: '标注者',
  oneAnnotator: (name) => `标签由一名标注者给出（${name}）。`,
  reference: '参考标签来自导入的文件。',
  policy: (tie) =>
    '金标准标签：有裁决的文本采用裁决结果；否则采用标注者中严格多数选择的标签；' +
    (tie === null
      ? '票数相同时该文本不参与训练。'
      : `票数相同时采用 ${tie} 的标签（${tie} 未标注该文本时，该文本不参与训练）。`),
  how: '金标准标签的来源',
  texts: '文本数',
  counts: {
    adjudicated: () => '裁决',
    agreed: () => '标注者一致',
    majority: () => '严格多数',
    single: () => '仅一名标注者',
    'tie-annotator': (tie) => `票数相同：采用 ${tie} 的标签`,
    excluded: () => '票数相同：不参与训练',
    reference: () => '导入文件中的参考标签',
    none: () => '无标签（不参与训练）',
  },
  statistic: '统计量',
  estimate: '估计值',
  ci: `${Math.round(LEVEL * 100)}% 置信区间（自助法）`,
  alpha: 'Krippendorff α（名义）',
  cohen: (a, b) => `Cohen κ（${a} – ${b}）`,
  fleiss: 'Fleiss κ',
  pairNote: (a, b, n, o) => `${a} 与 ${b} 共同标注了 ${n} 条文本，其中 ${o} 的标签完全相同。`,
  undefinedNote: '—：无法计算（由两名及以上标注者标注的文本太少，或标签没有变化）。',
  noFleiss: '未给出 Fleiss κ：各文本的标注者人数不同。',
  noOverlap: '没有文本由两名及以上标注者标注，因此无法衡量一致性。',
  snapshot: '数值为本次运行读取训练文本时的状态。随导入文件而来的参考标签不计入一致性。',
  list: (names) => names.join('、'),
}

export function labelsText(locale: ReportLocale): LabelsText {
  return locale === 'zh-CN' ? zh : en
}

/** The tie annotator the policy names, or null when ties exclude the text. */
function tieAnnotator(p: LabelProvenanceDto): string | null {
  return p.policy.tiePolicy === 'annotator' ? p.policy.tieAnnotator : null
}

/** `0.100 – 0.700`, or '—' when the bootstrap could not give an interval. */
function interval(v: AgreementValueDto): string {
  return v.lower === null || v.upper === null ? '—' : `${fmt(v.lower)} – ${fmt(v.upper)}`
}

/**
 * The one line that stands for the section when no agreement can be computed (one annotator, or
 * only an import's reference labels); null when the full section applies.
 */
export function singleSourceLine(p: LabelProvenanceDto, locale: ReportLocale): string | null {
  const t = labelsText(locale)
  if (p.annotators.length === 1) return t.oneAnnotator(p.annotators[0])
  if (p.annotators.length === 0) return t.reference
  return null
}

function table(head: string[], rows: string[][]): string {
  return (
    `<table class="num"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('') +
    '</tbody></table>'
  )
}

/**
 * The section's HTML: nothing for a run without provenance (files, older runs); one note line for
 * one annotator or reference labels only; else annotators, policy, counts and agreement.
 */
export function labelsSection(
  p: LabelProvenanceDto | null | undefined,
  locale: ReportLocale,
): string {
  if (!p) return ''
  const t = labelsText(locale)
  const single = singleSourceLine(p, locale)
  if (single !== null) return `<p class="note" data-section="labels">${e(single)}</p>`
  const tie = tieAnnotator(p) ?? ''
  const counts = RESOLUTION_ORDER.filter((h) => (p.counts[h] ?? 0) > 0).map((h) => [
    e(t.counts[h](tie)),
    String(p.counts[h]),
  ])
  const stats: string[][] = []
  const row = (name: string, v: AgreementValueDto) => [e(name), fmt(v.estimate), interval(v)]
  if (p.alpha) stats.push(row(t.alpha, p.alpha))
  if (p.cohen) stats.push(row(t.cohen(p.cohen.a, p.cohen.b), p.cohen.kappa))
  if (p.fleiss) stats.push(row(t.fleiss, p.fleiss))
  const values = [p.alpha, p.cohen?.kappa, p.fleiss].filter((v) => !!v) as AgreementValueDto[]
  const notes = [
    ...(p.cohen ? [t.pairNote(p.cohen.a, p.cohen.b, p.cohen.texts, pct(p.cohen.observed))] : []),
    ...(values.length === 0 ? [t.noOverlap] : p.fleiss ? [] : [t.noFleiss]),
    ...(values.some((v) => v.estimate === null || v.lower === null) ? [t.undefinedNote] : []),
    t.snapshot,
  ]
  return (
    `<section class="keep" data-section="labels"><h2>${t.heading}</h2>` +
    `<dl class="facts"><div><dt>${t.annotators}</dt><dd>${e(t.list(p.annotators))}</dd></div></dl>` +
    `<p class="use">${e(t.policy(tieAnnotator(p)))}</p>` +
    (counts.length > 0 ? table([t.how, t.texts], counts) : '') +
    (stats.length > 0 ? table([t.statistic, t.estimate, t.ci], stats) : '') +
    notes.map((n) => `<p class="note">${e(n)}</p>`).join('') +
    '</section>'
  )
}
