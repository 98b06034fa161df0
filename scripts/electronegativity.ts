// CI step: Electronegativity (Doyensec's Electron security linter) over main/ and preload/ (our
// TypeScript, which it parses), together, so its global checks see the whole main side. Fails on
// any finding not in scripts/electronegativity-accepted.json, on an accepted entry that no longer
// matches anything, on an entry whose test is missing, and on a file it could not parse.
// Usage: npx tsx scripts/electronegativity.ts [--json OUT]
import '../main/shared/egress-guard-install' // the tool asks S3 and GitHub for updates: stays offline
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'

interface Issue {
  id: string
  file: string
  location: { line: number; column: number }
  sample?: string
  severity: { name: string }
  confidence: { name: string }
  manualReview?: boolean
}
interface Result {
  globalChecks: number
  atomicChecks: number
  errors: { file: string; message: string; tolerable: boolean }[]
  issues: Issue[]
}
export interface AcceptedFinding {
  check: string
  file: string
  /** The flagged code's first line, trimmed ('' for a global check). */
  sample: string
  /** Why it is safe, in a sentence. */
  reason: string
  /** "test/…/file.test.ts > the test's name": the test that shows it. */
  test: string
}

const require = createRequire(import.meta.url)
const run = require('@doyensec/electronegativity') as (options: object) => Promise<Result>
const ROOT = join(import.meta.dirname, '..')
const ACCEPTED = JSON.parse(
  readFileSync(join(ROOT, 'scripts/electronegativity-accepted.json'), 'utf8'),
) as { findings: AcceptedFinding[] }
const electronVersion = (
  JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')) as {
    version: string
  }
).version

const sampleOf = (issue: Issue) => (issue.sample ?? '').split('\n')[0]!.trim()
const matches = (a: AcceptedFinding, issue: Issue) =>
  a.check === issue.id && a.file === issue.file && a.sample === sampleOf(issue)

const work = mkdtempSync(join(tmpdir(), 'cts-electronegativity-'))
let failed = 0
try {
  for (const dir of ['main', 'preload'])
    cpSync(join(ROOT, dir), join(work, dir), { recursive: true })
  // The tool prints its own update notices while loading: keep stdout for our report.
  const log = console.log
  console.log = (...args: unknown[]) => process.stderr.write(args.join(' ') + '\n')
  const result = await run({ input: work, electronVersionOverride: electronVersion }).finally(
    () => (console.log = log),
  )
  const issues = result.issues.map((i) => ({ ...i, file: relative(work, i.file) || i.file }))
  // Global checks have no file of their own ('N/A'); files are relative to the repository.
  for (const i of issues) if (i.file.startsWith('..')) i.file = 'N/A'
  console.log(
    `electronegativity ${electronVersion}: ${result.atomicChecks} atomic + ${result.globalChecks} global checks over main/ and preload/`,
  )
  for (const e of result.errors) {
    console.log(`${e.tolerable ? 'parse warning' : 'PARSE ERROR'}: ${e.file}: ${e.message}`)
    if (!e.tolerable) failed++
  }
  for (const issue of issues) {
    const where = `${issue.id} ${issue.file}:${issue.location.line}:${issue.location.column}`
    const accepted = ACCEPTED.findings.find((a) => matches(a, issue))
    if (accepted) console.log(`accepted  ${where}: ${accepted.reason} [${accepted.test}]`)
    else {
      console.log(
        `FINDING   ${where} (${issue.severity.name}, ${issue.confidence.name}): ${sampleOf(issue)}`,
      )
      failed++
    }
  }
  for (const a of ACCEPTED.findings) {
    if (!issues.some((i) => matches(a, i))) {
      console.log(`STALE     ${a.check} ${a.file}: accepted but no longer found; remove it`)
      failed++
    }
    const [file, name] = a.test.split(' > ')
    const text = file && existsSync(join(ROOT, file)) ? readFileSync(join(ROOT, file), 'utf8') : ''
    if (!name || !text.includes(name)) {
      console.log(`NO TEST   ${a.check} ${a.file}: "${a.test}" not found`)
      failed++
    }
  }
  const jsonAt = process.argv.indexOf('--json')
  if (jsonAt > 0) writeFileSync(process.argv[jsonAt + 1]!, JSON.stringify(issues, null, 2))
  const accepted =
    issues.length - issues.filter((i) => !ACCEPTED.findings.some((a) => matches(a, i))).length
  console.log(`${issues.length} findings: ${accepted} accepted (explained), ${failed} problems`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
process.exit(failed > 0 ? 1 : 0)
