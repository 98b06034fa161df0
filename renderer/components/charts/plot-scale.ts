// Where a chart's plot area sits in its SVG and how data maps onto it: the one margin the app's
// charts share, and the x/y scales that ChartAxes and the chart's own marks both use.

/** Room around the plot for tick labels (left, bottom) and the axis titles. */
export const PLOT_MARGIN = { top: 12, right: 16, bottom: 42, left: 52 } as const

export interface PlotScale {
  /** The SVG's size. */
  width: number
  height: number
  /** The plot area's size, inside PLOT_MARGIN. */
  plotW: number
  plotH: number
  /** Data → SVG coordinates. */
  sx: (x: number) => number
  sy: (y: number) => number
}

/** Linear scales that map xDomain × yDomain onto the plot area of a width × height SVG. */
export function plotScale(
  width: number,
  height: number,
  xDomain: readonly [number, number],
  yDomain: readonly [number, number],
): PlotScale {
  const m = PLOT_MARGIN
  const plotW = width - m.left - m.right
  const plotH = height - m.top - m.bottom
  return {
    width,
    height,
    plotW,
    plotH,
    sx: (x) => m.left + ((x - xDomain[0]) / (xDomain[1] - xDomain[0])) * plotW,
    sy: (y) => m.top + plotH - ((y - yDomain[0]) / (yDomain[1] - yDomain[0])) * plotH,
  }
}
