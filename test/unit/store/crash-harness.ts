// The kill -9 harness shared by the label-write crash tests (plain and encrypted workspace): seeds
// the workspace, kills the child writer again and again, and checks every acknowledged write.
import { spawn } from 'node:child_process'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Database } from 'better-sqlite3'
import { build } from 'esbuild'
import { expect } from 'vitest'
import { tempServicesIn } from '../services/fixtures'
import { ArrayReader } from '../services/test-reader'
import { CRASH_LABELS, CRASH_TEXTS, plannedWrite } from './crash-plan'

const here = fileURLToPath(new URL('.', import.meta.url))

/** One write the child printed after its commit. */
export interface Ack {
  i: number
  textId: number
  labelIds: number[]
  revision: number
}

/**
 * Bundles the child writer into `dir` and creates the crash project with its texts in `home`.
 * Returns the bundle's path.
 */
export async function prepareCrashWorkspace(dir: string, home: string): Promise<string> {
  // One bundle, so each of the 20 children starts in ~0.1 s instead of compiling TypeScript.
  const writer = join(dir, 'crash-writer.cjs')
  await build({
    entryPoints: [join(here, 'crash-writer.ts')],
    outfile: writer,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['better-sqlite3', 'better-sqlite3-multiple-ciphers'],
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
  return writer
}

/** Runs one child from write `first` and kills it 100–800 ms after its first acknowledgement. */
function runChild(
  writer: string,
  home: string,
  first: number,
  env: NodeJS.ProcessEnv,
): Promise<{ acks: Ack[]; stderr: string; killed: boolean }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [writer, home, String(first), '10000'], {
      env: { ...process.env, NODE_PATH: resolve(here, '../../../node_modules'), ...env },
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

/**
 * Runs `runs` children one after another, each resuming after the last acknowledged write, and
 * kills each. `env` is added to the children's environment.
 */
export async function killRepeatedly(
  writer: string,
  home: string,
  runs: number,
  env: NodeJS.ProcessEnv = {},
): Promise<{ acks: Ack[]; inFlight: number[] }> {
  const acks: Ack[] = []
  const inFlight: number[] = []
  let next = 0
  for (let run = 0; run < runs; run++) {
    const r = await runChild(writer, home, next, env)
    expect(r.stderr).toBe('')
    expect(r.killed).toBe(true)
    expect(r.acks.length).toBeGreaterThan(0)
    r.acks.forEach((a, k) => expect(a.i).toBe(next + k))
    acks.push(...r.acks)
    next = r.acks[r.acks.length - 1].i + 1
    // The write that was running when the kill came may or may not have committed.
    inFlight.push(next)
  }
  return { acks, inFlight }
}

/**
 * Checks the database is intact and holds every acknowledged write; returns how many texts could
 * be checked exactly (no write to them was in flight after their last acknowledgement).
 */
export function checkAcknowledged(db: Database, acks: Ack[], inFlight: number[]): number {
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
  expect(db.pragma('foreign_key_check')).toEqual([])

  const history = db.prepare('SELECT text_id, after_label_ids FROM annotation_history WHERE id = ?')
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
  return exact
}
