// One clinician's computer for test/pg/concurrency-10x1000.test.ts: a separate process that boots
// the composition root on its own folder bound to the team database and labels through the contract.
// Protocol on stdin/stdout: prints "ready", waits for "go", labels, prints "done", waits for "read",
// reads the label history back, writes its JSON result to the out file, prints "finished".
import { writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { boot } from '../../main/root/boot'
import type { CallEnvelope } from '../../preload/contract'
import type { AuditEntryDto, AuditPageDto, AuditVerifyDto } from '../../preload/contract/audit'
import type { AnnotationDto } from '../../preload/contract/labels'

interface Args {
  home: string
  out: string
  client: number
  annotator: string
  projectId: number
  textIds: number[]
  labelIds: number[]
  writes: number
  sample: number[]
}

/** One acknowledged call: what was asked, and what the service answered. */
export interface Ack {
  op: 'set' | 'undo' | 'redo'
  textId: number
  labelIds: number[]
  revision: number
}

export interface ClientResult {
  acks: Ack[]
  /** Undo/redo calls answered null (nothing to undo/redo). */
  nothing: number
  /** sample text id → its label entries in the audit log as this client listed them, oldest first. */
  history: Record<string, { id: number; actor: string; action: string; details: unknown }[]>
  labelEntries: number
  verify: AuditVerifyDto
  ms: number
}

const args = JSON.parse(process.argv[2]) as Args
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]()
async function waitFor(word: string): Promise<void> {
  for (;;) {
    const next = await lines.next()
    if (next.done) throw new Error(`stdin closed before "${word}"`)
    if (next.value.trim() === word) return
  }
}

const backend = await boot({ home: args.home, actor: args.annotator })
async function call<T>(name: string, a: unknown): Promise<T> {
  const env = (await backend.dispatch(name, a)) as CallEnvelope<T>
  if (!env.ok) throw new Error(`${args.annotator} ${name}: ${JSON.stringify(env.error)}`)
  return env.value
}

process.stdout.write('ready\n')
await waitFor('go')

const started = Date.now()
const acks: Ack[] = []
let nothing = 0
const { client, annotator, projectId, textIds, labelIds } = args
for (let k = 0; k < args.writes; k++) {
  // Every 10th call an undo; every 50th a redo of the undo just before it.
  const step = k % 10 === 9 ? 'undo' : k % 50 === 0 && k > 0 ? 'redo' : undefined
  if (step) {
    const r = await call<AnnotationDto | null>(`labels/${step}`, { projectId, annotator })
    if (r) acks.push({ op: step, textId: r.textId, labelIds: r.labelIds, revision: r.revision })
    else nothing += 1
    continue
  }
  // Every client walks all texts with a different stride and start, so all ten collide on each.
  const textId = textIds[(k * 7 + client * 31) % textIds.length]
  const label = [labelIds[(k + client + Math.floor(k / 13)) % labelIds.length]]
  const r = await call<AnnotationDto>('labels/set', { textId, labelIds: label, annotator })
  acks.push({ op: 'set', textId: r.textId, labelIds: r.labelIds, revision: r.revision })
}
const ms = Date.now() - started
process.stdout.write('done\n')
await waitFor('read')

// Every label entry of the project, as this client lists them (newest first, paged).
const actions = ['label.set', 'label.undo', 'label.redo']
const entries: AuditEntryDto[] = []
for (let offset = 0; ; offset += 500) {
  const page = await call<AuditPageDto>('audit/list', { projectId, actions, offset, limit: 500 })
  entries.push(...page.entries)
  if (entries.length >= page.total || page.entries.length === 0) break
}
const wanted = new Set(args.sample)
const history: ClientResult['history'] = {}
for (const e of [...entries].reverse()) {
  const textId = (e.details as { textId: number }).textId
  if (!wanted.has(textId)) continue
  ;(history[textId] ??= []).push({ id: e.id, actor: e.actor, action: e.action, details: e.details })
}
const verify = await call<AuditVerifyDto>('audit/verify', {})
const result: ClientResult = { acks, nothing, history, labelEntries: entries.length, verify, ms }
writeFileSync(args.out, JSON.stringify(result))
await backend.shutdown()
process.stdout.write('finished\n')
process.exit(0)
