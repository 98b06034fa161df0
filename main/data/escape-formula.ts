// CSV/formula injection guard for spreadsheet exports: one pure rule, tested on its own.

/** Characters that make Excel, LibreOffice or Sheets treat a cell as a formula (after spaces). */
const FORMULA_START = /^ *[=+\-@\t\r]/

/**
 * Prefixes a single quote to a value that a spreadsheet would run as a formula (it starts, after
 * leading spaces, with = + - @ tab or CR), so it is shown as text. Other values are unchanged.
 */
export function escapeFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value
}
