// Crash safety: a child writes labels and acknowledges each after commit; it is killed with
// SIGKILL at a random moment, 20 times over one workspace. Every acknowledged label must survive.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempServicesIn } from '../services/fixtures'
import { WORKSPACE_FILE } from '../../../main/store/workspace'
import { ArrayReader } from '../services/test-reader'
import { CRASH_LABELS, CRASH_TEXTS, plannedWrite } from './crash-plan'

const here = fileURLToPath(new URL('.', import.meta.url))
const RUNS = 20
let dir: string
let home: string
let writer: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cts-crash-'))
  home = join(dir, 'home')
  // One bundle, so each of the 20 children starts in ~0.1 s instead of compiling TypeScript.
  writer = join(dir, 'crash-writer.cjs')
  await build({
    entryPoints: [join(here, 'crash-writer.ts')],
    outfile: writer,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['better-sqlite3'],
    logLevel: 'silent',
  })
  const texts = Array.from({ length: CRASH_TEXTS }, (_, i) => ({
    row: i + 2,
    text: `crash note ${i} 记录`,
  }))
  const app = tempServicesIn(home, {
    sourceReader: new ArrayReader(() => texts),
    actor: 'setup',
  })
  const p = await app.handlers['projects/create']({
    name: 'crash',
    kind: 'multilabel',
    labels: [...CRASH_LABELS],
  })
  expect(p.labels.map((l) => l.id)).toEqual([1, 2, 3, 4])
  await app.handlers['datasets/import']({
    projectId: p.id,
    file: { name: 'crash.csv', contentBase64: '' },
    mapping: { text: 'text' },
  })
  app.close()
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Ack {
  i: number
  textId: number
  labelIds: number[]
  revision: number
}

/** Runs one child from write `first` and kills it 100–800 ms after its first acknowledgement. */
function runChild(first: number): Promise<{ acks: Ack[]; stderr: string; killed: boolean }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [writer, home, String(first), '10000'], {
      env: { ...process.env, NODE_PATH: resolve(here, '../../../node_modules') },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let stderr = ''
    let timer: NodeJS.Timeout | undefined
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      if (!timer && out.includes('\n')) {
        timer = setTimeout(() => child.kill('SIGKILL'), 100 + Math.random() * 700)
      }
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', fail)
    child.on('close', (_code, signal) => {
      clearTimeout(timer)
      // Only complete lines are acknowledgements; a torn last line was never fully printed.
      const lines = out.split('\n').slice(0, -1)
      const acks = lines.map((line) => {
        const [i, textId, ids, revision] = line.split(' ')
        return {
          i: Number(i),
          textId: Number(textId),
          labelIds: ids ? ids.split(',').map(Number) : [],
          revision: Number(revision),
        }
      })
      done({ acks, stderr, killed: signal === 'SIGKILL' })
    })
  })
}

describe('crash safety of label writes', () => {
  it('keeps every acknowledged label across 20 SIGKILLs and the database stays intact', async () => {
    const acks: Ack[] = []
    const inFlight: number[] = []
    let next = 0
    for (let run = 0; run < RUNS; run++) {
      const r = await runChild(next)
      expect(r.stderr).toBe('')
      expect(r.killed).toBe(true)
      expect(r.acks.length).toBeGreaterThan(0)
      r.acks.forEach((a, k) => expect(a.i).toBe(next + k))
      acks.push(...r.acks)
      next = r.acks[r.acks.length - 1].i + 1
      // The write that was running when the kill came may or may not have committed.
      inFlight.push(next)
    }
    const db = new Database(join(home, WORKSPACE_FILE))
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(db.pragma('foreign_key_check')).toEqual([])

    const history = db.prepare(
      'SELECT text_id, after_label_ids FROM annotation_history WHERE id = ?',
    )
    for (const a of acks) {
      expect(a).toMatchObject(plannedWrite(a.i))
      // Revision 0: the text was never changed and the write asked for no labels (a no-op).
      if (a.revision === 0) expect(a.labelIds).toEqual([])
      else
        expect(history.get(a.revision)).toEqual({
          text_id: a.textId,
          after_label_ids: JSON.stringify(a.labelIds),
        })
    }

    const current = db.prepare(
      'SELECT label_id FROM annotation_labels WHERE text_id = ? ORDER BY label_id',
    )
    let exact = 0
    for (let textId = 1; textId <= CRASH_TEXTS; textId++) {
      const stored = (current.all(textId) as { label_id: number }[]).map((r) => r.label_id)
      const lastAck = acks.filter((a) => a.textId === textId).pop()
      const lastTry = inFlight
        .filter((i) => plannedWrite(i).textId === textId && i > (lastAck?.i ?? -1))
        .pop()
      if (lastTry === undefined) {
        expect(stored).toEqual(lastAck?.labelIds ?? [])
        exact += 1
      } else {
        expect([
          JSON.stringify(lastAck?.labelIds ?? []),
          JSON.stringify(plannedWrite(lastTry).labelIds),
        ]).toContain(JSON.stringify(stored))
      }
    }
    db.close()
    expect(exact).toBeGreaterThan(CRASH_TEXTS / 2)
    console.log(
      `crash test: ${RUNS} kills, ${acks.length} acknowledged writes, ${exact}/${CRASH_TEXTS} texts checked exactly`,
    )
  }, 90_000)
})
