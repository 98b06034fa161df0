// Inline SVG charts for the report (no scripts, no external assets, no xmlns URL: inline SVG needs
// none): line charts (training, ROC, precision-recall), confusion heatmap, reliability diagram.
import type { ReliabilityBin } from '../ml/eval/calibration'
import { CHART_COLOURS as PALETTE } from '../../preload/contract/chart-colours'
import { escapeHtml } from './html-escape'

// The renderer's charts use the same colours: one list, in the contract's pure-data leaf.
export { seriesColour } from '../../preload/contract/chart-colours'

const FONT = 11
const MARGIN = { left: 48, right: 12, top: 10, bottom: 38 }

/** Rough rendered width: CJK and full-width characters take about 1 em, others about 0.6 em. */
export function textWidth(s: string, fontSize: number): number {
  let w = 0
  for (const ch of s)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60]/u.test(
      ch,
    )
      ? 1
      : 0.6
  return w * fontSize
}

/** Shorten to fit `maxWidth` pixels with an ellipsis; tables carry the full names. */
export function fitText(s: string, maxWidth: number, fontSize: number): string {
  if (textWidth(s, fontSize) <= maxWidth) return s
  let out = ''
  for (const ch of s) {
    if (textWidth(out + ch + '…', fontSize) > maxWidth) break
    out += ch
  }
  return out + '…'
}

/** Break into at most `maxLines` lines of `maxWidth` pixels (at spaces, or between CJK characters). */
export function wrapText(s: string, maxWidth: number, fontSize: number, maxLines = 2): string[] {
  const tokens =
    s.match(
      /[\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60]|[^\s\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60]+|\s+/gu,
    ) ?? []
  const lines: string[] = []
  let line = ''
  for (const tok of tokens) {
    const next = line + tok
    if (line.trim() !== '' && textWidth(next.trimEnd(), fontSize) > maxWidth) {
      lines.push(line.trim())
      line = tok.trim() === '' ? '' : tok
    } else line = next
  }
  if (line.trim() !== '') lines.push(line.trim())
  if (lines.length <= maxLines) return lines.map((l) => fitText(l, maxWidth, fontSize))
  // The last kept line takes the rest, shortened with an ellipsis (it overflows by construction).
  const kept = lines.slice(0, maxLines - 1)
  kept.push(fitText(lines.slice(maxLines - 1).join(' '), maxWidth, fontSize))
  return kept
}

/** Several lines of text centred vertically on y. */
function lines(x: number, y: number, ls: string[], lineHeight: number, attrs: string): string {
  const y0 = y - ((ls.length - 1) * lineHeight) / 2
  return ls.map((l, i) => text(x, y0 + i * lineHeight, l, attrs)).join('')
}

const num = (v: number): string => (Math.round(v * 100) / 100).toString()

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${num(x)}" y="${num(y)}" ${attrs}>${escapeHtml(s)}</text>`
}

/** Up to ~6 round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (hi <= lo) return [lo]
  const raw = (hi - lo) / count
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? raw
  const out: number[] = []
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toFixed(10)))
  return out
}

export interface Series {
  name: string
  colour: string
  points: [number, number][]
  /** Draw as a step function (precision-recall) instead of straight segments. */
  step?: boolean
  dashed?: boolean
  markers?: boolean
}

export interface LineChartOptions {
  width: number
  height: number
  xLabel: string
  yLabel: string
  xDomain: [number, number]
  yDomain: [number, number]
  series: Series[]
  /** Integer ticks on x (epochs). */
  integerX?: boolean
  /** A grey reference line from (x0, y0) to (x1, y1), e.g. chance on a ROC plot. */
  reference?: [number, number, number, number]
  ariaLabel: string
}

