// Writes predictions as CSV (UTF-8 with BOM, RFC 4180) or XLSX: text, predicted label, one
// probability column per label; text cells formula-escaped; the file appears only when complete.
import ExcelJS from 'exceljs'
import { rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { csvField, escapeFormula } from '../data/exporters'
import { argmax } from '../ml/eval/metrics'
import { roundProbability } from '../ml/infer/probabilities'

export type PredictionFormat = 'csv' | 'xlsx'

/** Column headers: text, label (predicted), p_<label> per label in the run's order. */
export function predictionColumns(labels: string[]): string[] {
  return ['text', 'label', ...labels.map((l) => `p_${l}`)]
}

/** Writes the rows to `outPath`; returns the columns written. */
export async function writePredictionRows(
  format: PredictionFormat,
  outPath: string,
  labels: string[],
  texts: string[],
  probs: Float32Array,
): Promise<string[]> {
  const k = labels.length
  const columns = predictionColumns(labels)
  const rows = texts.map((text, i) => {
    const row = probs.subarray(i * k, i * k + k)
    return { text, label: labels[argmax(row)], p: Array.from(row, roundProbability) }
  })
  const temp = join(dirname(outPath), `.${basename(outPath)}.${process.pid}.${Date.now()}.tmp`)
  try {
    if (format === 'csv') {
      const lines = [columns.map((c) => csvField(escapeFormula(c))).join(',')]
      for (const r of rows) {
        const cells = [escapeFormula(r.text), escapeFormula(r.label)].map(csvField)
        lines.push([...cells, ...r.p.map(String)].join(','))
      }
      await writeFile(temp, '\ufeff' + lines.join('\r\n') + '\r\n', 'utf8')
    } else {
      const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
        filename: temp,
        useStyles: false,
        useSharedStrings: false,
      })
      const sheet = workbook.addWorksheet('Predictions')
      sheet.addRow(columns.map(escapeFormula)).commit()
      for (const r of rows) {
        sheet.addRow([escapeFormula(r.text), escapeFormula(r.label), ...r.p]).commit()
      }
      sheet.commit()
      await workbook.commit()
    }
    await rename(temp, outPath)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
  return columns
}
