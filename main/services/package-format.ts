// The annotation package file (issue #12 point 3): JSONL, a header line then one line per text an
// annotator labelled, by content hash and label NAMES. Writes it, and reads it back with per-line
// errors a clinician can act on. Never patient text: hashes, label names, one name, times.
import { CtsError } from '../shared'
import type { LabelSetKind } from '../../preload/contract/projects'
import type { PackageMergeRow } from '../store/packages-repository'

export const PACKAGE_TYPE = 'cts-annotation-package'
export const PACKAGE_VERSION = 1
export const PACKAGE_APP = 'clinical-text-studio'

/** Largest package file read (bytes): far above 100,000 annotations (about 150 bytes a line). */
export const MAX_PACKAGE_BYTES = 200 * 1024 * 1024

/** Line errors named one by one in an error's details; the message names the first. */
const MAX_LINE_ERRORS_LISTED = 100

/** The longest annotator name, as in the contract (annotatorNameSchema). */
const MAX_ANNOTATOR_LENGTH = 100

const KINDS: readonly LabelSetKind[] = ['binary', 'multiclass', 'multilabel']
const SHA256_HEX = /^[0-9a-f]{64}$/i

export interface PackageHeader {
  annotator: string
  exportedAt: string
  project: { kind: LabelSetKind; labels: string[] }
}

/** One annotation of a package: a text (by content hash), its labels by name, and when. */
export interface PackageRow {
  contentHash: string
  labels: string[]
  /** ISO time the annotator last changed it. */
  at: string
}

/** A row as read from a file, with its 1-based line number. */
export interface PackageLine extends PackageRow {
  line: number
}

export interface ParsedPackage {
  header: PackageHeader
  rows: PackageLine[]
}

/** The package file's text: the header line, then one line per row, each ending in a newline. */
export function writePackage(header: PackageHeader, rows: readonly PackageRow[]): string {
  const head = {
    type: PACKAGE_TYPE,
    version: PACKAGE_VERSION,
    project: { kind: header.project.kind, labels: header.project.labels },
    annotator: header.annotator,
    exportedAt: header.exportedAt,
    app: PACKAGE_APP,
  }
  const lines = [JSON.stringify(head)]
  for (const r of rows) {
    lines.push(JSON.stringify({ contentHash: r.contentHash, labels: r.labels, at: r.at }))
  }
  return lines.map((l) => `${l}\n`).join('')
}

const notAPackage = () =>
  new CtsError(
    'bad-input',
    'Line 1 is not a Clinical Text Studio annotation package. Choose a file exported with "Export annotation package" (cts package export).',
  )

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line)
  } catch {
    return undefined
  }
}

/** An ISO time as written back (UTC, milliseconds), or null when it is not a time. */
function isoTime(value: string): string | null {
  // Date.parse accepts loose forms ("May 5"); a package time must carry a date in ISO form.
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return null
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? null : new Date(ms).toISOString()
}

function parseHeader(line: string | undefined): PackageHeader {
  const head = line === undefined ? undefined : parseJson(line)
  if (!isObject(head) || head.type !== PACKAGE_TYPE) throw notAPackage()
  const bad = (message: string) => new CtsError('bad-input', `Line 1: ${message}`)
  const version = head.version
  if (version === undefined) throw bad('the package version is missing.')
  if (typeof version === 'number' && Number.isInteger(version) && version > PACKAGE_VERSION) {
    throw new CtsError(
      'bad-input',
      `This package was written by a newer Clinical Text Studio (package version ${version}); this version reads version ${PACKAGE_VERSION}. Update Clinical Text Studio to import it.`,
    )
  }
  if (version !== PACKAGE_VERSION) {
    throw bad(
      `package version ${JSON.stringify(version)} is not one this app reads (it reads version ${PACKAGE_VERSION}).`,
    )
  }
  const annotator = typeof head.annotator === 'string' ? head.annotator.trim() : ''
  if (!annotator)
    throw bad('the package names no annotator, so its labels cannot be kept as theirs.')
  if (annotator.length > MAX_ANNOTATOR_LENGTH) {
    throw bad(`the annotator name is longer than ${MAX_ANNOTATOR_LENGTH} characters.`)
  }
  const project = head.project
  if (!isObject(project)) throw bad('the project schema (kind and labels) is missing.')
  const kind = project.kind
  if (typeof kind !== 'string' || !KINDS.includes(kind as LabelSetKind)) {
    throw bad(
      `the project kind must be binary, multiclass or multilabel (got ${JSON.stringify(kind ?? null)}).`,
    )
  }
  const labels = project.labels
  if (
    !Array.isArray(labels) ||
    labels.length === 0 ||
    !labels.every((l) => typeof l === 'string' && l.trim() !== '')
  ) {
    throw bad("the project's labels must be a list of label names.")
  }
  const names = (labels as string[]).map((l) => l.trim())
  const twice = names.find((n, i) => names.indexOf(n) !== i)
  if (twice !== undefined) throw bad(`the label "${twice}" is listed twice.`)
  return {
    annotator,
    exportedAt: typeof head.exportedAt === 'string' ? head.exportedAt : '',
    project: { kind: kind as LabelSetKind, labels: names },
  }
}