export function lineChart(o: LineChartOptions): string {
  const pw = o.width - MARGIN.left - MARGIN.right
  const ph = o.height - MARGIN.top - MARGIN.bottom
  const sx = (x: number) =>
    MARGIN.left + ((x - o.xDomain[0]) / (o.xDomain[1] - o.xDomain[0] || 1)) * pw
  const sy = (y: number) =>
    MARGIN.top + ph - ((y - o.yDomain[0]) / (o.yDomain[1] - o.yDomain[0] || 1)) * ph
  const parts: string[] = []
  const xt = o.integerX
    ? niceTicks(o.xDomain[0], o.xDomain[1], Math.min(8, o.xDomain[1] - o.xDomain[0])).filter(
        Number.isInteger,
      )
    : niceTicks(o.xDomain[0], o.xDomain[1])
  for (const t of niceTicks(o.yDomain[0], o.yDomain[1])) {
    parts.push(
      `<line class="grid" x1="${MARGIN.left}" x2="${MARGIN.left + pw}" y1="${num(sy(t))}" y2="${num(sy(t))}"/>`,
    )
    parts.push(text(MARGIN.left - 5, sy(t) + 4, String(t), 'text-anchor="end"'))
  }
  for (const t of xt) {
    parts.push(
      `<line class="grid" x1="${num(sx(t))}" x2="${num(sx(t))}" y1="${MARGIN.top}" y2="${MARGIN.top + ph}"/>`,
    )
    parts.push(text(sx(t), MARGIN.top + ph + 14, String(t), 'text-anchor="middle"'))
  }
  parts.push(
    `<rect class="frame" x="${MARGIN.left}" y="${MARGIN.top}" width="${pw}" height="${ph}"/>`,
  )
  if (o.reference) {
    const [x0, y0, x1, y1] = o.reference
    parts.push(
      `<line class="ref" x1="${num(sx(x0))}" y1="${num(sy(y0))}" x2="${num(sx(x1))}" y2="${num(sy(y1))}"/>`,
    )
  }
  for (const s of o.series) {
    const pts: string[] = []
    s.points.forEach(([x, y], i) => {
      if (s.step && i > 0) pts.push(`${num(sx(x))},${num(sy(s.points[i - 1][1]))}`)
      pts.push(`${num(sx(x))},${num(sy(y))}`)
    })
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : ''
    parts.push(
      `<polyline fill="none" stroke="${s.colour}" stroke-width="1.8"${dash} points="${pts.join(' ')}"/>`,
    )
    if (s.markers) {
      for (const [x, y] of s.points)
        parts.push(`<circle cx="${num(sx(x))}" cy="${num(sy(y))}" r="2.6" fill="${s.colour}"/>`)
    }
  }
  parts.push(
    text(
      MARGIN.left + pw / 2,
      o.height - 6,
      fitText(o.xLabel, pw, FONT),
      'text-anchor="middle" class="axis"',
    ),
  )
  const yl = fitText(o.yLabel, ph, FONT)
  parts.push(
    text(
      12,
      MARGIN.top + ph / 2,
      yl,
      `text-anchor="middle" class="axis" transform="rotate(-90 12 ${num(MARGIN.top + ph / 2)})"`,
    ),
  )
  return svg(o.width, o.height, o.ariaLabel, parts)
}

function svg(w: number, h: number, label: string, parts: string[]): string {
  return (
    `<svg class="chart" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" ` +
    `role="img" aria-label="${escapeHtml(label)}" font-size="${FONT}">${parts.join('')}</svg>`
  )
}

export interface HeatmapOptions {
  labels: string[]
  counts: number[][]
  /** Row-normalised shares (colour and the percentage printed under each count). */
  shares: number[][]
  rowTitle: string
  colTitle: string
  ariaLabel: string
}

