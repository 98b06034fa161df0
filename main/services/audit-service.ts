// The audit log for the user (issue #15 point 4): 'audit/verify' over the store's hash chain, the
// filtered, paged list ('audit/list') and the same filter as a CSV file ('audit/export-csv'); and
// the AuditTrail that services without a repository of their own (training, prediction, reports)
// append through.
import { basename, resolve } from 'node:path'
import type { HandlersOf } from '../../preload/contract'
import type {
  AuditCsvDto,
  AuditFilter,
  AuditPageDto,
  AuditVerifyDto,
} from '../../preload/contract/audit'
import { escapeFormula } from '../data/escape-formula'
import { writeFileAtomic } from '../shared/atomic-file'
import { CtsError } from '../shared'
import type { AuditAction, AuditExportRow } from '../store/audit-repository'
import type { Repositories } from '../store/repositories'
import { requireLeadHere } from './annotators-service'

/** Appends entries under one actor (the workspace's profile, bound at boot). */
export interface AuditTrail {
  /** Details are ids, counts and names — never the text of a patient record. */
  record(
    action: AuditAction,
    projectId: number | null,
    details: Record<string, unknown>,
  ): Promise<void>
}

export function auditTrail(
  repos: Pick<Repositories, 'audit'>,
  actor: string | (() => string | Promise<string>),
): AuditTrail {
  return {
    record: async (action, projectId, details) => {
      const who = typeof actor === 'string' ? actor : await actor()
      await repos.audit.write(who, action, projectId, details)
    },
  }
}

/** The CSV's columns, in order (header row). */
export const AUDIT_CSV_COLUMNS = [
  'id',
  'at',
  'actor',
  'action',
  'project_id',
  'project',
  'details',
  'prev_hash',
  'hash',
] as const

/**
 * One CSV field: quoted when it holds a comma, quote or line break (quotes doubled, RFC 4180), and
 * prefixed with ' when a spreadsheet would run it as a formula (main/data/escape-formula.ts).
 */
export function csvField(value: string | number | null): string {
  if (value === null) return ''
  const text = typeof value === 'number' ? String(value) : escapeFormula(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

function csvLine(r: AuditExportRow): string {
  const fields = [
    r.id,
    r.at,
    r.actor,
    r.action,
    r.projectId,
    r.projectName,
    JSON.stringify(r.details),
    r.prevHash,
    r.hash,
  ]
  return fields.map(csvField).join(',')
}

export class AuditService {
  constructor(private readonly repos: Pick<Repositories, 'audit' | 'annotators'>) {}

  async verify(): Promise<AuditVerifyDto> {
    // An annotator reads only their own entries on a team workspace, so the chain has gaps for
    // them: checking it is a lead's step (it would otherwise report a broken chain).
    await requireLeadHere(this.repos, 'checking the whole audit log')
    return this.repos.audit.verify()
  }

  async list(filter: AuditFilter & { offset: number; limit: number }): Promise<AuditPageDto> {
    const { offset, limit, ...only } = filter
    const page = await this.repos.audit.list(only, { offset, limit })
    return { ...page, offset, limit, actors: await this.repos.audit.actors() }
  }

  /** The filtered log as CSV (UTF-8 with BOM, so Excel reads Chinese names), oldest first. */
  async csv(filter: AuditFilter): Promise<{ text: string; rows: number }> {
    const lines = [AUDIT_CSV_COLUMNS.join(',')]
    for await (const r of this.repos.audit.exportRows(filter)) lines.push(csvLine(r))
    return { text: '\uFEFF' + lines.join('\r\n') + '\r\n', rows: lines.length - 1 }
  }

  /** Writes to `path` (desktop), or returns the bytes when no path is given (browser). */
  async exportCsv(args: AuditFilter & { path?: string }): Promise<AuditCsvDto> {
    const { path, ...filter } = args
    const { text, rows } = await this.csv(filter)
    if (!path) {
      const fileName = `audit-log-${new Date().toISOString().slice(0, 10)}.csv`
      return { rows, fileName, contentBase64: Buffer.from(text, 'utf8').toString('base64') }
    }
    const out = resolve(path)
    try {
      writeFileAtomic(out, text)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (typeof code !== 'string') throw err
      const why = `could not be written (${code}). Check that the folder exists and you may write to it.`
      throw new CtsError('bad-input', `The audit CSV ${basename(out)} ${why}`, {
        issues: [{ path: ['path'], message: `${basename(out)} ${why}`, fromSchema: false }],
      })
    }
    return { rows, path: out, fileName: basename(out) }
  }

  handlers(): HandlersOf<'audit/verify' | 'audit/list' | 'audit/export-csv'> {
    return {
      'audit/verify': async () => this.verify(),
      'audit/list': async (a) => this.list(a),
      'audit/export-csv': async (a) => this.exportCsv(a),
    }
  }
}
