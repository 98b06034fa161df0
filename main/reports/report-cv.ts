// The report's cross-validation and learning-curve section (en, zh-CN): pooled and per-fold
// macro-F1 with bootstrap intervals, the curve at 10/25/50/100 % of the training texts and the
// sentence that reads its slope ("would labelling more help?"). Never about the test split.
import type { CvResultDto, CvVerdict } from '../../preload/contract/cv'
import { escapeHtml as e } from './html-escape'
import type { ReportLocale } from './report-model'
import { lineChart, seriesColour } from './svg-charts'

const f3 = (v: number) => v.toFixed(3)
const signed = (v: number) => (v >= 0 ? '+' : '−') + Math.abs(v).toFixed(3)
const pctOf = (v: number) => `${Math.round(v * 100)}%`

interface CvText {
  heading: string
  intro: (r: CvResultDto) => string
  pooled: string
  foldSpread: (mean: string, sd: string) => string
  fold: string
  trainTexts: string
  evalTexts: string
  macroF1: string
  ci: (level: number) => string
  accuracy: string
  curve: string
  share: string
  verdict: Record<CvVerdict, (gain: string, lo: string, hi: string, level: number) => string>
  otherModel: (cvModel: string) => string
}

const en: CvText = {
  heading: 'Cross-validation and learning curve',
  intro: (r) =>
    `${r.k}-fold ${r.split === 'grouped' ? 'grouped-by-patient' : 'stratified'} cross-validation of ${r.baseModel} (seed ${r.seed}) on ${r.texts} training texts, ${r.finishedAt?.slice(0, 10) ?? ''}. Each text is predicted once, by a model trained without it; the ${r.testExcluded} test texts took no part. Fold models were not kept.`,
  pooled: 'Pooled over the out-of-fold predictions',
  foldSpread: (mean, sd) => `mean of the folds ${mean}, standard deviation ${sd}`,
  fold: 'Fold',
  trainTexts: 'Training texts',
  evalTexts: 'Held-out texts',
  macroF1: 'Macro-F1',
  ci: (level) => `${Math.round(level * 100)}% CI`,
  accuracy: 'Accuracy',
  curve: 'Learning curve (cross-validated macro-F1)',
  share: 'Share of the training texts',
  verdict: {
    likely: (g, lo, hi, l) =>
      `Going from 50% to 100% of the training texts changed macro-F1 by ${g} (${Math.round(l * 100)}% CI ${lo} to ${hi}): more labels are likely to help.`,
    plateau: (g, lo, hi, l) =>
      `Going from 50% to 100% of the training texts changed macro-F1 by ${g} (${Math.round(l * 100)}% CI ${lo} to ${hi}): the curve has flattened, so more labels of the same kind are unlikely to help much.`,
    unclear: (g, lo, hi, l) =>
      `Going from 50% to 100% of the training texts changed macro-F1 by ${g} (${Math.round(l * 100)}% CI ${lo} to ${hi}): too uncertain to say whether more labels would help; label more and cross-validate again.`,
  },
  otherModel: (m) => `Note: this cross-validation trained ${m}, not this run's model.`,
}

const zh: CvText = {
  heading: '交叉验证与学习曲线',
  intro: (r) =>
    `对 ${r.baseModel} 做 ${r.k} 折${r.split === 'grouped' ? '按患者分组' : '分层'}交叉验证（随机种子 ${r.seed}），训练文本 ${r.texts} 条，${r.finishedAt?.slice(0, 10) ?? ''}。每条文本只被一个未见过它的模型预测一次；${r.testExcluded} 条测试文本未参与。各折模型未保留。`,
  pooled: '合并所有折外预测',
  foldSpread: (mean, sd) => `各折平均 ${mean}，标准差 ${sd}`,
  fold: '折',
  trainTexts: '训练文本',
  evalTexts: '留出文本',
  macroF1: '宏平均 F1',
  ci: (level) => `${Math.round(level * 100)}% 置信区间`,
  accuracy: '准确率',
  curve: '学习曲线（交叉验证宏平均 F1）',
  share: '训练文本所占比例',
  verdict: {
    likely: (g, lo, hi, l) =>
      `训练文本从 50% 增加到 100%，宏平均 F1 变化 ${g}（${Math.round(l * 100)}% 置信区间 ${lo} 至 ${hi}）：再标注更多文本很可能有帮助。`,
    plateau: (g, lo, hi, l) =>
      `训练文本从 50% 增加到 100%，宏平均 F1 变化 ${g}（${Math.round(l * 100)}% 置信区间 ${lo} 至 ${hi}）：曲线已趋平，再标注同类文本帮助可能不大。`,
    unclear: (g, lo, hi, l) =>
      `训练文本从 50% 增加到 100%，宏平均 F1 变化 ${g}（${Math.round(l * 100)}% 置信区间 ${lo} 至 ${hi}）：不确定性太大，无法判断更多标注是否有帮助；可再标注一些后重新交叉验证。`,
  },
  otherModel: (m) => `注意：此交叉验证训练的是 ${m}，不是本次运行的模型。`,
}

