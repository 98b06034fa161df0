// The de-identification flags shared by `cts import` and `cts deid preview` (issue #15 point 3):
// --deidentify, --deid-keep-year, --deid-mrn RE, --deid-insurance RE, --deid-types NAME,PHONE,…
// Their values are checked here, so a typo names its flag before any file is read.
import { Option } from 'commander'
import { PHI_TYPES, type DeidOptions, type PhiType } from '../../preload/contract/deid'
import { CtsError } from '../shared'

export interface DeidFlagValues {
  deidentify?: boolean
  deidKeepYear?: boolean
  deidMrn?: string[]
  deidInsurance?: string[]
  deidTypes?: string
}

const collect = (value: string, previous: string[] = []) => [...previous, value]

/** The option flags (not --deidentify itself), fresh for each command that offers them. */
export function deidOptionFlags(): Option[] {
  return [
    new Option('--deid-keep-year', 'de-identify: dates keep their year ("[DATE] 2023")'),
    new Option(
      '--deid-mrn <regex>',
      "de-identify: your hospital's medical record number pattern (repeatable)",
    ).argParser(collect),
    new Option(
      '--deid-insurance <regex>',
      "de-identify: your hospital's insurance number pattern (repeatable)",
    ).argParser(collect),
    new Option(
      '--deid-types <kinds>',
      `de-identify only these kinds, comma-separated (default all: ${PHI_TYPES.join(',')})`,
    ),
  ]
}

/** A pattern as the engine will run it (Unicode mode), and not one that matches empty text. */
function checkPattern(flag: string, source: string): string {
  let re: RegExp
  try {
    re = new RegExp(source, 'u')
  } catch (e) {
    throw new CtsError(
      'bad-input',
      `${flag} "${source}" is not a valid regular expression (${(e as Error).message}).`,
    )
  }
  if (re.test('')) {
    throw new CtsError(
      'bad-input',
      `${flag} "${source}" matches empty text; give a pattern that matches at least one character.`,
    )
  }
  return source
}

function typesFlag(value: string): PhiType[] {
  const names = value
    .split(',')
    .map((v) => v.trim().toUpperCase())
    .filter(Boolean)
  const bad = names.find((n) => !(PHI_TYPES as readonly string[]).includes(n))
  if (bad !== undefined || names.length === 0) {
    throw new CtsError(
      'bad-input',
      `--deid-types must be a comma-separated list of ${PHI_TYPES.join(', ')} (got "${value}").`,
    )
  }
  return [...new Set(names)] as PhiType[]
}

/**
 * The DeidOptions the flags ask for, or undefined when none was given. Any --deid-* flag turns
 * de-identification on, as --deidentify does (`always` for `cts deid preview`).
 */
export function deidOptionsFromFlags(
  opts: DeidFlagValues,
  always = false,
): DeidOptions | undefined {
  const on =
    always ||
    opts.deidentify === true ||
    opts.deidKeepYear === true ||
    opts.deidMrn !== undefined ||
    opts.deidInsurance !== undefined ||
    opts.deidTypes !== undefined
  if (!on) return undefined
  return {
    ...(opts.deidTypes !== undefined ? { types: typesFlag(opts.deidTypes) } : {}),
    ...(opts.deidKeepYear ? { keepYear: true } : {}),
    ...(opts.deidMrn
      ? { mrnPatterns: opts.deidMrn.map((p) => checkPattern('--deid-mrn', p)) }
      : {}),
    ...(opts.deidInsurance
      ? { insurancePatterns: opts.deidInsurance.map((p) => checkPattern('--deid-insurance', p)) }
      : {}),
  }
}

/** How many texts held PHI, then one line per kind, e.g. "  PHONE      3". */
export function deidCountLines(
  counts: Record<PhiType, number>,
  texts: number,
  textsWithPhi: number,
): string[] {
  return [
    `De-identification: ${textsWithPhi} of ${texts} texts hold PHI.`,
    ...PHI_TYPES.map((t) => `  ${t.padEnd(10)} ${counts[t]}`),
  ]
}

/** One line after a de-identified import: "5 of 6 texts held PHI; masked PHONE 3, EMAIL 2." */
export function deidSummaryLine(
  counts: Record<PhiType, number>,
  texts: number,
  textsWithPhi: number,
): string {
  const found = PHI_TYPES.filter((t) => counts[t] > 0).map((t) => `${t} ${counts[t]}`)
  const what = found.length ? `masked ${found.join(', ')}` : 'nothing needed masking'
  return `De-identified before storing: ${textsWithPhi} of ${texts} texts held PHI; ${what}.`
}
