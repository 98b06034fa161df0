// The report's sections as HTML fragments (tables, charts, notes). Every user string goes through
// escapeHtml; numbers are formatted in one place so tables and charts agree.
import { escapeHtml as e } from './html-escape'
import type { ReportModel } from './report-model'
import { derivedLimitations, type ReportText } from './report-text'
import { heatmap, lineChart, reliabilityDiagram, seriesColour, type Series } from './svg-charts'

export const fmt = (v: number | null | undefined, digits = 3): string =>
  v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(digits)
export const pct = (v: number | null | undefined): string =>
  v === null || v === undefined || Number.isNaN(v) ? '—' : `${(v * 100).toFixed(1)}%`

const labelOf = (m: ReportModel, i: number): string => m.dataset.labels[i] ?? String(i)

function legend(items: { colour: string; text: string; dashed?: boolean }[]): string {
  return (
    '<ul class="legend">' +
    items
      .map(
        (i) =>
          `<li><span class="swatch${i.dashed ? ' dashed' : ''}" style="border-color:${i.colour}"></span>${e(i.text)}</li>`,
      )
      .join('') +
    '</ul>'
  )
}

function table(head: string[], rows: string[][], cls = ''): string {
  return (
    `<table class="${cls}"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('') +
    '</tbody></table>'
  )
}

export function headerSection(m: ReportModel, t: ReportText): string {
  const facts: [string, string][] = [
    [t.run, `#${m.runId}`],
    ...(m.projectName ? ([[t.project, e(m.projectName)]] as [string, string][]) : []),
    [t.created, e(m.runCreatedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))],
    [t.generated, e(m.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))],
    [t.dataHash, `<code>${e(m.dataHash)}</code>`],
    // A team workspace's run: the labels are those as of one entry of the label history.
    ...(m.labelSnapshot
      ? ([
          [
            t.labelSnapshot,
            e(
              t.labelSnapshotAt(
                m.labelSnapshot.historyId,
                m.labelSnapshot.takenAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
              ),
            ),
          ],
        ] as [string, string][])
      : []),
  ]
  return (
    `<header><h1>${t.title}</h1><dl class="facts">` +
    facts.map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join('') +
    '</dl></header>'
  )
}

export function summarySection(m: ReportModel, t: ReportText): string {
  const ci = m.intervals
  const cards: [string, string, string][] = [
    [
      t.macroF1,
      fmt(ci.macroF1.estimate),
      `${t.ci(ci.level, ci.resamples)}: ${fmt(ci.macroF1.lower)} – ${fmt(ci.macroF1.upper)}`,
    ],
    [t.accuracy, fmt(m.classification.accuracy), `n = ${m.classification.macro.support}`],
    [t.weightedF1, fmt(m.classification.weighted.f1), ''],
    [t.macroAuc, fmt(m.curves.macroRocAuc), ''],
    ['ECE', fmt(m.calibration.ece), t.ece],
  ]
  return (
    `<section><h2>${t.summary}</h2><div class="cards">` +
    cards
      .map(
        ([k, v, n]) =>
          `<div class="card"><div class="k">${k}</div><div class="v">${v}</div><div class="n">${n}</div></div>`,
      )
      .join('') +
    `</div><h3>${t.intendedUse}</h3><p class="use">${e(m.intendedUse ?? t.defaultIntendedUse)}</p></section>`
  )
}

export function datasetSection(m: ReportModel, t: ReportText): string {
  const splits = m.dataset.splits
  const rows = m.dataset.labels.map((l, i) => {
    const counts = splits.map((s) => s.counts[i] ?? 0)
    return [e(l), ...counts.map(String), String(counts.reduce((a, b) => a + b, 0))]
  })
  const totals = splits.map((s) => s.counts.reduce((a, b) => a + b, 0))
  rows.push([
    `<b>${t.total}</b>`,
    ...totals.map((v) => `<b>${v}</b>`),
    `<b>${totals.reduce((a, b) => a + b, 0)}</b>`,
  ])
  return (
    `<section><h2>${t.dataset}</h2>` +
    table([t.label, ...splits.map((s) => t.split[s.split]), t.total], rows, 'num') +
    `<p class="note">${e(t.duplicatesRemoved(m.dataset.duplicatesRemoved))}</p></section>`
  )
}

/** The base model's licence line; a research-only licence says what that forbids. */
function licenceFact(m: ReportModel, t: ReportText): [string, string] {
  const l = m.model.licence
  if (!l) return [t.baseModelLicence, e(t.licenceUnknown)]
  return [
    t.baseModelLicence,
    l.researchOnly ? `<b>${e(l.name)}</b>: ${e(t.researchOnlyLicence)}` : e(l.name),
  ]
}

