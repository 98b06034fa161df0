// Report model → one self-contained HTML document: inline CSS and inline SVG only, no scripts, no
// external URLs, so it opens offline anywhere and prints to PDF as it looks on screen.
import { escapeHtml } from './html-escape'
import type { ReportModel } from './report-model'
import {
  calibrationSection,
  confusionSection,
  curvesSection,
  datasetSection,
  headerSection,
  limitationsSection,
  modelSection,
  operatingSection,
  perClassSection,
  summarySection,
} from './report-sections'
import { reportText } from './report-text'
import { crossValidationSection } from './report-cv'
import { labelsSection } from './report-labels'

const CSS = `
@page { size: A4; margin: 14mm 13mm 16mm 13mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 184mm; padding: 8px; color: #1a1a1a; font-size: 10.5pt; line-height: 1.45;
  font-family: "Liberation Sans", Arial, "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; }
h1 { font-size: 18pt; margin: 0 0 6px; }
h2 { font-size: 13pt; margin: 18px 0 8px; padding-bottom: 3px; border-bottom: 2px solid #0072B2; break-after: avoid; }
h3 { font-size: 11pt; margin: 12px 0 6px; break-after: avoid; }
.keep, figure, table, .cards { break-inside: avoid; }
header { border-bottom: 1px solid #ccc; padding-bottom: 8px; }
dl.facts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 2px 18px; margin: 6px 0; }
dl.facts.hp { grid-template-columns: repeat(3, minmax(0, 1fr)); font-size: 9.5pt; }
dl.facts div { display: flex; gap: 6px; min-width: 0; }
dt { color: #555; white-space: nowrap; }
dt::after { content: ":"; }
html[lang="zh-CN"] dt::after { content: "："; }
dd { margin: 0; overflow-wrap: anywhere; min-width: 0; }
code { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 8.5pt; overflow-wrap: anywhere; }
.cards { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 8px; }
.card { border: 1px solid #d0d7de; border-radius: 6px; padding: 6px 8px; background: #f6f8fa; min-width: 0; }
.card .k { font-size: 8.5pt; color: #444; }
.card .v { font-size: 16pt; font-weight: 700; color: #0b3d66; }
.card .n { font-size: 7.5pt; color: #555; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 4px 0; font-size: 9.5pt; }
th, td { border-bottom: 1px solid #e1e4e8; padding: 3px 6px; text-align: left; overflow-wrap: anywhere; }
th { background: #f0f3f6; font-weight: 600; overflow-wrap: normal; vertical-align: bottom; }
table.num td + td { white-space: nowrap; }
table.num td + td, table.num th + th { text-align: right; font-variant-numeric: tabular-nums; }
table.compact { width: auto; font-size: 8.5pt; }
.figs { display: flex; flex-wrap: wrap; gap: 10px 18px; align-items: flex-start; }
figure { margin: 4px 0; }
figure.center { text-align: center; }
figcaption { font-weight: 600; font-size: 9.5pt; margin-bottom: 2px; }
svg.chart { max-width: 100%; height: auto; display: block; font-family: inherit; }
figure.center svg.chart { margin: 0 auto; }
svg .grid { stroke: #e6e6e6; stroke-width: 1; }
svg .frame { fill: none; stroke: #888; stroke-width: 1; }
svg .ref { stroke: #999; stroke-width: 1; stroke-dasharray: 4 3; }
svg text { fill: #333; }
svg text.axis { fill: #222; font-weight: 600; }
svg text.muted { fill: #555; }
svg text.on-dark { fill: #ffffff; }
svg text.on-light { fill: #1a1a1a; }
ul.legend { list-style: none; padding: 0; margin: 4px 0 0; font-size: 8.5pt; max-width: 330px; }
ul.legend li { display: flex; align-items: center; gap: 6px; overflow-wrap: anywhere; }
.swatch { flex: none; width: 18px; height: 0; border-top: 3px solid; }
.swatch.dashed { border-top-style: dashed; }
.note { color: #555; font-size: 8.5pt; margin: 4px 0; }
.muted { color: #666; font-weight: 400; }
p.use { margin: 4px 0; }
ul.limits { margin: 4px 0; padding-left: 18px; }
ul.limits li { margin: 2px 0; }
footer { margin-top: 16px; border-top: 1px solid #ccc; padding-top: 4px; font-size: 8pt; color: #666; }
`

/** The whole report as a standalone HTML string (language from the model's locale). */
export function renderReportHtml(m: ReportModel): string {
  const t = reportText(m.locale)
  const body = [
    headerSection(m, t),
    summarySection(m, t),
    datasetSection(m, t),
    labelsSection(m.labelProvenance, m.locale),
    perClassSection(m, t),
    confusionSection(m, t),
    curvesSection(m, t),
    calibrationSection(m, t),
    operatingSection(m, t),
    crossValidationSection(m.crossValidation, m.locale, m.model.baseModel),
    modelSection(m, t),
    limitationsSection(m, t),
  ].join('\n')
  return `<!doctype html>
<html lang="${m.locale}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${t.title} — ${t.run} #${m.runId}`)}</title>
<style>${CSS}</style>
</head>
<body>
${body}
<footer>Clinical Text Studio · ${t.run} #${m.runId} · ${escapeHtml(m.generatedAt)}</footer>
</body>
</html>
`
}
