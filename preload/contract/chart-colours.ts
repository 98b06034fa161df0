// The one list of chart colours, shared by the app's charts (renderer) and the HTML report (main):
// pure data with no imports, so the renderer may take it as a value without pulling in the contract.

/** Okabe–Ito colours: distinguishable with the common colour-vision deficiencies and in greyscale print. */
export const CHART_COLOURS: readonly string[] = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
  '#F0E442',
]

/** The colour of the i-th series; past the last colour the list starts again. */
export function seriesColour(i: number): string {
  return CHART_COLOURS[i % CHART_COLOURS.length]
}