export function modelSection(m: ReportModel, t: ReportText): string {
  const facts: [string, string][] = [
    [t.modelKind, e(m.model.kind)],
    [t.baseModel, e(m.model.baseModel)],
    ...(m.model.kind === 'bert' ? [licenceFact(m, t)] : []),
    [t.provider, e(m.provider ?? t.notAvailable)],
    [t.seed, String(m.model.seed)],
    [t.trainTime, m.trainSeconds === null ? t.notAvailable : `${m.trainSeconds.toFixed(1)} s`],
  ]
  const hp = Object.entries(m.model.hyperparameters).map(
    ([k, v]) => `<div><dt>${e(t.configKeys[k] ?? k)}</dt><dd>${e(v ?? t.notAvailable)}</dd></div>`,
  )
  return (
    `<section><h2>${t.model}</h2><dl class="facts">` +
    facts.map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join('') +
    `</dl><h3>${t.hyperparameters}</h3><dl class="facts hp">${hp.join('')}</dl>` +
    `<div class="keep"><h3>${t.training}</h3>${trainingCharts(m, t)}</div></section>`
  )
}

function trainingCharts(m: ReportModel, t: ReportText): string {
  if (m.epochs.length === 0) return `<p class="note">${t.noEpochs}</p>`
  const xDomain: [number, number] = [
    Math.min(...m.epochs.map((p) => p.epoch)),
    Math.max(...m.epochs.map((p) => p.epoch)),
  ]
  // A single epoch sits in the middle of the chart rather than on its edge.
  if (xDomain[0] === xDomain[1]) xDomain.splice(0, 2, xDomain[0] - 0.5, xDomain[0] + 0.5)
  const maxLoss = Math.max(...m.epochs.map((p) => p.trainLoss), 1e-6)
  const loss = lineChart({
    width: 330,
    height: 200,
    xLabel: t.epoch,
    yLabel: t.trainLoss,
    xDomain,
    yDomain: [0, maxLoss * 1.1],
    integerX: true,
    series: [
      {
        name: t.trainLoss,
        colour: seriesColour(0),
        points: m.epochs.map((p) => [p.epoch, p.trainLoss]),
        markers: true,
      },
    ],
    ariaLabel: t.trainLoss,
  })
  const devSeries: Series[] = []
  const f1 = m.epochs
    .filter((p) => p.devMacroF1 !== null)
    .map((p) => [p.epoch, p.devMacroF1] as [number, number])
  const acc = m.epochs
    .filter((p) => p.devAccuracy !== null)
    .map((p) => [p.epoch, p.devAccuracy] as [number, number])
  if (f1.length)
    devSeries.push({ name: t.devMacroF1, colour: seriesColour(1), points: f1, markers: true })
  if (acc.length)
    devSeries.push({
      name: t.devAccuracy,
      colour: seriesColour(2),
      points: acc,
      markers: true,
      dashed: true,
    })
  const dev = devSeries.length
    ? `<figure>${lineChart({ width: 330, height: 200, xLabel: t.epoch, yLabel: t.devMacroF1, xDomain, yDomain: [0, 1], integerX: true, series: devSeries, ariaLabel: t.devMacroF1 })}` +
      legend(devSeries.map((s) => ({ colour: s.colour, text: s.name, dashed: s.dashed }))) +
      '</figure>'
    : ''
  return `<div class="figs"><figure>${loss}${legend([{ colour: seriesColour(0), text: t.trainLoss }])}</figure>${dev}</div>`
}

export function perClassSection(m: ReportModel, t: ReportText): string {
  const c = m.classification
  const rows = c.perClass.map((pc) => {
    const ci = m.intervals.recall[pc.label]
    return [
      e(labelOf(m, pc.label)),
      fmt(pc.precision),
      fmt(pc.recall),
      ci ? `${fmt(ci.lower)} – ${fmt(ci.upper)}` : '—',
      fmt(pc.f1),
      String(pc.support),
    ]
  })
  const ci = m.intervals.macroF1
  rows.push([
    `<b>${t.macroAvg}</b>`,
    fmt(c.macro.precision),
    fmt(c.macro.recall),
    '',
    `<b>${fmt(c.macro.f1)}</b> <span class="muted">(${fmt(ci.lower)} – ${fmt(ci.upper)})</span>`,
    String(c.macro.support),
  ])
  rows.push([
    t.weightedAvg,
    fmt(c.weighted.precision),
    fmt(c.weighted.recall),
    '',
    fmt(c.weighted.f1),
    String(c.weighted.support),
  ])
  rows.push([t.accuracy, '', '', '', fmt(c.accuracy), String(c.macro.support)])
  return (
    `<section><h2>${t.perClass} <span class="muted">(${t.split[m.evaluatedSplit]})</span></h2>` +
    table(
      [t.label, t.precision, t.recall, t.recallCi(m.intervals.level), t.f1, t.support],
      rows,
      'num',
    ) +
    `<p class="note">${t.ci(m.intervals.level, m.intervals.resamples)}; seed ${m.intervals.seed}.</p></section>`
  )
}

export function confusionSection(m: ReportModel, t: ReportText): string {
  const chart = heatmap({
    labels: m.dataset.labels,
    counts: m.classification.confusion,
    shares: m.confusionRowNormalised,
    rowTitle: t.trueLabel,
    colTitle: t.predicted,
    ariaLabel: t.confusion,
  })
  return `<section class="keep"><h2>${t.confusion}</h2><figure class="center">${chart}</figure><p class="note">${t.confusionNote}</p></section>`
}