/** Confusion-matrix heatmap: colour by row share, each cell shows the count and the row percentage. */
export function heatmap(o: HeatmapOptions): string {
  const n = o.labels.length
  const cell = Math.max(34, Math.min(96, Math.floor(480 / Math.max(n, 1))))
  const labelW = 130
  const top = 52
  const left = labelW + 22
  const w = left + n * cell + 8
  const h = top + n * cell + 8
  const parts: string[] = []
  parts.push(
    text(
      left + (n * cell) / 2,
      12,
      fitText(o.colTitle, n * cell, FONT),
      'text-anchor="middle" class="axis"',
    ),
  )
  parts.push(
    text(
      10,
      top + (n * cell) / 2,
      fitText(o.rowTitle, n * cell, FONT),
      `text-anchor="middle" class="axis" transform="rotate(-90 10 ${num(top + (n * cell) / 2)})"`,
    ),
  )
  o.labels.forEach((l, j) => {
    parts.push(
      lines(
        left + j * cell + cell / 2,
        top - 17,
        wrapText(l, cell - 8, FONT - 1),
        12,
        'text-anchor="middle"',
      ),
    )
    parts.push(
      lines(
        left - 6,
        top + j * cell + cell / 2 + 4,
        wrapText(l, labelW - 6, FONT - 1),
        12,
        'text-anchor="end"',
      ),
    )
  })
  const small = cell < 46
  o.counts.forEach((row, i) =>
    row.forEach((c, j) => {
      const share = o.shares[i]?.[j] ?? 0
      // White through the palette's blue; text flips to white on dark cells.
      const r = Math.round(255 - share * (255 - 0)) // towards #0072B2
      const g = Math.round(255 - share * (255 - 114))
      const b = Math.round(255 - share * (255 - 178))
      const x = left + j * cell
      const y = top + i * cell
      // A class, not a fill attribute: the page's CSS for svg text would override the attribute.
      const fg = share > 0.55 ? 'on-dark' : 'on-light'
      parts.push(
        `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="rgb(${r},${g},${b})" stroke="#ffffff"/>`,
      )
      const pct = `${(share * 100).toFixed(share === 0 || share === 1 ? 0 : 1)}%`
      parts.push(
        text(
          x + cell / 2,
          y + cell / 2 - (small ? 0 : 2),
          String(c),
          `text-anchor="middle" class="${fg}" font-weight="600"`,
        ),
      )
      if (!small)
        parts.push(
          text(
            x + cell / 2,
            y + cell / 2 + 12,
            pct,
            `text-anchor="middle" class="${fg}" font-size="${FONT - 2}"`,
          ),
        )
    }),
  )
  return svg(w, h, o.ariaLabel, parts)
}

export interface ReliabilityOptions {
  bins: ReliabilityBin[]
  xLabel: string
  yLabel: string
  ariaLabel: string
}

/** Reliability diagram: bar per bin at its observed accuracy, its mean confidence, the diagonal (counts go in the table beside it). */
export function reliabilityDiagram(o: ReliabilityOptions): string {
  const width = 340
  const height = 260
  const pw = width - MARGIN.left - MARGIN.right
  const ph = height - MARGIN.top - MARGIN.bottom
  const sx = (x: number) => MARGIN.left + x * pw
  const sy = (y: number) => MARGIN.top + ph - y * ph
  const parts: string[] = []
  for (const t of [0, 0.2, 0.4, 0.6, 0.8, 1]) {
    parts.push(
      `<line class="grid" x1="${MARGIN.left}" x2="${MARGIN.left + pw}" y1="${num(sy(t))}" y2="${num(sy(t))}"/>`,
    )
    parts.push(text(MARGIN.left - 5, sy(t) + 4, String(t), 'text-anchor="end"'))
    parts.push(text(sx(t), MARGIN.top + ph + 14, String(t), 'text-anchor="middle"'))
  }
  for (const b of o.bins) {
    if (b.count === 0 || b.accuracy === null || b.meanConfidence === null) continue
    const x = sx(b.lower) + 1.5
    const bw = sx(b.upper) - sx(b.lower) - 3
    parts.push(
      `<rect x="${num(x)}" y="${num(sy(b.accuracy))}" width="${num(bw)}" height="${num(sy(0) - sy(b.accuracy))}" fill="${PALETTE[0]}" fill-opacity="0.8"/>`,
    )
    // The gap to the bin's mean confidence, which is what ECE averages.
    parts.push(
      `<line x1="${num(x)}" x2="${num(x + bw)}" y1="${num(sy(b.meanConfidence))}" y2="${num(sy(b.meanConfidence))}" stroke="${PALETTE[1]}" stroke-width="2"/>`,
    )
  }
  parts.push(
    `<rect class="frame" x="${MARGIN.left}" y="${MARGIN.top}" width="${pw}" height="${ph}"/>`,
  )
  parts.push(`<line class="ref" x1="${sx(0)}" y1="${sy(0)}" x2="${sx(1)}" y2="${sy(1)}"/>`)
  parts.push(
    text(
      MARGIN.left + pw / 2,
      height - 6,
      fitText(o.xLabel, pw, FONT),
      'text-anchor="middle" class="axis"',
    ),
  )
  parts.push(
    text(
      12,
      MARGIN.top + ph / 2,
      fitText(o.yLabel, ph, FONT),
      `text-anchor="middle" class="axis" transform="rotate(-90 12 ${num(MARGIN.top + ph / 2)})"`,
    ),
  )
  return svg(width, height, o.ariaLabel, parts)
}
