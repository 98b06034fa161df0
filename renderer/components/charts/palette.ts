// Chart colours and ticks: the Okabe–Ito series colours (shared with the report), the diverging pair
// used for token attributions, the heatmap ramp, and round tick values for axes.

// The series colours are shared with the HTML report: one list in the contract's pure-data leaf.
export { seriesColour } from '../../../preload/contract/chart-colours'

/** Supports the predicted label (green) / argues against it (red), as rgb triples. */
export const ATTRIBUTION_FOR = [26, 152, 80] as const
export const ATTRIBUTION_AGAINST = [215, 48, 39] as const

/** Heatmap cell: white → the accent blue, by a value in [0, 1]. */
export function heat(v: number): string {
  const t = Math.max(0, Math.min(1, v))
  const mix = (a: number, b: number) => Math.round(a + (b - a) * t)
  return `rgb(${mix(255, 8)}, ${mix(255, 81)}, ${mix(255, 156)})`
}

/** Tick values for an axis: 5–6 round numbers covering [min, max]. */
export function ticks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min]
  const raw = (max - min) / count
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw
  const out: number[] = []
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
    out.push(Number(v.toPrecision(12)))
  }
  return out
}