export function curvesSection(m: ReportModel, t: ReportText): string {
  // Binary: the positive class's curve says it all (the other is its mirror image).
  const classes =
    m.dataset.labels.length === 2
      ? [m.operatingPoint?.positiveLabel ?? 1]
      : m.dataset.labels.map((_, i) => i)
  const roc: Series[] = []
  const pr: Series[] = []
  const rocLegend: { colour: string; text: string }[] = []
  const prLegend: { colour: string; text: string }[] = []
  for (const k of classes) {
    const cc = m.curves.perClass[k]
    const colour = seriesColour(k)
    const name = labelOf(m, k)
    if (cc.rocAuc !== null)
      roc.push({ name, colour, points: cc.roc.fpr.map((x, i) => [x, cc.roc.tpr[i]]) })
    if (cc.averagePrecision !== null)
      pr.push({
        name,
        colour,
        step: true,
        points: cc.pr.recall.map((r, i) => [r, cc.pr.precision[i]] as [number, number]).reverse(),
      })
    rocLegend.push({
      colour,
      text: `${name}: ${t.auc} ${cc.rocAuc === null ? t.undefinedCurve : fmt(cc.rocAuc)}`,
    })
    prLegend.push({
      colour,
      text: `${name}: ${t.ap} ${cc.averagePrecision === null ? t.undefinedCurve : fmt(cc.averagePrecision)}`,
    })
  }
  const macro =
    classes.length > 1
      ? `<p class="note">${t.macroAuc}: ${fmt(m.curves.macroRocAuc)}; macro ${t.ap}: ${fmt(m.curves.macroAveragePrecision)}</p>`
      : ''
  const rocSvg = lineChart({
    width: 330,
    height: 270,
    xLabel: t.fpr,
    yLabel: t.tpr,
    xDomain: [0, 1],
    yDomain: [0, 1],
    series: roc,
    reference: [0, 0, 1, 1],
    ariaLabel: t.roc,
  })
  const prSvg = lineChart({
    width: 330,
    height: 270,
    xLabel: t.recall,
    yLabel: t.precision,
    xDomain: [0, 1],
    yDomain: [0, 1],
    series: pr,
    ariaLabel: t.pr,
  })
  return (
    `<section class="keep"><h2>${t.curves}</h2><div class="figs">` +
    `<figure><figcaption>${t.roc}</figcaption>${rocSvg}${legend(rocLegend)}</figure>` +
    `<figure><figcaption>${t.pr}</figcaption>${prSvg}${legend(prLegend)}</figure></div>${macro}</section>`
  )
}

export function calibrationSection(m: ReportModel, t: ReportText): string {
  const cal = m.calibration
  const chart = reliabilityDiagram({
    bins: cal.bins,
    xLabel: t.confidence,
    yLabel: t.observed,
    ariaLabel: t.calibration,
  })
  const rows = cal.bins
    .filter((b) => b.count > 0)
    .map((b) => [
      `${b.lower.toFixed(1)} – ${b.upper.toFixed(1)}`,
      String(b.count),
      fmt(b.meanConfidence),
      fmt(b.accuracy),
    ])
  return (
    `<section class="keep"><h2>${t.calibration}</h2><div class="figs"><figure>${chart}` +
    legend([
      { colour: seriesColour(0), text: t.observed },
      { colour: seriesColour(1), text: t.meanConfidence },
    ]) +
    `</figure><div>${table([t.bin, t.count, t.meanConfidence, t.observed], rows, 'num compact')}` +
    `<p><b>${t.ece}: ${fmt(cal.ece)}</b></p></div></div><p class="note">${t.calibrationNote(cal.bins.length)}</p></section>`
  )
}

export function operatingSection(m: ReportModel, t: ReportText): string {
  const op = m.operatingPoint
  if (!op) return ''
  // The user's target is bold; the other rows show what a stricter or looser target would cost.
  const rows = op.table.map(({ targetSensitivity, point: p }) => {
    const cells = [
      `≥ ${pct(targetSensitivity)}`,
      fmt(p.threshold),
      pct(p.sensitivity),
      pct(p.specificity),
      pct(p.ppv),
      pct(p.npv),
      `${p.tp} / ${p.fp} / ${p.tn} / ${p.fn}`,
    ]
    return targetSensitivity === op.targetSensitivity ? cells.map((c) => `<b>${c}</b>`) : cells
  })
  const note = t.operatingNote(
    pct(op.targetSensitivity),
    pct(op.prevalence),
    labelOf(m, op.positiveLabel),
  )
  return (
    `<section class="keep"><h2>${t.operatingPoint}</h2>` +
    table(
      [t.target, t.threshold, t.sensitivity, t.specificity, t.ppv, t.npv, 'TP / FP / TN / FN'],
      rows,
      'num',
    ) +
    `<p class="note">${e(note)}</p></section>`
  )
}

export function limitationsSection(m: ReportModel, t: ReportText): string {
  const items = derivedLimitations(m, t, (v) => fmt(v))
  return `<section class="keep"><h2>${t.limitations}</h2><ul class="limits">${items.map((l) => `<li>${e(l)}</li>`).join('')}</ul></section>`
}