/** The learning-curve sentence in the given language (also used by `cts cv`). */
export function curveSentence(r: CvResultDto, locale: ReportLocale = 'en'): string | null {
  if (!r.curve) return null
  const g = r.curve.gain
  const t = locale === 'zh-CN' ? zh : en
  return t.verdict[r.curve.verdict](signed(g.estimate), signed(g.lower), signed(g.upper), r.level)
}

/** The section's HTML; empty without a finished cross-validation. */
export function crossValidationSection(
  r: CvResultDto | null | undefined,
  locale: ReportLocale,
  runModel?: string,
): string {
  if (!r || r.status !== 'success' || !r.pooled) return ''
  const t = locale === 'zh-CN' ? zh : en
  const p = r.pooled
  const ci = (v: { lower: number; upper: number }) => `${f3(v.lower)} – ${f3(v.upper)}`
  const head = [t.fold, t.trainTexts, t.evalTexts, t.accuracy, t.macroF1, t.ci(r.level)]
  const rows = r.folds.map((f) => [
    String(f.fold),
    String(f.trainTexts),
    String(f.evalTexts),
    f3(f.accuracy),
    f3(f.macroF1.estimate),
    ci(f.macroF1),
  ])
  rows.push([
    `<b>${t.pooled}</b>`,
    '',
    String(p.texts),
    `<b>${f3(p.accuracy)}</b>`,
    `<b>${f3(p.macroF1.estimate)}</b>`,
    `<b>${ci(p.macroF1)}</b>`,
  ])
  const table =
    `<table class="num"><thead><tr>${head.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead><tbody>` +
    rows.map((row) => `<tr>${row.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('') +
    '</tbody></table>'
  let curve = ''
  if (r.curve) {
    const pts = r.curve.points
    const chart = lineChart({
      width: 360,
      height: 220,
      xLabel: t.share,
      yLabel: t.macroF1,
      xDomain: [0, 1],
      yDomain: [0, 1],
      series: [
        {
          name: t.macroF1,
          colour: seriesColour(0),
          points: pts.map((q) => [q.fraction, q.macroF1.estimate]),
          markers: true,
        },
        {
          name: t.ci(r.level),
          colour: seriesColour(0),
          points: pts.map((q) => [q.fraction, q.macroF1.lower]),
          dashed: true,
        },
        {
          name: t.ci(r.level),
          colour: seriesColour(0),
          points: pts.map((q) => [q.fraction, q.macroF1.upper]),
          dashed: true,
        },
      ],
      ariaLabel: t.curve,
    })
    const curveRows = pts
      .map(
        (q) =>
          `<tr><td>${pctOf(q.fraction)}</td><td>${Math.round(q.trainTexts)}</td><td>${f3(q.macroF1.estimate)}</td><td>${ci(q.macroF1)}</td></tr>`,
      )
      .join('')
    curve =
      `<h3>${e(t.curve)}</h3><div class="figs"><figure>${chart}</figure>` +
      `<table class="num compact"><thead><tr><th>${e(t.share)}</th><th>${e(t.trainTexts)}</th><th>${e(t.macroF1)}</th><th>${e(t.ci(r.level))}</th></tr></thead><tbody>${curveRows}</tbody></table></div>` +
      `<p class="use" data-cv-verdict="${r.curve.verdict}"><b>${e(curveSentence(r, locale)!)}</b></p>`
  }
  const other =
    runModel !== undefined && runModel !== r.baseModel
      ? `<p class="note">${e(t.otherModel(r.baseModel))}</p>`
      : ''
  return (
    `<section class="keep" id="cross-validation"><h2>${e(t.heading)}</h2><p class="note">${e(t.intro(r))}</p>${other}` +
    table +
    `<p class="note">${e(t.foldSpread(f3(p.foldMean), f3(p.foldSd)))}</p>${curve}</section>`
  )
}
