// `cts audit verify [--json]`: walks the audit log's hash chain; exits 0 when it is intact, and
// non-zero naming the first entry that was edited, inserted or deleted in the database directly.
// `cts audit list [--action A] [--actor NAME] [--project P] [--since DATE] [--until DATE]
// [--limit N] [--json] [--csv FILE]`: the log, newest first, or the filtered log as a CSV file.
import { resolve } from 'node:path'
import { Command } from 'commander'
import type { AuditEntryDto, AuditFilter } from '../../../preload/contract/audit'
import { CtsError } from '../../shared'
import { withContext, type CliContext } from '../context'
import { numberFlag } from '../flags'
import type { CliCommand } from './command'

interface ListOptions {
  action?: string[]
  actor?: string
  project?: string
  since?: string
  until?: string
  limit?: string
  json?: boolean
  csv?: string
}

const LIST_FLAGS = { actions: '--action', actor: '--actor', limit: '--limit', path: '--csv' }

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/

/**
 * --since / --until: a day on this computer's clock (--since from its start, --until to its end)
 * or an exact ISO time; the contract gets an instant either way.
 */
export function dateFlag(flag: '--since' | '--until', value: string): string {
  const day = DAY.exec(value)
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]) - 1, Number(day[3])]
    const start = new Date(y, m, d)
    if (start.getFullYear() === y && start.getMonth() === m && start.getDate() === d) {
      const at = flag === '--since' ? start : new Date(y, m, d + 1, 0, 0, 0, -1)
      return at.toISOString()
    }
  } else if (INSTANT.test(value) && !Number.isNaN(Date.parse(value))) {
    return new Date(value).toISOString()
  }
  throw new CtsError(
    'bad-input',
    `${flag} must be a date like 2026-12-06 or a time like 2026-12-06T08:30:00Z (got "${value}").`,
  )
}

/** Repeated or comma-separated --action values. */
const collect = (value: string, previous: string[] = []) => [
  ...previous,
  ...value.split(',').map((v) => v.trim()),
]

async function filterOf(ctx: CliContext, opts: ListOptions): Promise<AuditFilter> {
  return {
    ...(opts.action ? { actions: opts.action as AuditFilter['actions'] } : {}),
    ...(opts.actor !== undefined ? { actor: opts.actor } : {}),
    ...(opts.project !== undefined
      ? { projectId: (await ctx.resolveProject(opts.project)).id }
      : {}),
    ...(opts.since !== undefined ? { from: dateFlag('--since', opts.since) } : {}),
    ...(opts.until !== undefined ? { to: dateFlag('--until', opts.until) } : {}),
  }
}

/** One line per entry: id, local time, who, what, project, details. */
function entryLine(e: AuditEntryDto): string {
  const project = e.projectName ?? (e.projectId === null ? '-' : `project ${e.projectId}`)
  const at = new Date(e.at).toLocaleString('sv-SE')
  return `#${e.id}  ${at}  ${e.actor}  ${e.action}  ${project}  ${JSON.stringify(e.details)}`
}

const verifyCommand = () =>
  new Command('verify')
    .description('check that no audit entry was edited, inserted or deleted')
    .option('--json', 'print the result as JSON (exit status as without it)')
    .action(
      withContext(async (ctx, opts: { json?: boolean }) => {
        const result = await ctx.call('audit/verify', {})
        if (opts.json) ctx.printJson(result)
        if (!result.intact) {
          throw new CtsError(
            'conflict',
            `The audit log was tampered with at entry ${result.brokenAt}: ${result.reason}`,
          )
        }
        if (!opts.json)
          ctx.print(`Audit log intact: ${result.entries} entries, every link verified.`)
      }),
    )

const listCommand = () =>
  new Command('list')
    .description('show the audit log, newest first, or write it as CSV (filters combine)')
    .option('--action <action>', 'only this action (repeat or comma-separate for several)', collect)
    .option('--actor <name>', 'only entries by this person (profile name)')
    .option('--project <project>', 'only this project (name or id)')
    .option('--since <date>', 'from this day (2026-12-06) or time (ISO) on')
    .option('--until <date>', 'up to the end of this day, or up to this time')
    .option('--limit <n>', 'entries to show (default 50, at most 500; not for --csv)')
    .option('--json', 'print one JSON object: entries, total')
    .option('--csv <file>', 'write every matching entry to this CSV file, oldest first')
    .action(
      withContext(async (ctx, opts: ListOptions) => {
        const filter = await filterOf(ctx, opts)
        if (opts.csv !== undefined) {
          const out = opts.csv === '' ? '' : resolve(opts.csv)
          const r = await ctx.call('audit/export-csv', { ...filter, path: out }, LIST_FLAGS)
          if (opts.json) return ctx.printJson({ rows: r.rows, path: r.path })
          return ctx.print(`Wrote ${r.rows} audit entries → ${r.path}`)
        }
        const page = await ctx.call(
          'audit/list',
          { ...filter, limit: numberFlag(opts.limit) ?? 50 },
          LIST_FLAGS,
        )
        if (opts.json) return ctx.printJson({ total: page.total, entries: page.entries })
        if (page.entries.length === 0) return ctx.print('No audit entries match.')
        for (const e of page.entries) ctx.print(entryLine(e))
        if (page.total > page.entries.length)
          ctx.print(`(${page.entries.length} of ${page.total}; --limit shows more)`)
      }),
    )

export const auditCommand: CliCommand = {
  name: 'audit',
  register(program) {
    program.addCommand(
      new Command('audit')
        .description('the audit log: who did what, when, and its integrity')
        .addCommand(verifyCommand())
        .addCommand(listCommand()),
    )
  },
}
