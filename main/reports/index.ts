// The reports module's public face: build a run's report model, render it to HTML, print it to PDF.
export { buildReportModel, rowNormalise } from './report-model'
export type {
  DatasetSummary,
  EpochPoint,
  ReportInput,
  ReportLocale,
  ReportModel,
  ReportOperatingPoint,
  SplitName,
} from './report-model'
export { renderReportHtml } from './render-html'
export {
  CHROMIUM_CANDIDATES,
  CHROMIUM_FLAGS,
  findChromium,
  renderPdf,
  type PdfOptions,
} from './render-pdf'
export { escapeHtml } from './html-escape'
export {
  datasetSummary,
  parseTestPredictions,
  reportInputFromRun,
  type SplitLabels,
  type TestPredictions,
} from './run-artifacts'