/** One row line checked against the header; a message (without the line prefix) when it fails. */
function parseRow(raw: unknown, header: PackageHeader): PackageRow | string {
  if (!isObject(raw)) return 'is not one JSON object (each line of a package is one annotation).'
  const hash = raw.contentHash
  if (hash === undefined || hash === null || hash === '') return 'contentHash is missing.'
  if (typeof hash !== 'string' || !SHA256_HEX.test(hash)) {
    return 'contentHash must be the 64-character sha256 of the text, as Clinical Text Studio writes it.'
  }
  const labels = raw.labels
  if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string')) {
    return 'labels must be a list of label names.'
  }
  const names = [...new Set((labels as string[]).map((l) => l.trim()))]
  const unknown = names.find((n) => !header.project.labels.includes(n))
  if (unknown !== undefined) {
    return `label "${unknown}" is not one of the package's labels (${header.project.labels.join(', ')}).`
  }
  if (header.project.kind !== 'multilabel' && names.length > 1) {
    return `the package's project takes one label per text, but this line has ${names.length} (${names.join(', ')}).`
  }
  const at = raw.at
  if (at === undefined || at === null || at === '') return 'at (when it was labelled) is missing.'
  const time = typeof at === 'string' ? isoTime(at) : null
  if (time === null) {
    return `at must be a date and time such as 2026-12-06T15:30:00.000Z (got ${JSON.stringify(at)}).`
  }
  return { contentHash: hash.toLowerCase(), labels: names, at: time }
}

/**
 * Reads a package's text. Any problem refuses the whole package (nothing is merged): the message
 * names the first problem by line, `details.lines` lists up to 100 of them.
 */
export function parsePackage(text: string): ParsedPackage {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  const first = lines.findIndex((l) => l.trim() !== '')
  if (first !== 0) {
    if (first === -1) throw new CtsError('bad-input', 'The package file is empty.')
    throw notAPackage()
  }
  const header = parseHeader(lines[0])
  const rows: PackageLine[] = []
  const errors: string[] = []
  let errorCount = 0
  const seen = new Map<string, number>()
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1
    if (lines[i].trim() === '') continue
    const raw = parseJson(lines[i])
    const row =
      raw === undefined
        ? 'is not valid JSON (each line of a package is one annotation).'
        : parseRow(raw, header)
    let problem: string | null = null
    if (typeof row === 'string') {
      problem = row.startsWith('is ') ? `Line ${line} ${row}` : `Line ${line}: ${row}`
    } else if (seen.has(row.contentHash)) {
      problem = `Line ${line}: the same text (contentHash ${row.contentHash.slice(0, 12)}…) is already on line ${seen.get(row.contentHash)}.`
    } else {
      seen.set(row.contentHash, line)
      rows.push({ line, ...row })
    }
    if (problem !== null) {
      errorCount += 1
      if (errors.length < MAX_LINE_ERRORS_LISTED) errors.push(problem)
    }
  }
  if (errorCount > 0) {
    const more =
      errorCount > 1
        ? ` ${errorCount - 1} more line${errorCount > 2 ? 's have' : ' has'} problems too.`
        : ''
    throw new CtsError('bad-input', `${errors[0]}${more} Nothing was imported.`, { lines: errors })
  }
  return { header, rows }
}

function kindPhrase(kind: LabelSetKind): string {
  if (kind === 'binary') return 'a binary project (one of two labels per text)'
  if (kind === 'multiclass') return 'a multi-class project (one label per text)'
  return 'a multi-label project'
}

/**
 * Refuses a package made for another project schema, with the reason; else its rows with this
 * project's label ids (sorted). Label names match exactly; a package may use fewer labels.
 */
export function matchProject(
  pkg: ParsedPackage,
  project: { kind: LabelSetKind; labels: readonly { id: number; name: string }[] },
): PackageMergeRow[] {
  const theirs = pkg.header.project.kind
  if (theirs !== project.kind) {
    let reason: string
    if (theirs === 'multilabel') {
      reason = 'This package is for a multi-label project; this project takes one label per text.'
    } else if (project.kind === 'multilabel') {
      reason = `This package is for ${kindPhrase(theirs)}; this project is multi-label.`
    } else {
      reason = `This package is for ${kindPhrase(theirs)}; this project is ${kindPhrase(project.kind)}.`
    }
    throw new CtsError('bad-input', `${reason} Nothing was imported.`)
  }
  const ids = new Map(project.labels.map((l) => [l.name, l.id]))
  const missing = pkg.header.project.labels.find((name) => !ids.has(name))
  if (missing !== undefined) {
    throw new CtsError(
      'bad-input',
      `Label "${missing}" in this package is not in this project's labels (${project.labels.map((l) => l.name).join(', ')}). Nothing was imported.`,
    )
  }
  return pkg.rows.map((r) => ({
    line: r.line,
    contentHash: r.contentHash,
    labelIds: r.labels.map((n) => ids.get(n)!).sort((a, b) => a - b),
    at: r.at,
  }))
}
